using CareerPath.Domain.Model;

namespace CareerPath.Domain.Tests.Model;

public class TerritoryTests
{
    [Fact]
    public void France_has_101_departements_in_18_regions_13_of_them_metropolitan()
    {
        Assert.Equal(101, Territory.Departements.Count);
        Assert.Equal(18, Territory.Regions.Count);
        Assert.Equal(101, Territory.Departements.Select(d => d.Code).Distinct().Count());
        Assert.Equal(101, Territory.Departements.Select(d => d.Name).Distinct().Count());
        Assert.Equal(18, Territory.Regions.Select(r => r.Code).Distinct().Count());
        // The five overseas regions are each one département (COG: regions 01 to 06, départements 971 to 976 but 975).
        var overseas = Territory.Departements.Where(d => d.Code.Length == 3).ToList();
        Assert.Equal(["971", "972", "973", "974", "976"], overseas.Select(d => d.Code));
        Assert.All(overseas, d => Assert.Single(Territory.DepartementsOf(d.Region)));
        Assert.Equal(13, Territory.Regions.Count(r => Territory.DepartementsOf(r).All(d => d.Code.Length == 2)));
    }

    [Fact]
    public void Every_departement_is_in_exactly_one_of_the_regions_and_every_region_has_one()
    {
        Assert.All(Territory.Departements, d => Assert.Single(Territory.Regions, r => r == d.Region));
        Assert.Equal(101, Territory.Regions.Sum(r => Territory.DepartementsOf(r).Count));
        Assert.All(Territory.Regions, r => Assert.NotEmpty(Territory.DepartementsOf(r)));
        // A few known sizes (COG 2024): Occitanie 13, Auvergne-Rhône-Alpes 12, Île-de-France 8, Corse 2.
        Assert.Equal(13, Territory.DepartementsOf(Territory.FindRegion("76")!).Count);
        Assert.Equal(12, Territory.DepartementsOf(Territory.FindRegion("84")!).Count);
        Assert.Equal(8, Territory.DepartementsOf(Territory.FindRegion("11")!).Count);
        Assert.Equal(["2A", "2B"], Territory.DepartementsOf(Territory.FindRegion("94")!).Select(d => d.Code));
    }

    [Theory]
    [InlineData("07", "07", "Ardèche", "Auvergne-Rhône-Alpes")]
    [InlineData(" 7 ", "07", "Ardèche", "Auvergne-Rhône-Alpes")]
    [InlineData("2a", "2A", "Corse-du-Sud", "Corse")]
    [InlineData("2B", "2B", "Haute-Corse", "Corse")]
    [InlineData("48", "48", "Lozère", "Occitanie")]
    [InlineData("75", "75", "Paris", "Île-de-France")]
    [InlineData("90", "90", "Territoire de Belfort", "Bourgogne-Franche-Comté")]
    [InlineData("976", "976", "Mayotte", "Mayotte")]
    public void A_departement_is_found_by_its_insee_code_as_people_write_it(string input, string code, string name, string region)
    {
        var d = Territory.FindDepartement(input);
        Assert.NotNull(d);
        Assert.Equal((code, name, region), (d.Code, d.Name, d.Region.Name));
    }

    [Theory]
    [InlineData("20")]
    [InlineData("00")]
    [InlineData("0")]
    [InlineData("96")]
    [InlineData("975")]
    [InlineData("977")]
    [InlineData("2C")]
    [InlineData("070")]
    [InlineData("Ardèche")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void Unknown_departement_codes_are_refused(string? input)
    {
        Assert.Null(Territory.FindDepartement(input));
    }

    [Theory]
    [InlineData("84", "Auvergne-Rhône-Alpes")]
    [InlineData("1", "Guadeloupe")]
    [InlineData("06", "Mayotte")]
    [InlineData("94", "Corse")]
    public void A_region_is_found_by_its_insee_code(string input, string name) => Assert.Equal(name, Territory.FindRegion(input)?.Name);

    [Theory]
    [InlineData("05")]
    [InlineData("42")]
    [InlineData("99")]
    [InlineData("Occitanie")]
    [InlineData(null)]
    public void Unknown_region_codes_are_refused(string? input) => Assert.Null(Territory.FindRegion(input));
}

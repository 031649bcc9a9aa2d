using CareerPath.Domain.Model;
using CareerPath.Workflows.Simulation;

namespace CareerPath.Workflows.Tests.Simulation;

/// <summary>Simulated structures are somewhere: a département of their town, the same for a seed, spread over the regions.</summary>
public sealed class ProgramModelTerritoryTests
{
    [Fact]
    public void The_demo_structures_are_in_known_departements_of_several_regions()
    {
        var demo = DemoData.Build(new DateOnly(2026, 11, 30));
        Assert.All(demo.Structures, s => Assert.NotNull(Territory.FindDepartement(s.Departement)));
        Assert.True(demo.Structures.Select(s => Territory.FindDepartement(s.Departement)!.Region).Distinct().Count() >= 3);
        Assert.Equal(demo.Structures.Select(s => s.Departement), DemoData.Build(new DateOnly(2026, 11, 30)).Structures.Select(s => s.Departement));
    }

    [Fact]
    public void A_national_simulation_reaches_every_region_overseas_and_corsica_included()
    {
        var model = ProgramModel.Generate(4_000, 2026, new DateOnly(2021, 4, 1), 540);
        var regions = model.Structures.Select(s => Territory.FindDepartement(s.Departement)!.Region).Distinct().ToList();
        Assert.Equal(18, regions.Count);
        Assert.Equal(model.Structures.Select(s => s.Departement), ProgramModel.Generate(4_000, 2026, new DateOnly(2021, 4, 1), 540).Structures.Select(s => s.Departement));
    }
}

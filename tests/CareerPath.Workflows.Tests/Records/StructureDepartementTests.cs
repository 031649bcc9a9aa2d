using System.Text;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Import;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Records;

/// <summary>Where a structure is (its département, migration 0007): given through the API's record or the CSV import, checked against the INSEE codes.</summary>
public sealed class StructureDepartementTests
{
    const string Actor = "admin:test";
    const string Siret = "21070019000013";

    static NewStructure Mairie(string? departement) => new("Mairie d'Aubenas", StructureKind.Commune, LegalRegime.Public, Siret,
        "Camille Martin", "rh@aubenas.example.fr", Departement: departement);

    static async Task<(EngineHarness H, ReferenceData Records)> CreateAsync()
    {
        var h = await EngineHarness.CreateAsync("2026-01-05");
        return (h, new ReferenceData(h.Engine));
    }

    static Task<List<string?>> DepartementsAsync(EngineHarness h) => h.QueryAsync<string?>("SELECT departement FROM structure ORDER BY name");

    [Fact]
    public async Task A_structure_is_recorded_with_its_departement_as_insee_writes_it()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var created = await records.CreateStructureAsync(Mairie(" 7 "), Actor);
        Assert.True(created.Created, string.Join(" | ", created.Errors));
        Assert.Equal(["07"], await DepartementsAsync(h));
        // The same structure again, the code written either way: one record, nothing changed.
        var again = await records.CreateStructureAsync(Mairie("07"), Actor);
        Assert.Equal(new RecordResult(created.Id, false, []), again with { Errors = [] });
        Assert.True(again.Ok);
        // Without a département the input says nothing about it: still the same record.
        Assert.True((await records.CreateStructureAsync(Mairie(null), Actor)).Ok);
        Assert.Equal(["07"], await DepartementsAsync(h));
    }

    [Theory]
    [InlineData("20")]
    [InlineData("975")]
    [InlineData("Ardèche")]
    [InlineData("100")]
    public async Task A_code_that_is_no_departement_is_refused_on_its_field_in_french(string code)
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var result = await records.CreateStructureAsync(Mairie(code), Actor);
        Assert.False(result.Ok);
        var error = Assert.Single(result.Errors);
        Assert.Equal("departement", error.Field);
        Assert.Contains($"« {code} »", error.Message);
        Assert.Contains("n'est pas un code de département", error.Message);
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM structure"));
    }

    [Fact]
    public async Task A_structure_recorded_without_a_departement_gets_it_and_another_one_is_refused()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var id = (await records.CreateStructureAsync(Mairie(null), Actor)).Id;
        Assert.Equal([null], await DepartementsAsync(h));

        var filled = await records.CreateStructureAsync(Mairie("07"), Actor);
        Assert.Equal(new RecordResult(id, false, [], Updated: true), filled with { Errors = [] });
        Assert.True(filled.Ok);
        Assert.Equal(["07"], await DepartementsAsync(h));

        var other = await records.CreateStructureAsync(Mairie("48"), Actor);
        Assert.Equal("departement", Assert.Single(other.Errors).Field);
        Assert.Equal(["07"], await DepartementsAsync(h));
    }

    static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task The_structures_file_takes_an_optional_departement_column_and_a_bad_code_is_an_error_on_its_row_and_column()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var importer = new CsvImporter(records);
        Assert.Contains("departement", CsvImporter.ColumnsOf(ImportKind.Structures));
        Assert.False(CsvImporter.DefinitionOf(ImportKind.Structures).Single(c => c.Name == "departement").Required);

        var bad = await importer.ImportAsync(ImportKind.Structures, Csv($"""
            name;kind;legalRegime;siret;hrName;hrEmail;departement
            Mairie d'Aubenas;Commune;Public;{Siret};Camille Martin;rh@aubenas.example.fr;07
            Mairie de Mende;Commune;Public;21480095000011;Lou Bernard;rh@mende.example.fr;20
            """), _ => true, Actor);
        Assert.False(bad.Ok);
        var error = Assert.Single(bad.Errors);
        Assert.Equal((3, "departement"), (error.Line, error.Column));
        Assert.Contains("« 20 »", error.Message);
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM structure"));

        // Without the column (a file made before it existed), then with it: the département is filled in.
        var before = await importer.ImportAsync(ImportKind.Structures, Csv($"""
            name,kind,legalRegime,siret,hrName,hrEmail
            Mairie d'Aubenas,Commune,Public,{Siret},Camille Martin,rh@aubenas.example.fr
            """), _ => true, Actor);
        Assert.Equal((1, 0, 0), (before.Created, before.Unchanged, before.Updated));
        var after = await importer.ImportAsync(ImportKind.Structures, Csv($"""
            name,kind,legalRegime,siret,hrName,hrEmail,departement
            Mairie d'Aubenas,Commune,Public,{Siret},Camille Martin,rh@aubenas.example.fr,7
            Mairie de Mende,Commune,Public,21480095000011,Lou Bernard,rh@mende.example.fr,48
            """), _ => true, Actor);
        Assert.True(after.Ok, string.Join(" | ", after.Errors));
        Assert.Equal((1, 0, 1), (after.Created, after.Unchanged, after.Updated));
        Assert.Equal(["07", "48"], await DepartementsAsync(h));
    }
}

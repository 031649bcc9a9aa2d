using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CareerPath.Server.Tests.Api;

/// <summary>CSV import through the API: all or nothing, errors by line and column, the same file twice changes nothing.</summary>
public sealed class ImportApiTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    Task<HttpResponseMessage> Import(string account, string kind, string csv) =>
        _host.As(account).PostAsync($"/api/imports/{kind}", new StringContent(csv, Encoding.UTF8, "text/csv"));

    const string Advisors = """
        siret;fullName;workEmail;hasRecognisedDisability
        21000000000011;Fanny Leroy;fanny.leroy@commune-a.fr;non
        21000000000011;Gaël Roux;gael.roux@commune-a.fr;non
        21000000000011;Hugo Blanc;hugo.blanc@commune-a.fr;oui
        21000000000011;Inès Faure;ines.faure@commune-a.fr;non
        21000000000011;Jules Garnier;jules.garnier@commune-a.fr;non
        """;

    const string Posts = """
        siret;label;wave;grantStart
        21000000000011;Poste 1;FirstWave;01/03/2026
        21000000000011;Poste 2;FirstWave;01/03/2026
        21000000000011;Poste 3;FirstWave;01/03/2026
        21000000000011;Poste 4;FirstWave;01/03/2026
        21000000000011;Poste 5;FirstWave;01/03/2026
        """;

    static string Contracts(string fifthStart) => $"""
        advisorEmail,siret,postLabel,type,start,end
        fanny.leroy@commune-a.fr,21000000000011,Poste 1,Cdd,2026-04-01,2028-03-31
        gael.roux@commune-a.fr,21000000000011,Poste 2,Cdd,2026-04-01,2028-03-31
        hugo.blanc@commune-a.fr,21000000000011,Poste 3,Cdd,2026-04-01,2028-03-31
        ines.faure@commune-a.fr,21000000000011,Poste 4,Cdd,2026-04-01,2028-03-31
        jules.garnier@commune-a.fr,21000000000011,Poste 5,Cdd,{fifthStart},2028-03-31
        """;

    [Fact]
    public async Task A_bad_row_imports_nothing_a_good_file_starts_workflows_and_a_second_import_changes_nothing()
    {
        Assert.Equal(HttpStatusCode.OK, (await Import("hrA", "posts", Posts)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Import("hrA", "advisors", Advisors)).StatusCode);

        var before = await _host.FingerprintAsync();
        var refused = await Import("hrA", "contracts", Contracts("2026-02-30"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await ApiHost.ReadJsonAsync(refused);
        var error = Assert.Single(problem["errors"]!.AsArray())!;
        Assert.Equal(6, error["line"]!.GetValue<int>());
        Assert.Equal("start", error["column"]!.GetValue<string>());
        Assert.Equal(before, await _host.FingerprintAsync());

        var imported = await Import("hrA", "contracts", Contracts("2026-04-01"));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(5, (await ApiHost.ReadJsonAsync(imported))["created"]!.GetValue<int>());
        Assert.Equal(5, (await _host.QueryAsync<long>("""
            SELECT count(*) FROM workflow_instance WHERE definition_id = 'advisor-contract' AND data->'advisor'->>'workEmail' LIKE '%@commune-a.fr'
               AND data->'advisor'->>'fullName' <> 'Alice Martin' AND data->'advisor'->>'fullName' <> 'Chloé Durand'
            """))[0]);

        var afterFirst = await _host.FingerprintAsync();
        var again = await Import("hrA", "contracts", Contracts("2026-04-01"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(5, (await ApiHost.ReadJsonAsync(again))["unchanged"]!.GetValue<int>());
        Assert.Equal(afterFirst, await _host.FingerprintAsync());

        // Seven advisors in all now: the auditor's report shows the count; the association's lone advisor is
        // hidden, and so is the commune's 6, else 7 − 6 would give the association's 1 back.
        var report = await ApiHost.ReadJsonAsync(await _host.As("auditor").GetAsync("/api/reports/outcomes"));
        JsonNode Cell(string dimension, string value, string measure) => report["groups"]!.AsArray()
            .Single(g => g!["dimension"]!.GetValue<string>() == dimension && g["value"]!.GetValue<string>() == value)!["cells"]!.AsArray()
            .Single(c => c!["measure"]!.GetValue<string>() == measure)!;
        Assert.Equal(7, Cell("ensemble", "tous", "conseillers")["advisors"]!.GetValue<int>());
        Assert.True(Cell("ensemble", "tous", "formationInitialeTerminee")["suppressed"]!.GetValue<bool>() ||
                    Cell("ensemble", "tous", "formationInitialeTerminee")["advisors"]!.GetValue<int>() is 0 or 7);
        Assert.True(Cell("typeDeStructure", "Association", "conseillers")["suppressed"]!.GetValue<bool>());
        Assert.True(Cell("typeDeStructure", "Commune", "conseillers")["suppressed"]!.GetValue<bool>());
        Assert.DoesNotContain(report["groups"]!.AsArray(), g => g!["dimension"]!.GetValue<string>() == "regime");
        var records = JsonNode.Parse(await _host.As("hrA").GetStringAsync("/api/reports/outcomes/records"))!["items"]!.AsArray();
        Assert.Equal(6, records.Select(r => r!["advisorId"]!.GetValue<Guid>()).Distinct().Count());
    }

    [Fact]
    public async Task An_hr_manager_cannot_import_into_another_structure_nor_learn_that_it_exists()
    {
        var before = await _host.FingerprintAsync();
        var other = await Import("hrA", "posts", "siret,label,wave,grantStart\n41000000000022,Intrus,FirstWave,2026-03-01\n");
        var unknown = await Import("hrA", "posts", "siret,label,wave,grantStart\n99999999999999,Intrus,FirstWave,2026-03-01\n");
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal((await ApiHost.ReadJsonAsync(unknown))["errors"]!.ToJsonString(), (await ApiHost.ReadJsonAsync(other))["errors"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Import("hrA", "structures", "name,kind,legalRegime,siret,hrName,hrEmail\nX,Commune,Public,21000000000055,R,r@x.fr\n")).StatusCode);
        Assert.Equal(before, await _host.FingerprintAsync());
    }
}

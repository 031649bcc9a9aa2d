using CareerPath.Server.Security;
using Dapper;

namespace CareerPath.Benchmarks;

/// <summary>
/// reports: the server time of the union auditor's outcomes page and of the program coordinators'
/// national view on the database of a national program simulation run far enough that most first
/// contracts have ended and their 6- and 12-month follow-ups are recorded, while renewed ones still run.
/// </summary>
public static class ReportPageTimes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var advisors = BenchSite.Option(args, "--advisors", 4_000);
        var requests = BenchSite.Option(args, "--requests", 200);
        await using var site = await BenchSite.SimulateAsync(advisors, new DateOnly(2025, 1, 6));

        int contracts, outcomes, structures;
        List<string> cohorts, regions;
        await using (var conn = await site.Db.OpenConnectionAsync())
        {
            contracts = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM contract");
            outcomes = await conn.ExecuteScalarAsync<int>(
                "SELECT count(*)::int FROM workflow_instance WHERE definition_id = 'advisor-contract' AND jsonb_array_length(coalesce(data->'outcomes', '[]')) > 0");
            structures = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM structure");
            cohorts = (await conn.QueryAsync<string>(
                "SELECT DISTINCT extract(year FROM start_date)::int || '-T' || extract(quarter FROM start_date)::int FROM contract ORDER BY 1")).ToList();
            regions = (await conn.QueryAsync<string>("SELECT DISTINCT departement FROM structure WHERE departement IS NOT NULL ORDER BY 1")).ToList();
        }
        var kinds = new[] { "Commune", "Epci", "Departement", "Association", "OtherSocialEconomy" };
        var uri = await site.StartServerAsync();
        using var auditor = BenchSite.Client(uri, await site.TokenAsync(Roles.Auditor, []));
        using var program = BenchSite.Client(uri, await site.TokenAsync(Roles.Program, []));

        // Every other request filtered: a cohort and a structure kind in turn (the auditor's switches).
        var outcomePaths = Enumerable.Range(0, requests).Select(i => i % 2 == 0 ? "/resultats"
            : $"/resultats?cohorte={cohorts[i / 2 % cohorts.Count]}&structure={kinds[i / 2 % kinds.Length]}").ToList();
        var programPaths = Enumerable.Range(0, requests).Select(i => i % 2 == 0 ? "/programme"
            : $"/programme?departement={regions[i / 2 % regions.Count]}").ToList();
        var outcomesTime = await BenchSite.TimeAsync(auditor, outcomePaths);
        var programTime = await BenchSite.TimeAsync(program, programPaths);

        var conditions = $"{advisors:N0}-advisor simulation run to {site.Stop:yyyy-MM-dd} ({contracts:N0} contracts, {outcomes:N0} with a follow-up outcome, {structures} structures); " +
                         $"{requests} requests one at a time after 20 of warm-up";
        Console.WriteLine("| page | p50 | p95 | max | size | conditions |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(BenchSite.Row("outcomes `/resultats`", outcomesTime, conditions + "; every other request filtered by a cohort and a structure kind"));
        Console.WriteLine(BenchSite.Row("program view `/programme`", programTime, "every other request filtered by a département"));
        return 0;
    }
}

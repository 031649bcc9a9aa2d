using CareerPath.Server.Security;
using Dapper;

namespace CareerPath.Benchmarks;

/// <summary>
/// pages: the server time of the HR dashboard and of an advisor page on the database of a national
/// program simulation stopped in mid-course (every contract still running, deadlines and tasks open),
/// for an HR manager holding many structures.
/// </summary>
public static class PageTimes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var advisors = BenchSite.Option(args, "--advisors", 4_000);
        var structures = BenchSite.Option(args, "--structures", 50);
        var requests = BenchSite.Option(args, "--requests", 300);
        await using var site = await BenchSite.SimulateAsync(advisors, new DateOnly(2022, 10, 3));

        Guid[] held;
        List<Guid> people;
        int running, openTasks, timers;
        await using (var conn = await site.Db.OpenConnectionAsync())
        {
            // The HR manager of the busiest structures: the heaviest dashboard there is.
            held = (await conn.QueryAsync<Guid>("""
                SELECT structure_id FROM workflow_instance WHERE closed_at IS NULL AND structure_id IS NOT NULL
                 GROUP BY structure_id ORDER BY count(*) DESC, structure_id LIMIT @structures
                """, new { structures })).ToArray();
            people = (await conn.QueryAsync<Guid>("""
                SELECT DISTINCT c.advisor_id FROM contract c JOIN funded_post p ON p.id = c.post_id WHERE p.structure_id = ANY(@held)
                """, new { held })).ToList();
            running = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM workflow_instance WHERE closed_at IS NULL AND structure_id = ANY(@held)", new { held });
            openTasks = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM human_task WHERE status = 'Open' AND structure_id = ANY(@held)", new { held });
            timers = await conn.ExecuteScalarAsync<int>("""
                SELECT count(*)::int FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
                 WHERE t.fired_at IS NULL AND i.structure_id = ANY(@held)
                """, new { held });
        }
        var token = await site.TokenAsync(Roles.Hr, held);
        using var http = BenchSite.Client(await site.StartServerAsync(), token);

        var dashboard = await BenchSite.TimeAsync(http, Enumerable.Repeat("/tableau-de-bord", requests).ToList());
        var advisorPages = await BenchSite.TimeAsync(http, Enumerable.Range(0, requests).Select(i => $"/conseillers/{people[i % people.Count]}").ToList());

        var conditions = $"{advisors:N0}-advisor simulation stopped on {site.Stop:yyyy-MM-dd}; HR manager of {held.Length} structures " +
                         $"({people.Count} advisors, {running} running workflows, {openTasks} open tasks, {timers} armed timers); {requests} requests one at a time after 20 of warm-up";
        Console.WriteLine("| page | p50 | p95 | max | size | conditions |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(BenchSite.Row("HR dashboard `/tableau-de-bord`", dashboard, conditions));
        Console.WriteLine(BenchSite.Row("advisor page `/conseillers/{id}`", advisorPages, "each request a different advisor of those structures"));
        return 0;
    }
}

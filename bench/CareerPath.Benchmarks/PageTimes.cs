using System.Diagnostics;
using CareerPath.Server.Hosting;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CareerPath.Benchmarks;

/// <summary>
/// pages: the server time of the HR dashboard and of an advisor page on the database of a national
/// program simulation stopped in mid-course (every contract still running, deadlines and tasks open),
/// for an HR manager holding many structures. The server runs in process on Kestrel (jobs off, its
/// clock at the simulation's stop day); each request is timed from send to last byte on loopback, an
/// upper bound of the server's own time.
/// </summary>
public static class PageTimes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var advisors = Option(args, "--advisors", 4_000);
        var structures = Option(args, "--structures", 50);
        var requests = Option(args, "--requests", 300);
        var stop = new DateOnly(2022, 10, 3);
        var dir = Path.Combine(Path.GetTempPath(), $"careerpath-bench-pages-{Guid.NewGuid():N}");
        await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dir, Database = "bench", Disposable = true });
        var cs = cluster.ConnectionString();
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(cs);
        await using var db = Database.CreateDataSource(cs);

        Console.Error.WriteLine($"simulating {advisors} advisors up to {stop:yyyy-MM-dd}...");
        var sim = Stopwatch.StartNew();
        var model = ProgramModel.Generate(advisors, 2026, new DateOnly(2021, 4, 1), 540);
        await model.InsertReferenceDataAsync(db);
        var clock = new SimulatedClock(WorkflowEngine.DueInstant(model.Advisors.Min(a => a.Post.Conventions[0].Start).AddDays(-2)));
        var engine = new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock);
        await new ProgramRunner(model, engine, clock).RunAsync(WorkflowEngine.DueInstant(stop).AddHours(2));
        Console.Error.WriteLine($"simulated in {sim.Elapsed.TotalSeconds:0} s");

        Guid[] held;
        List<Guid> people;
        int running, openTasks, timers;
        await using (var conn = await db.OpenConnectionAsync())
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
        var accounts = new Accounts(new AccountStore(db), TimeProvider.System, new AccountOptions());
        var hr = await accounts.CreateAsync(new NewAccount($"rh.bench.{Guid.NewGuid():N}@careerpath.local", "RH bench", Roles.Hr, null, held, null));
        var (_, token) = await accounts.CreateTokenAsync(hr, "bench", null);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["CareerPath:Jobs:Enabled"] = "false",
            ["CareerPath:RateLimits:ApiPerUserPerMinute"] = "10000000",
            ["CareerPath:RateLimits:ApiPerIpPerMinute"] = "10000000",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Services.AddSingleton<TimeProvider>(new SimulatedClock(WorkflowEngine.DueInstant(stop).AddHours(2)));
        await using var app = ServerApp.Build(builder, cs, Path.Combine(dir, "mail"));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var dashboard = await TimeAsync(http, Enumerable.Repeat("/tableau-de-bord", requests).ToList());
        var advisorPages = await TimeAsync(http, Enumerable.Range(0, requests).Select(i => $"/conseillers/{people[i % people.Count]}").ToList());
        await app.StopAsync();

        var conditions = $"{advisors:N0}-advisor simulation stopped on {stop:yyyy-MM-dd}; HR manager of {held.Length} structures " +
                         $"({people.Count} advisors, {running} running workflows, {openTasks} open tasks, {timers} armed timers); {requests} requests one at a time after 20 of warm-up";
        Console.WriteLine("| page | p50 | p95 | max | size | conditions |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| HR dashboard `/tableau-de-bord` | {dashboard.P50:0.0} ms | {dashboard.P95:0.0} ms | {dashboard.Max:0.0} ms | {dashboard.Bytes / 1024} KiB | {conditions} |");
        Console.WriteLine($"| advisor page `/conseillers/{{id}}` | {advisorPages.P50:0.0} ms | {advisorPages.P95:0.0} ms | {advisorPages.Max:0.0} ms | {advisorPages.Bytes / 1024} KiB | each request a different advisor of those structures |");
        return 0;
    }

    static async Task<(double P50, double P95, double Max, long Bytes)> TimeAsync(HttpClient http, List<string> paths)
    {
        foreach (var path in paths.Take(20)) await GetAsync(http, path);
        var times = new double[paths.Count];
        long bytes = 0;
        for (var i = 0; i < paths.Count; i++)
        {
            var sw = Stopwatch.StartNew();
            bytes = await GetAsync(http, paths[i]);
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[times.Length / 2], times[(int)(times.Length * 0.95)], times[^1], bytes);
    }

    static async Task<long> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
        return body.Length;
    }

    static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}

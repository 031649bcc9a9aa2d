using System.Diagnostics;
using CareerPath.Server.Hosting;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CareerPath.Benchmarks;

/// <summary>
/// What the page benchmarks share: a national program simulated on a throw-away cluster up to a stop
/// day, the real server on it in process on Kestrel (jobs off, its clock at the stop day), accounts
/// signed in by API token, and pages fetched one at a time and timed from send to last byte on
/// loopback (an upper bound of the server's own time).
/// </summary>
public sealed class BenchSite : IAsyncDisposable
{
    EmbeddedPostgres _cluster = null!;
    WebApplication? _app;
    string _dir = "";

    public NpgsqlDataSource Db { get; private set; } = null!;
    public DateOnly Stop { get; private set; }

    public static async Task<BenchSite> SimulateAsync(int advisors, DateOnly stop)
    {
        var site = new BenchSite { Stop = stop, _dir = Path.Combine(Path.GetTempPath(), $"careerpath-bench-pages-{Guid.NewGuid():N}") };
        site._cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = site._dir, Database = "bench", Disposable = true });
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(site._cluster.ConnectionString());
        site.Db = Database.CreateDataSource(site._cluster.ConnectionString());

        Console.Error.WriteLine($"simulating {advisors} advisors up to {stop:yyyy-MM-dd}...");
        var sim = Stopwatch.StartNew();
        var model = ProgramModel.Generate(advisors, 2026, new DateOnly(2021, 4, 1), 540);
        await model.InsertReferenceDataAsync(site.Db);
        var clock = new SimulatedClock(WorkflowEngine.DueInstant(model.Advisors.Min(a => a.Post.Conventions[0].Start).AddDays(-2)));
        var engine = new WorkflowEngine(site.Db, new DefinitionRegistry(ShippedWorkflows.All), clock);
        await new ProgramRunner(model, engine, clock).RunAsync(WorkflowEngine.DueInstant(stop).AddHours(2));
        Console.Error.WriteLine($"simulated in {sim.Elapsed.TotalSeconds:0} s");
        return site;
    }

    /// <summary>An account of that role and its API token (pages accept it as the API does).</summary>
    public async Task<string> TokenAsync(string role, IReadOnlyList<Guid> structures)
    {
        var accounts = new Accounts(new AccountStore(Db), TimeProvider.System, new AccountOptions());
        var account = await accounts.CreateAsync(new NewAccount($"{role}.bench.{Guid.NewGuid():N}@careerpath.local", $"{role} bench", role, null, [.. structures], null));
        return (await accounts.CreateTokenAsync(account, "bench", null)).Token;
    }

    public async Task<Uri> StartServerAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["CareerPath:Jobs:Enabled"] = "false",
            ["CareerPath:RateLimits:ApiPerUserPerMinute"] = "10000000",
            ["CareerPath:RateLimits:ApiPerIpPerMinute"] = "10000000",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Services.AddSingleton<TimeProvider>(new SimulatedClock(WorkflowEngine.DueInstant(Stop).AddHours(2)));
        _app = ServerApp.Build(builder, _cluster.ConnectionString(), Path.Combine(_dir, "mail"));
        await _app.StartAsync();
        return new Uri(_app.Urls.First());
    }

    public static HttpClient Client(Uri server, string token)
    {
        var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public sealed record Timing(double P50, double P95, double Max, long Bytes);

    /// <summary>Each path fetched once in turn after 20 of warm-up; percentiles over all of them.</summary>
    public static async Task<Timing> TimeAsync(HttpClient http, List<string> paths)
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
        return new Timing(times[times.Length / 2], times[(int)(times.Length * 0.95)], times[^1], bytes);
    }

    public static string Row(string page, Timing t, string conditions) =>
        $"| {page} | {t.P50:0.0} ms | {t.P95:0.0} ms | {t.Max:0.0} ms | {t.Bytes / 1024} KiB | {conditions} |";

    static async Task<long> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
        return body.Length;
    }

    public static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await Db.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareerPath.Server.Hosting;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// The real CareerPath host (every service, middleware and endpoint of ServerApp.Build) on an
/// in-memory test server, over a database of its own, on a fake clock. Jobs are off: tests sweep
/// timers themselves. The data set has two structures (A and B), each with posts, advisors and
/// contracts created through the API, and one account per role.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = WorkflowEngine.DueInstant(new DateOnly(2026, 3, 2)).AddHours(1);

    ApiHost(WebApplication app, string connectionString, FakeTimeProvider clock, string pickup)
    {
        App = app;
        ConnectionString = connectionString;
        Clock = clock;
        _pickup = pickup;
        DataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
    }

    readonly string _pickup;
    public WebApplication App { get; }
    public string ConnectionString { get; }
    public FakeTimeProvider Clock { get; }
    public NpgsqlDataSource DataSource { get; }
    public DataSet Data { get; private set; } = null!;
    readonly Dictionary<string, HttpClient> _clients = [];

    public static async Task<ApiHost> CreateAsync(Dictionary<string, string?>? settings = null, bool seed = true, Action<IServiceCollection>? configure = null)
    {
        var connectionString = await TestCluster.CreateMigratedDatabaseAsync();
        var clock = new FakeTimeProvider(Start);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://localhost",
            ["CareerPath:Jobs:Enabled"] = "false",
            ["CareerPath:RateLimits:LoginPerIpPerMinute"] = "1000",
            ["CareerPath:RateLimits:ApiPerUserPerMinute"] = "100000",
            ["CareerPath:RateLimits:ApiPerIpPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? []) config[k] = v;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton<TimeProvider>(clock);
        configure?.Invoke(builder.Services);
        var pickup = Path.Combine(Path.GetTempPath(), $"careerpath-api-mail-{Guid.NewGuid():N}");
        var app = ServerApp.Build(builder, connectionString, pickup);
        await app.StartAsync();
        var host = new ApiHost(app, connectionString, clock, pickup);
        if (seed) host.Data = await DataSet.SeedAsync(host);
        return host;
    }

    /// <summary>A client without credentials.</summary>
    public HttpClient Anonymous() => App.GetTestClient();

    /// <summary>
    /// A client with the bearer token of the named account (admin, hrA, hrB, advisorA, advisorB, auditor),
    /// or with its sign-in cookie for "admin:cookie" and "hrA:cookie".
    /// </summary>
    public HttpClient As(string account)
    {
        if (_clients.TryGetValue(account, out var client)) return client;
        client = App.GetTestClient();
        if (account.EndsWith(":cookie")) client.DefaultRequestHeaders.Add("Cookie", Data.Cookies[account[..^":cookie".Length]]);
        else client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Data.Tokens[account]);
        return _clients[account] = client;
    }

    public async Task<string> TokenForAsync(Guid userId)
    {
        var (_, token) = await App.Services.GetRequiredService<Accounts>().CreateTokenAsync(userId, "tests", null);
        return token;
    }

    /// <summary>Fires every timer due up to the fake clock's now, as the Hangfire job would.</summary>
    public Task SweepAsync() => App.Services.GetRequiredService<Sweeper>().SweepAllDueAsync(CancellationToken.None);

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    static readonly string[] Tables =
    [
        "structure", "hr_contact", "funded_post", "grant_convention", "grant_tranche", "advisor", "contract", "contract_amendment",
        "workflow_instance", "workflow_journal", "workflow_timer", "human_task", "outbox_message", "decision_audit", "incident",
        "app_user", "app_user_structure", "api_token", "calendar_feed", "access_log", "app_secret",
    ];

    /// <summary>A digest of every row of every table: equal fingerprints mean nothing changed.</summary>
    public async Task<string> FingerprintAsync()
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        var parts = new List<string>();
        foreach (var table in Tables)
            parts.Add($"{table}:{await conn.ExecuteScalarAsync<string>($"SELECT count(*) || '/' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM {table} x")}");
        return string.Join(" ", parts);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients.Values) c.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await TestCluster.DropDatabaseAsync(ConnectionString);
        try { Directory.Delete(_pickup, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
    }

    public static async Task<Guid> CreatedIdAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }
}

/// <summary>Two structures, their people and records, created through the API by an administrator.</summary>
public sealed class DataSet
{
    public Guid StructureA { get; init; }
    public Guid StructureB { get; init; }
    public Guid PostA { get; init; }
    public Guid PostB { get; init; }
    public Guid AdvisorA { get; init; }
    public Guid AdvisorB { get; init; }
    public Guid ContractA { get; init; }
    public Guid ContractB { get; init; }
    public Guid SparePostA { get; init; }
    public Guid SparePostB { get; init; }
    public Guid SpareAdvisorA { get; init; }
    public Guid SpareAdvisorB { get; init; }
    public Guid TaskA { get; init; }
    public Guid TaskB { get; init; }
    public Guid InstanceA { get; init; }
    public Dictionary<string, string> Tokens { get; } = [];
    public Dictionary<string, Guid> Users { get; } = [];
    public Dictionary<string, string> Cookies { get; } = [];

    /// <summary>Every name and e-mail address in the data set: none may reach a union auditor.</summary>
    public static readonly string[] PersonalStrings =
    [
        "Alice Martin", "alice.martin@commune-a.fr", "Bruno Petit", "bruno.petit@asso-b.fr",
        "Hélène Rh", "rh@commune-a.fr", "Didier Drh", "drh@commune-a.fr", "Rose Rh", "rh@asso-b.fr",
        "Chloé Durand", "chloe.durand@commune-a.fr", "Denis Moreau", "denis.moreau@asso-b.fr", "admin@careerpath.test", "auditeur@careerpath.test", "Commune A", "Association B",
    ];

    public static async Task<DataSet> SeedAsync(ApiHost host)
    {
        var accounts = host.App.Services.GetRequiredService<Accounts>();
        var adminId = await accounts.CreateAsync(new NewAccount("admin@careerpath.test", "Admin", Roles.Admin, "mot-de-passe-admin", [], null));
        var admin = host.Anonymous();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await host.TokenForAsync(adminId));

        async Task<Guid> Post(string url, object body) => await ApiHost.CreatedIdAsync(await admin.PostAsJsonAsync(url, body));

        var a = await Post("/api/structures", new { name = "Commune A", kind = "Commune", legalRegime = "Public", siret = "21000000000011",
            hrName = "Hélène Rh", hrEmail = "rh@commune-a.fr", hrLeadName = "Didier Drh", hrLeadEmail = "drh@commune-a.fr" });
        var b = await Post("/api/structures", new { name = "Association B", kind = "Association", legalRegime = "Private", siret = "41000000000022",
            hrName = "Rose Rh", hrEmail = "rh@asso-b.fr" });
        var postA = await Post("/api/posts", new { structureId = a, label = "Poste médiathèque", wave = "FirstWave", grantStart = "2025-08-01" });
        var postB = await Post("/api/posts", new { structureId = b, label = "Poste tiers-lieu", wave = "FirstWave", grantStart = "2025-08-01" });
        var advisorA = await Post("/api/advisors", new { structureId = a, fullName = "Alice Martin", workEmail = "alice.martin@commune-a.fr", hasRecognisedDisability = false });
        var advisorB = await Post("/api/advisors", new { structureId = b, fullName = "Bruno Petit", workEmail = "bruno.petit@asso-b.fr", hasRecognisedDisability = false });
        var contractA = await Post("/api/contracts", new { advisorId = advisorA, postId = postA, type = "Cdd", start = "2025-09-01", end = "2027-08-31" });
        var contractB = await Post("/api/contracts", new { advisorId = advisorB, postId = postB, type = "Cdd", start = "2025-09-01", end = "2027-02-28" });
        var sparePostA = await Post("/api/posts", new { structureId = a, label = "Poste France services", wave = "FirstWave", grantStart = "2026-02-01" });
        var sparePostB = await Post("/api/posts", new { structureId = b, label = "Poste itinérant", wave = "FirstWave", grantStart = "2026-02-01" });
        var spareAdvisorA = await Post("/api/advisors", new { structureId = a, fullName = "Chloé Durand", workEmail = "chloe.durand@commune-a.fr", hasRecognisedDisability = true });
        var spareAdvisorB = await Post("/api/advisors", new { structureId = b, fullName = "Denis Moreau", workEmail = "denis.moreau@asso-b.fr", hasRecognisedDisability = false });
        await host.SweepAsync();

        var data = new DataSet
        {
            StructureA = a, StructureB = b, PostA = postA, PostB = postB, AdvisorA = advisorA, AdvisorB = advisorB,
            ContractA = contractA, ContractB = contractB, SparePostA = sparePostA, SparePostB = sparePostB,
            SpareAdvisorA = spareAdvisorA, SpareAdvisorB = spareAdvisorB,
            TaskA = (await host.QueryAsync<Guid>("SELECT id FROM human_task WHERE structure_id = @a AND status = 'Open' ORDER BY opened_at LIMIT 1", new { a }))[0],
            TaskB = (await host.QueryAsync<Guid>("SELECT id FROM human_task WHERE structure_id = @b AND status = 'Open' ORDER BY opened_at LIMIT 1", new { b }))[0],
            InstanceA = (await host.QueryAsync<Guid>("SELECT id FROM workflow_instance WHERE subject_id = @contractA", new { contractA }))[0],
        };
        data.Users["admin"] = adminId;
        data.Tokens["admin"] = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        async Task User(string key, string email, string role, Guid[] structures, Guid? advisor)
        {
            var id = await accounts.CreateAsync(new NewAccount(email, key, role, $"mot-de-passe-{key}", structures, advisor));
            data.Users[key] = id;
            data.Tokens[key] = await host.TokenForAsync(id);
        }
        await User("hrA", "rh@commune-a.fr", Roles.Hr, [a], null);
        await User("hrB", "rh@asso-b.fr", Roles.Hr, [b], null);
        await User("advisorA", "alice.martin@commune-a.fr", Roles.Advisor, [], advisorA);
        await User("advisorB", "bruno.petit@asso-b.fr", Roles.Advisor, [], advisorB);
        await User("auditor", "auditeur@careerpath.test", Roles.Auditor, [], null);
        await User("program", "programme@careerpath.test", Roles.Program, [], null);
        // Signed in with a password (a cookie): what creating API tokens requires.
        foreach (var (key, email, password) in new[] { ("admin", "admin@careerpath.test", "mot-de-passe-admin"), ("hrA", "rh@commune-a.fr", "mot-de-passe-hrA") })
        {
            var login = await host.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password });
            data.Cookies[key] = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("careerpath=")).Split(';')[0];
        }
        admin.Dispose();
        return data;
    }
}

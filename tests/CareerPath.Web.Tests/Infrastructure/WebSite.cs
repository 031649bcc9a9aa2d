using CareerPath.Server.Hosting;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CareerPath.Web.Tests.Infrastructure;

/// <summary>A demo account of the site, with its password.</summary>
public sealed record Person(string Email, string Password, Guid? AdvisorId = null);

/// <summary>
/// CareerPath as people meet it: the real server on a loopback port (Kestrel, not a test server),
/// on its own database holding the demo data set played up to <see cref="Today"/> on a fake clock,
/// with one account per role. One per collection of browser tests ("site", "forms", "admin", "journey"), each on its
/// own copy of the seeded demo database (<see cref="DemoDatabase"/>).
/// </summary>
public sealed class WebSite : IAsyncLifetime
{
    /// <summary>A Monday, 10:00 in Paris: the demo data are played up to here.</summary>
    public static readonly DateTimeOffset Now = WorkflowEngine.DueInstant(new DateOnly(2026, 11, 30)).AddHours(2);
    public const string Password = "Mot-de-passe-de-demo-1";

    public FakeTimeProvider Clock { get; } = new(Now);
    public DateOnly Today => WorkflowEngine.ParisDate(Clock.GetUtcNow());
    public WebApplication App { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource Db { get; private set; } = null!;

    public Person Hr { get; private set; } = null!;
    public Person Advisor { get; private set; } = null!;
    public Person Admin { get; private set; } = null!;
    public Person Auditor { get; private set; } = null!;
    public Person Program { get; private set; } = null!;
    /// <summary>The HR manager's structures (the demo's two busiest).</summary>
    public IReadOnlyList<Guid> HrStructures { get; private set; } = [];

    public async Task InitializeAsync()
    {
        ConnectionString = await DemoDatabase.CopyAsync();
        Db = Database.CreateDataSource(ConnectionString);
        var people = await new AccountSeedQueries(Db).DemoPeopleAsync() ?? throw new InvalidOperationException("The demo data has no people.");
        HrStructures = people.Structures;
        var accounts = new Accounts(new AccountStore(Db), Clock, new AccountOptions());
        async Task<Person> Add(string role, string email, string name, Guid[] structures, Guid? advisor)
        {
            await accounts.CreateAsync(new NewAccount(email, name, role, Password, structures, advisor));
            return new Person(email, Password, advisor);
        }
        Admin = await Add(Roles.Admin, "admin@careerpath.local", "Administrateur", [], null);
        Hr = await Add(Roles.Hr, people.Hr.Email, people.Hr.Name, people.Structures, null);
        Advisor = await Add(Roles.Advisor, people.Advisor.Email, people.Advisor.Name, [], people.Advisor.Id);
        Auditor = await Add(Roles.Auditor, "auditeur@careerpath.local", "Auditeur syndical", [], null);
        Program = await Add(Roles.Program, "programme@careerpath.local", "Coordination nationale du programme", [], null);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["CareerPath:Jobs:Enabled"] = "false",
            ["CareerPath:RateLimits:LoginPerIpPerMinute"] = "1000",
            ["CareerPath:RateLimits:ApiPerUserPerMinute"] = "100000",
            ["CareerPath:RateLimits:ApiPerIpPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Services.AddSingleton<TimeProvider>(Clock);
        App = ServerApp.Build(builder, ConnectionString, Path.Combine(Path.GetTempPath(), $"careerpath-web-mail-{Guid.NewGuid():N}"));
        await App.StartAsync();
        BaseUrl = App.Urls.First().TrimEnd('/');
    }

    /// <summary>One value from the database, for a test to find its subject or check what a page did.</summary>
    public async Task<T> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<T>(sql, args);
    }

    public async Task<IReadOnlyList<T>> QueryListAsync<T>(string sql, object? args = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Db.DisposeAsync();
    }
}

/// <summary>
/// The demo data set played up to <see cref="WebSite.Now"/>, seeded once per test process and copied for each site
/// (CREATE DATABASE … TEMPLATE, a file copy that takes a fraction of a second): every site starts from exactly the
/// same data as if it had been seeded itself, without playing two years of workflows again.
/// </summary>
static class DemoDatabase
{
    static readonly Lazy<Task<string>> Seeded = new(SeedAsync);

    static async Task<string> SeedAsync()
    {
        var connectionString = await TestCluster.CreateMigratedDatabaseAsync();
        await DemoData.SeedAsync(connectionString, new FakeTimeProvider(WebSite.Now), NullLogger.Instance);
        // A template must have no open connections when it is copied.
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }

    /// <summary>A database of the site's own, holding the seeded demo data.</summary>
    public static async Task<string> CopyAsync() => await TestCluster.CreateDatabaseAsync(await Seeded.Value);
}

/// <summary>The tests that read the demo (pages, journeys, downloads): one site, tests one after another (the browser is every collection's).</summary>
[CollectionDefinition("site")]
public sealed class SiteCollection : ICollectionFixture<WebSite>, ICollectionFixture<BrowserFixture>;

/// <summary>
/// The tests of the forms (decisions, amendments, contracts, posts, recruitment, imports, the advisor's own page) on a
/// site of their own: they run beside the "site" collection instead of after it, and each site's tests still meet
/// only each other's writes.
/// </summary>
[CollectionDefinition("forms")]
public sealed class FormsCollection : ICollectionFixture<WebSite>, ICollectionFixture<BrowserFixture>;

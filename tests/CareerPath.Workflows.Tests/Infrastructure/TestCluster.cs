using CareerPath.Workflows.Storage;
using Npgsql;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>
/// One throw-away PostgreSQL cluster per test process, started by the product's own launcher.
/// A migrated template database is built once, as production migrates (the owner role, grants to the
/// application role); each test class clones it, which takes milliseconds and isolates the classes
/// from each other. Tests connect as the superuser unless they ask for the application role
/// (<see cref="UseApplicationRole"/>), as the server runs.
/// </summary>
public static class TestCluster
{
    public const string TemplateDatabase = "careerpath_template";
    const string DirectoryPrefix = "careerpath-tests-";

    static readonly Lazy<Task<EmbeddedPostgres>> Cluster = new(StartAsync);
    static readonly AsyncLocal<bool> AsApplication = new();

    public static Task<EmbeddedPostgres> GetAsync() => Cluster.Value;

    static async Task<EmbeddedPostgres> StartAsync()
    {
        StopOrphans();
        var dir = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = dir,
            Database = TemplateDatabase,
            Disposable = true,
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            pg.StopAsync().GetAwaiter().GetResult();
            DeleteQuietly(dir);
        };
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(pg.OwnerConnectionString());
        await InstallJobStorageAsync(pg.OwnerConnectionString());
        // A template must have no open connections when it is cloned.
        NpgsqlConnection.ClearAllPools();
        return pg;
    }

    /// <summary>
    /// Hangfire's tables, installed as the server's start installs them (DatabaseLocation), for the test
    /// processes that host the server (its storage no longer creates them). This project does not reference
    /// Hangfire, whose Dapper.AOT dependency would bring analysers its code does not satisfy, so the installer
    /// is found by name: present in the Server's and Web's test processes, absent (and not needed) here.
    /// </summary>
    static async Task InstallJobStorageAsync(string ownerConnectionString)
    {
        var install = Type.GetType("Hangfire.PostgreSql.PostgreSqlObjectsInstaller, Hangfire.PostgreSql")
            ?.GetMethod("Install", [typeof(NpgsqlConnection), typeof(string)]);
        if (install is null) return;
        await SchemaMigrator.RunAsOwnerAsync(ownerConnectionString, conn => install.Invoke(null, [conn, SchemaMigrator.JobSchema]));
    }

    /// <summary>A fresh database cloned from the migrated template.</summary>
    public static Task<string> CreateMigratedDatabaseAsync() => CreateDatabaseAsync(TemplateDatabase);

    /// <summary>
    /// Until disposed, the databases this flow of execution creates answer with the application role's
    /// connection string: a harness made inside the scope (e.g. <c>EngineHarness.CreateAsync</c>) runs as the server does.
    /// </summary>
    public static IDisposable UseApplicationRole()
    {
        var before = AsApplication.Value;
        AsApplication.Value = true;
        return new Scope(() => AsApplication.Value = before);
    }

    /// <summary>The same database as <paramref name="connectionString"/>, as the server's role.</summary>
    public static async Task<string> AsApplicationRoleAsync(string connectionString) =>
        (await GetAsync()).ApplicationConnectionString(new NpgsqlConnectionStringBuilder(connectionString).Database);

    /// <summary>The same database, as the migrations connect (superuser acting as the owner role).</summary>
    public static async Task<string> AsOwnerAsync(string connectionString) =>
        (await GetAsync()).OwnerConnectionString(new NpgsqlConnectionStringBuilder(connectionString).Database);

    sealed class Scope(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    /// <summary>A fresh database with no schema at all.</summary>
    public static Task<string> CreateEmptyDatabaseAsync() => CreateDatabaseAsync("template0");

    /// <summary>A fresh database copied from <paramref name="template"/> (no connection may be open on it), as the superuser.</summary>
    public static async Task<string> CreateDatabaseAsync(string template)
    {
        var pg = await GetAsync();
        var name = $"t_{Guid.NewGuid():N}";
        await using var conn = new NpgsqlConnection(pg.ConnectionString("postgres"));
        await conn.OpenAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {template}", conn);
                await cmd.ExecuteNonQueryAsync();
                return AsApplication.Value && template == TemplateDatabase ? pg.ApplicationConnectionString(name) : pg.ConnectionString(name);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                // Another test is cloning the same template right now.
                await Task.Delay(50);
            }
        }
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var pg = await GetAsync();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await using var conn = new NpgsqlConnection(pg.ConnectionString("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Clusters of test runs that were killed: their postmaster would otherwise live on.</summary>
    static void StopOrphans()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var owner = Path.GetFileName(dir)[DirectoryPrefix.Length..].Split('-')[0];
            if (int.TryParse(owner, out var pid) && Directory.Exists($"/proc/{pid}")) continue;
            try
            {
                var pidFile = Path.Combine(dir, "pgdata", "postmaster.pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var postmaster))
                    System.Diagnostics.Process.GetProcessById(postmaster).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException) { }
            DeleteQuietly(dir);
        }
    }

    static void DeleteQuietly(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>A migrated database of its own for one test class.</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await TestCluster.CreateMigratedDatabaseAsync();

    public Task DisposeAsync() => TestCluster.DropDatabaseAsync(ConnectionString);
}

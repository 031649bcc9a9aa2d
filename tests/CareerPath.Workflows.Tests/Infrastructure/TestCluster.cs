using CareerPath.Workflows.Storage;
using Npgsql;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>
/// One throw-away PostgreSQL cluster per test process, started by the product's own launcher.
/// A migrated template database is built once; each test class clones it, which takes
/// milliseconds and isolates the classes from each other.
/// </summary>
public static class TestCluster
{
    public const string TemplateDatabase = "careerpath_template";
    const string DirectoryPrefix = "careerpath-tests-";

    static readonly Lazy<Task<EmbeddedPostgres>> Cluster = new(StartAsync);

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
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(pg.ConnectionString());
        // A template must have no open connections when it is cloned.
        NpgsqlConnection.ClearAllPools();
        return pg;
    }

    /// <summary>A fresh database cloned from the migrated template.</summary>
    public static Task<string> CreateMigratedDatabaseAsync() => CreateDatabaseAsync(TemplateDatabase);

    /// <summary>A fresh database with no schema at all.</summary>
    public static Task<string> CreateEmptyDatabaseAsync() => CreateDatabaseAsync("template0");

    static async Task<string> CreateDatabaseAsync(string template)
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
                return pg.ConnectionString(name);
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

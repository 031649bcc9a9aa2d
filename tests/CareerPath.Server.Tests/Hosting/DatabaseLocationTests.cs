using CareerPath.Server.Hosting;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>A PostgreSQL of one's own (--connection), as production runs it: two roles, or one with a warning.</summary>
public sealed class DatabaseLocationTests
{
    [Fact]
    public async Task With_an_owner_connection_the_server_role_gets_rows_and_hangfire_but_not_the_logs_history()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var (owner, app, database) = ($"owner_{suffix}", $"app_{suffix}", $"prod_{suffix}");
        var pg = await TestCluster.GetAsync();
        await ExecuteAsync(pg.ConnectionString("postgres"), $"CREATE ROLE {owner} LOGIN PASSWORD 'owner-pw'; CREATE ROLE {app} LOGIN PASSWORD 'app-pw'");
        await ExecuteAsync(pg.ConnectionString("postgres"), $"CREATE DATABASE {database} OWNER {owner}");
        string Login(string user, string password) =>
            new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = pg.Port, Username = user, Password = password, Database = database }.ConnectionString;
        var log = new ListLogger();

        await using (var location = await DatabaseLocation.OpenAsync(new ParsedOptions(Login(app, "app-pw"), null, false, [], Login(owner, "owner-pw")), log))
        {
            await new SchemaMigrator(TimeProvider.System).MigrateAsync(location.ConnectionString);
            Assert.True(location.LeastPrivilegeInForce);
            Assert.Equal(Login(app, "app-pw"), location.ApplicationConnectionString);
        }

        Assert.Empty(log.Warnings);
        await using var conn = new NpgsqlConnection(Login(app, "app-pw"));
        await conn.OpenAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(conn, "ALTER TABLE access_log DISABLE TRIGGER ALL"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(conn, "DELETE FROM decision_audit"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        // Hangfire's tables, installed by the owner, are the server's to use.
        await ExecuteAsync(conn, "INSERT INTO hangfire.lock (resource, acquired) VALUES ('test', now()); DELETE FROM hangfire.lock WHERE resource = 'test'");
        // Ordinary tables: every row operation is checked for privilege even when no row matches.
        await ExecuteAsync(conn, "UPDATE contract SET id = id WHERE false; DELETE FROM contract WHERE false; INSERT INTO access_log (at, user_role, action, subject_kind, records) SELECT at, user_role, action, subject_kind, records FROM access_log WHERE false");
    }

    [Fact]
    public async Task With_one_connection_the_server_runs_as_it_and_warns_that_least_privilege_is_not_in_force()
    {
        var cs = await TestCluster.CreateMigratedDatabaseAsync();
        var log = new ListLogger();
        try
        {
            await using var location = await DatabaseLocation.OpenAsync(new ParsedOptions(cs, null, false, []), log);

            Assert.False(location.LeastPrivilegeInForce);
            Assert.Equal(cs, location.ApplicationConnectionString);
            Assert.Contains(log.Warnings, w => w.StartsWith("Least privilege is not in force", StringComparison.Ordinal));
        }
        finally
        {
            await TestCluster.DropDatabaseAsync(cs);
        }
    }

    static async Task ExecuteAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await ExecuteAsync(conn, sql);
    }

    static async Task ExecuteAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    sealed class ListLogger : ILogger
    {
        public List<string> Warnings { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) lock (Warnings) Warnings.Add(formatter(state, exception));
        }
    }
}

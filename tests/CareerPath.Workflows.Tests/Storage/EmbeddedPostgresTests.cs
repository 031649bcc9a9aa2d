using CareerPath.Workflows.Storage;
using Npgsql;

namespace CareerPath.Workflows.Tests.Storage;

/// <summary>The launcher on folders of its own (not the shared test cluster), as the server uses it.</summary>
public sealed class EmbeddedPostgresTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"careerpath-launcher-{Guid.NewGuid():N}");

    EmbeddedPostgresOptions Options => new() { DataDirectory = _dir, Disposable = true };

    [Fact]
    public async Task Data_survives_a_stop_and_a_restart_on_the_same_folder()
    {
        await using (var first = await EmbeddedPostgres.StartAsync(Options))
        {
            Assert.True(first.OwnsCluster);
            await ExecuteAsync(first.ConnectionString(), "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')");
        }
        Assert.False(File.Exists(Path.Combine(_dir, "pgdata", "postmaster.pid")), "PostgreSQL should be stopped");

        await using var second = await EmbeddedPostgres.StartAsync(Options);
        Assert.Equal("kept", await ScalarAsync(second.ConnectionString(), "SELECT note FROM marker"));
    }

    [Fact]
    public async Task A_second_launcher_on_a_running_folder_reuses_the_cluster_without_owning_it()
    {
        await using var first = await EmbeddedPostgres.StartAsync(Options);
        await using (var second = await EmbeddedPostgres.StartAsync(Options))
        {
            Assert.False(second.OwnsCluster);
            Assert.Equal(first.Port, second.Port);
            Assert.Equal("1", await ScalarAsync(second.ConnectionString(), "SELECT 1::text"));
        }
        // The second one's exit must leave the first one's database running.
        Assert.Equal("1", await ScalarAsync(first.ConnectionString(), "SELECT 1::text"));
    }

    [Fact]
    public async Task A_cluster_left_running_by_a_dead_process_is_adopted_and_stopped()
    {
        var orphan = await EmbeddedPostgres.StartAsync(Options);
        // What a killed server leaves behind: a running postmaster and an owner that no longer exists.
        await File.WriteAllTextAsync(Path.Combine(_dir, "owner.pid"), "999999999");

        var adopter = await EmbeddedPostgres.StartAsync(Options);
        Assert.True(adopter.OwnsCluster);
        Assert.Equal(orphan.Port, adopter.Port);
        await adopter.StopAsync();

        Assert.False(File.Exists(Path.Combine(_dir, "pgdata", "postmaster.pid")));
    }

    [Fact]
    public async Task The_cluster_listens_on_loopback_only_and_wants_a_password()
    {
        await using var pg = await EmbeddedPostgres.StartAsync(Options);
        Assert.Equal("127.0.0.1", await ScalarAsync(pg.ConnectionString(), "SELECT current_setting('listen_addresses')"));

        var wrong = new NpgsqlConnectionStringBuilder(pg.ConnectionString()) { Password = "wrong" }.ConnectionString;
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(wrong, "SELECT 1::text"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
    }

    [Fact]
    public async Task A_folder_that_holds_something_else_is_refused_with_a_clear_message()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "pgdata"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "pgdata", "notes.txt"), "not a cluster");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(Options));

        Assert.Contains("no PostgreSQL cluster", error.Message);
        Assert.True(File.Exists(Path.Combine(_dir, "pgdata", "notes.txt")), "nothing may be deleted");
    }

    static async Task ExecuteAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    static async Task<string?> ScalarAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (string?)await cmd.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}

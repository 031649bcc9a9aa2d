using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CareerPath.Workflows.Storage;
using Npgsql;

namespace CareerPath.Workflows.Tests.Storage;

/// <summary>
/// The launcher's roles, kept port and supervision (EmbeddedPostgres), on folders of their own.
/// The server's loop around <see cref="EmbeddedPostgres.SuperviseAsync"/> is tested with real processes
/// in the Server's tests (PostgresSupervisorTests).
/// </summary>
public sealed class EmbeddedPostgresSupervisionTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"careerpath-supervision-{Guid.NewGuid():N}");

    EmbeddedPostgresOptions Options => new() { DataDirectory = _dir, Disposable = true };

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the embedded cluster itself refuses Windows
    public async Task A_new_folder_gets_the_application_role_whose_password_only_this_user_reads()
    {
        await using var pg = await EmbeddedPostgres.StartAsync(Options);

        Assert.Equal(EmbeddedPostgres.ApplicationRole, await ScalarAsync(pg.ApplicationConnectionString(), "SELECT current_user::text"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "application.password")));
        Assert.Equal("false", await ScalarAsync(pg.ConnectionString(), $"SELECT rolcanlogin::text FROM pg_roles WHERE rolname = '{EmbeddedPostgres.OwnerRole}'"));
    }

    [Fact]
    public async Task The_port_is_chosen_once_kept_in_the_folder_and_reused()
    {
        int port;
        await using (var first = await EmbeddedPostgres.StartAsync(Options))
            port = first.Port;
        Assert.Equal(port.ToString(), (await File.ReadAllTextAsync(Path.Combine(_dir, "port"))).Trim());

        await using var second = await EmbeddedPostgres.StartAsync(Options);

        Assert.Equal(port, second.Port);
    }

    [Fact]
    public async Task A_kept_port_taken_by_another_program_is_named_in_the_error()
    {
        int port;
        await using (var first = await EmbeddedPostgres.StartAsync(Options))
            port = first.Port;
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(Options));

        Assert.Contains($"Port {port}", error.Message);
        Assert.Contains(Path.Combine(_dir, "port"), error.Message);
    }

    [Fact]
    public async Task A_folder_from_before_the_roles_gets_them_in_place_and_keeps_its_data()
    {
        await using (var old = await EmbeddedPostgres.StartAsync(Options))
        {
            await ExecuteAsync(old.ConnectionString(), "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')");
            // What an earlier version left: no roles, no application password, no kept port.
            await ExecuteAsync(old.ConnectionString("postgres"), $"DROP ROLE {EmbeddedPostgres.ApplicationRole}; DROP ROLE {EmbeddedPostgres.OwnerRole}");
        }
        File.Delete(Path.Combine(_dir, "application.password"));
        File.Delete(Path.Combine(_dir, "port"));

        await using var upgraded = await EmbeddedPostgres.StartAsync(Options);
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(upgraded.OwnerConnectionString());

        Assert.Equal("kept", await ScalarAsync(upgraded.ApplicationConnectionString(), "SELECT note FROM marker"));
        Assert.Equal(EmbeddedPostgres.OwnerRole, await ScalarAsync(upgraded.ConnectionString(), "SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE relname = 'marker'"));
        Assert.True(File.Exists(Path.Combine(_dir, "port")));
    }

    [Fact]
    public async Task A_killed_postmaster_is_started_again_by_its_owner_on_the_same_port_with_its_data()
    {
        await using var pg = await EmbeddedPostgres.StartAsync(Options);
        // A throw-away cluster commits asynchronously; this row must be on disk before the kill.
        await ExecuteAsync(pg.ConnectionString(), "SET synchronous_commit = on; CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')");
        var port = pg.Port;

        await KillPostmasterAsync(pg);

        Assert.Equal(ClusterHealth.Restarted, await SuperviseUntilUpAsync(pg));
        Assert.Equal(port, pg.Port);
        NpgsqlConnection.ClearAllPools();
        Assert.Equal("kept", await ScalarAsync(pg.ConnectionString(), "SELECT note FROM marker"));
        Assert.Equal(ClusterHealth.Running, await pg.SuperviseAsync());
    }

    [Fact]
    public async Task Another_node_waits_for_a_live_owner_and_takes_over_from_a_dead_one()
    {
        await using var owner = await EmbeddedPostgres.StartAsync(Options);
        await using var other = await EmbeddedPostgres.StartAsync(Options);
        Assert.False(other.OwnsCluster);

        await KillPostmasterAsync(owner);
        // The owner process (this one, as far as the folder says) lives: restarting is its job.
        Assert.Equal(ClusterHealth.WaitingForOwner, await other.SuperviseAsync());

        // The owner dies too.
        await File.WriteAllTextAsync(Path.Combine(_dir, "owner.pid"), "999999999");

        Assert.Equal(ClusterHealth.TakenOver, await SuperviseUntilUpAsync(other));
        Assert.True(other.OwnsCluster);
        Assert.Equal(owner.Port, other.Port);
        Assert.Equal(Environment.ProcessId.ToString(), await File.ReadAllTextAsync(Path.Combine(_dir, "owner.pid")));
        NpgsqlConnection.ClearAllPools();
        Assert.Equal("1", await ScalarAsync(other.ConnectionString(), "SELECT 1::text"));
    }

    /// <summary>A start right after a kill may find the old backends still holding the shared memory: the supervisor retries.</summary>
    static async Task<ClusterHealth> SuperviseUntilUpAsync(EmbeddedPostgres pg)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await pg.SuperviseAsync();
            }
            catch (EmbeddedPostgresException) when (attempt < 30)
            {
                await Task.Delay(500);
            }
        }
    }

    static async Task KillPostmasterAsync(EmbeddedPostgres pg)
    {
        var pid = pg.PostmasterPid ?? throw new InvalidOperationException("no postmaster");
        using (var postmaster = Process.GetProcessById(pid)) postmaster.Kill();
        // Not our child: wait until it is gone (or a zombie, which the launcher rightly counts as dead).
        for (var i = 0; i < 600 && pg.PostmasterPid is not null; i++) await Task.Delay(50);
        Assert.Null(pg.PostmasterPid);
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
        NpgsqlConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

using System.Diagnostics;
using Npgsql;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>
/// The embedded PostgreSQL heals without an operator (PostgresSupervisor): two real server processes on
/// one folder, the postmaster killed under them, then its owner killed too.
/// </summary>
public sealed class PostgresSupervisorTests : IDisposable
{
    readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"careerpath-supervisor-{Guid.NewGuid():N}");
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task A_killed_postmaster_comes_back_on_its_port_and_a_second_node_takes_over_when_the_owner_dies_too()
    {
        var ownerUrl = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var otherUrl = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using var owner = ServerProcess.Start("--data-dir", _dataDir, "--urls", ownerUrl);
        await WaitHealthyAsync(owner, ownerUrl);
        await using var other = ServerProcess.Start("--data-dir", _dataDir, "--urls", otherUrl);
        await WaitHealthyAsync(other, otherUrl);
        var (firstPostmaster, port) = Postmaster();
        Assert.Equal(port.ToString(), File.ReadAllText(Path.Combine(_dataDir, "port")).Trim());
        await ExecuteAsync(port, "CREATE TABLE supervision_marker (note text); INSERT INTO supervision_marker VALUES ('kept')");

        // 1. The postmaster dies: its owner restarts it on the same port, both nodes answer again.
        Kill(firstPostmaster);
        await WaitForOutputAsync(owner, $"Restarted PostgreSQL on 127.0.0.1:{port}");
        Assert.Contains("is down (postmaster pid", owner.Output);
        await WaitHealthyAsync(owner, ownerUrl);
        await WaitHealthyAsync(other, otherUrl);
        var (secondPostmaster, samePort) = Postmaster();
        Assert.NotEqual(firstPostmaster, secondPostmaster);
        Assert.Equal(port, samePort);
        Assert.Equal("kept", await ScalarAsync(port, "SELECT note FROM supervision_marker"));

        // 2. The owner and the postmaster die: the other node takes the cluster over.
        Kill(owner.Id);
        Kill(secondPostmaster);
        await WaitForOutputAsync(other, "Took over PostgreSQL in");
        await WaitHealthyAsync(other, otherUrl);
        Assert.Equal(port, Postmaster().Port);
        Assert.Equal(other.Id.ToString(), File.ReadAllText(Path.Combine(_dataDir, "owner.pid")).Trim());
        Assert.Equal("kept", await ScalarAsync(port, "SELECT note FROM supervision_marker"));

        // The new owner stops the cluster on its way out, as the first one would have.
        await other.SignalAsync("TERM");
        Assert.Equal(0, await other.WaitForExitAsync(Patience));
        Assert.False(File.Exists(Path.Combine(_dataDir, "pgdata", "postmaster.pid")));
    }

    static void Kill(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill();
    }

    (int Pid, int Port) Postmaster()
    {
        var lines = File.ReadAllLines(Path.Combine(_dataDir, "pgdata", "postmaster.pid"));
        return (int.Parse(lines[0]), int.Parse(lines[3]));
    }

    // Three minutes: a saturated CI machine takes its time to start processes and PostgreSQL; a healthy one takes seconds.
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    static async Task WaitForOutputAsync(ServerProcess server, string text)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience && !server.Output.Contains(text)) await Task.Delay(100);
        Assert.True(server.Output.Contains(text), $"no '{text}' in:\n{server.Output}");
    }

    static async Task WaitHealthyAsync(ServerProcess server, string url)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            Assert.False(server.HasExited, $"the server exited early:\n{server.Output}");
            try
            {
                var response = await Http.GetAsync($"{url}/health");
                if (response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == "Healthy") return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        Assert.Fail($"not healthy in time:\n{server.Output}");
    }

    string ConnectionString(int port) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Username = "careerpath",
        Password = File.ReadAllText(Path.Combine(_dataDir, "superuser.password")).Trim(),
        Database = "careerpath",
        Pooling = false,
    }.ConnectionString;

    async Task ExecuteAsync(int port, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(port));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    async Task<string?> ScalarAsync(int port, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(port));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (string?)await cmd.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        // A failed run may leave the cluster running: stop it before deleting its folder.
        try
        {
            var pidFile = Path.Combine(_dataDir, "pgdata", "postmaster.pid");
            if (File.Exists(pidFile)) Kill(int.Parse(File.ReadLines(pidFile).First()));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException) { }
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

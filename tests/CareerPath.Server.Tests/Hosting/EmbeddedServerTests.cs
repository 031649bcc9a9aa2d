using Npgsql;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>The embedded default end to end: what ./run.sh does, on a folder of the test's own.</summary>
public sealed class EmbeddedServerTests : IDisposable
{
    readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"careerpath-server-{Guid.NewGuid():N}");
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Starts_healthy_stops_postgres_on_ctrl_c_and_sigterm_and_finds_its_data_again()
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        int postmaster;
        await using (var first = ServerProcess.Start("--data-dir", _dataDir, "--urls", url))
        {
            await WaitHealthyAsync(first, url);
            postmaster = PostmasterPid();
            // The pages and the design system are served by the server process itself.
            for (var i = 0; i < 50 && !first.Output.Contains($"Sign in at {url}/connexion"); i++) await Task.Delay(100);
            Assert.Contains($"Sign in at {url}/connexion", first.Output);
            Assert.Contains("Se connecter", await Http.GetStringAsync($"{url}/connexion"));
            Assert.True((await Http.GetAsync($"{url}/dsfr/dsfr.min.css")).IsSuccessStatusCode);
            Assert.True((await Http.GetAsync($"{url}/dsfr/fonts/Marianne-Regular.woff2")).IsSuccessStatusCode);
            await ExecuteAsync("CREATE TABLE restart_marker (note text); INSERT INTO restart_marker VALUES ('first run')");

            await first.SignalAsync("INT");
            Assert.Equal(0, await ExitCodeAsync(first));
            Assert.Contains("Stopped PostgreSQL", first.Output);
        }
        Assert.False(File.Exists(Path.Combine(_dataDir, "pgdata", "postmaster.pid")));
        Assert.True(await ExitsAsync(postmaster), "the postmaster must be gone");

        await using var second = ServerProcess.Start("--data-dir", _dataDir, "--urls", url);
        await WaitHealthyAsync(second, url);
        Assert.Equal("first run", await ScalarAsync("SELECT note FROM restart_marker"));
        Assert.DoesNotContain("Initialised a PostgreSQL cluster", second.Output);
        Assert.DoesNotContain("Applied migration", second.Output);

        await second.SignalAsync("TERM");
        Assert.Equal(0, await ExitCodeAsync(second));
        Assert.False(File.Exists(Path.Combine(_dataDir, "pgdata", "postmaster.pid")));
    }

    /// <summary>
    /// The exit code once the server has stopped (Hangfire's workers, then PostgreSQL, which writes a checkpoint):
    /// seconds on a quiet machine, up to three minutes allowed on a saturated one; past that, a failure with what the server said.
    /// </summary>
    static async Task<int> ExitCodeAsync(ServerProcess server)
    {
        try { return await server.WaitForExitAsync(TimeSpan.FromMinutes(3)); }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException($"the server did not stop within 3 minutes:\n{server.Output}"); }
    }

    static async Task WaitHealthyAsync(ServerProcess server, string url)
    {
        // Three minutes: a saturated CI machine takes its time to start the server and PostgreSQL; a healthy one takes seconds.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(3))
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

    /// <summary>pg_ctl returns once postmaster.pid is removed, a moment before the process ends.</summary>
    static async Task<bool> ExitsAsync(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat) || File.ReadAllText(stat).Split(' ')[2] == "Z") return true;
            await Task.Delay(100);
        }
        return false;
    }

    int PostmasterPid() => int.Parse(File.ReadLines(Path.Combine(_dataDir, "pgdata", "postmaster.pid")).First());

    string ConnectionString() => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = int.Parse(File.ReadLines(Path.Combine(_dataDir, "pgdata", "postmaster.pid")).ElementAt(3)),
        Username = "careerpath",
        Password = File.ReadAllText(Path.Combine(_dataDir, "superuser.password")).Trim(),
        Database = "careerpath",
        Pooling = false,
    }.ConnectionString;

    async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    async Task<object?> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }
}

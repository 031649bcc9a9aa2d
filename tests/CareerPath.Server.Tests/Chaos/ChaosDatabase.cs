using System.Diagnostics;
using CareerPath.Workflows.Storage;
using Npgsql;

namespace CareerPath.Server.Tests.Chaos;

/// <summary>The one database the nodes share, and the fault the run injects into it.</summary>
public abstract class ChaosDatabase(string folder) : IAsyncDisposable
{
    public string Folder { get; } = folder;

    public abstract string Name { get; }

    /// <summary>The node's database arguments.</summary>
    public abstract string[] NodeArgs(int index);

    /// <summary>The embedded folder needs its first node alone: it initialises and owns the cluster.</summary>
    public abstract bool FirstNodeAlone { get; }

    /// <summary>A superuser connection for the checks (no pooling: the cluster restarts under it).</summary>
    public abstract string CheckConnection();

    public abstract Task InjectFaultAsync(ChaosLog log);

    protected string ClusterDirectory => Path.Combine(Folder, "pgdata");

    protected int? PostmasterPid() => ReadPidFile() is { Length: >= 4 } lines && int.TryParse(lines[0], out var pid) ? pid : null;
    protected int? PostmasterPort() => ReadPidFile() is { Length: >= 4 } lines && int.TryParse(lines[3], out var port) ? port : null;

    string[]? ReadPidFile()
    {
        try { return File.ReadAllLines(Path.Combine(ClusterDirectory, "postmaster.pid")); }
        catch (IOException) { return null; }
    }

    public async Task<bool> AnswersAsync()
    {
        try
        {
            await using var conn = new NpgsqlConnection(CheckConnection());
            await conn.OpenAsync();
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or FormatException or IOException) { return false; }
    }

    /// <summary>pg_ctl as PostgreSQL wants it: as the postgres user when we are root (the product does the same).</summary>
    protected static async Task PgCtlAsync(params string[] args)
    {
        var pgCtl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "pg_ctl")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("pg_ctl not on PATH");
        var psi = Environment.IsPrivilegedProcess ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", pgCtl, .. args]) : new ProcessStartInfo(pgCtl, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = "/";
        using var process = Process.Start(psi)!;
        var output = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"pg_ctl {string.Join(' ', args)}: exit {process.ExitCode}: {await output}");
    }

    protected async Task StopLeftoverAsync()
    {
        if (PostmasterPid() is { } pid && File.Exists($"/proc/{pid}/cmdline"))
        {
            try { await PgCtlAsync("stop", "-D", ClusterDirectory, "-m", "immediate", "-w", "-t", "30"); }
            catch (InvalidOperationException) { }
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await StopLeftoverAsync();
        NpgsqlConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>
/// Set-up (a), as production runs it: a PostgreSQL the test starts (with the product's launcher)
/// and every node given it by --connection. The fault: PostgreSQL restarted by its operator
/// (pg_ctl stop, a few seconds down, started again on the same port).
/// </summary>
public sealed class ConfiguredPostgres : ChaosDatabase
{
    readonly EmbeddedPostgres _pg;

    ConfiguredPostgres(string folder, EmbeddedPostgres pg) : base(folder) => _pg = pg;

    public static async Task<ConfiguredPostgres> StartAsync(string folder)
    {
        var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Database = "careerpath", Disposable = true });
        return new ConfiguredPostgres(folder, pg);
    }

    public override string Name => "connection";
    public override bool FirstNodeAlone => false;
    public override string[] NodeArgs(int index) => ["--connection", _pg.ConnectionString()];
    public override string CheckConnection() => new NpgsqlConnectionStringBuilder(_pg.ConnectionString()) { Pooling = false, Timeout = 5 }.ConnectionString;

    public override async Task InjectFaultAsync(ChaosLog log)
    {
        log.Fault("postgres-restart", "pg_ctl stop -m fast");
        await PgCtlAsync("stop", "-D", ClusterDirectory, "-m", "fast", "-w", "-t", "60");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await PgCtlAsync("start", "-D", ClusterDirectory, "-l", Path.Combine(ClusterDirectory, "postgres.log"), "-w", "-t", "60", "-o", $"-p {_pg.Port}");
        log.Fault("postgres-restart", "pg_ctl start");
        log.Note($"PostgreSQL restarted on port {_pg.Port}");
    }

    public override async ValueTask DisposeAsync()
    {
        await _pg.StopAsync();
        await base.DisposeAsync();
    }
}

/// <summary>
/// Set-up (b), the embedded default: every node on the same --data-dir, the first owns the cluster.
/// The fault: the postmaster SIGKILLed and left for the servers to restart.
/// </summary>
public sealed class EmbeddedFolder(string folder) : ChaosDatabase(folder)
{
    public static readonly TimeSpan RestartWithin = TimeSpan.FromSeconds(60);

    public override string Name => "data-dir";
    public override bool FirstNodeAlone => true;
    public override string[] NodeArgs(int index) => ["--data-dir", Folder];

    public override string CheckConnection() => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = PostmasterPort() ?? 1,
        Username = "careerpath",
        Password = File.ReadAllText(Path.Combine(Folder, "superuser.password")).Trim(),
        Database = "careerpath",
        Pooling = false,
        Timeout = 5,
    }.ConnectionString;

    public override async Task InjectFaultAsync(ChaosLog log)
    {
        var pid = PostmasterPid() ?? throw new InvalidOperationException("no postmaster.pid to kill");
        var port = PostmasterPort();
        ChaosNodes.Kill(pid, 9);
        log.Fault("postmaster-kill", $"postmaster pid {pid} (port {port})");
        var clock = Stopwatch.StartNew();
        // Dead, then alive again: a new postmaster answering on the port the nodes know.
        while (File.Exists($"/proc/{pid}/cmdline") && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        while (clock.Elapsed < RestartWithin)
        {
            if (PostmasterPid() is { } now && now != pid && PostmasterPort() == port && await AnswersAsync())
            {
                log.Note($"the postmaster was restarted by a server after {clock.Elapsed.TotalSeconds:0.0} s, same port {port}");
                log.Fault("postmaster-kill", "postmaster answering again");
                return;
            }
            await Task.Delay(250);
        }
        log.Fail($"the killed postmaster was not restarted on port {port} by any server within {RestartWithin.TotalSeconds:0} s " +
                 $"(postmaster.pid now names pid {PostmasterPid()?.ToString() ?? "none"}, port {PostmasterPort()?.ToString() ?? "none"}): the run restarts it itself to go on");
        if (PostmasterPid() is not { } other || other == pid || !File.Exists($"/proc/{other}/cmdline"))
            await PgCtlAsync("start", "-D", ClusterDirectory, "-l", Path.Combine(ClusterDirectory, "postgres.log"), "-w", "-t", "60", "-o", $"-p {port}");
        log.Fault("postmaster-kill", "postmaster started again by the test");
    }
}

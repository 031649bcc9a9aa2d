using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CareerPath.Workflows.Storage;

/// <summary>Where and how to run a private PostgreSQL cluster.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>Folder holding the cluster (<c>pgdata/</c>), its log, its password and the owner lock.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Database created on first start, and the one <see cref="EmbeddedPostgres.ConnectionString"/> names.</summary>
    public string Database { get; init; } = "careerpath";

    /// <summary>
    /// Throw-away clusters (tests, benchmarks of the engine's logic) trade durability for speed:
    /// no fsync, asynchronous commit. Never for the embedded default, whose data must survive.
    /// </summary>
    public bool Disposable { get; init; }

    /// <summary>PostgreSQL's shared buffers in MB, when a cluster needs more than the default 128 MB (a large simulation).</summary>
    public int? SharedBuffersMb { get; init; }

    /// <summary>The per-user default: root cannot run PostgreSQL, and the postgres user cannot reach /root.</summary>
    public static string DefaultDataDirectory()
    {
        if (Environment.IsPrivilegedProcess) return "/var/lib/careerpath";
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "careerpath");
    }
}

/// <summary>What one supervision check found (<see cref="EmbeddedPostgres.SuperviseAsync"/>).</summary>
public enum ClusterHealth
{
    /// <summary>The postmaster is alive.</summary>
    Running,
    /// <summary>It was dead; this process (its owner) started it again on its port.</summary>
    Restarted,
    /// <summary>It was dead and its owner gone; this process became the owner and started it.</summary>
    TakenOver,
    /// <summary>It is dead, but its owner is alive and restarts it: this process waits.</summary>
    WaitingForOwner,
    /// <summary>This process stopped it on purpose (shutdown): nothing to watch.</summary>
    Stopped,
}

/// <summary>The reason the embedded PostgreSQL could not be started, in words an operator can act on.</summary>
public sealed class EmbeddedPostgresException(string message) : Exception(message);

/// <summary>
/// A private PostgreSQL cluster started from the machine's own binaries: initialised on first use,
/// on a free loopback port, password-protected, stopped by <see cref="DisposeAsync"/> when this
/// process started (or adopted) it. PostgreSQL refuses to run as root, so as root every PostgreSQL
/// program runs as the <c>postgres</c> system user through runuser.
/// Two roles besides the superuser: <see cref="OwnerRole"/> owns the schema (migrations run as it),
/// <see cref="ApplicationRole"/> is what the server logs in as and may only read and write rows
/// (<see cref="LeastPrivilege"/>). The port is chosen once and kept in the folder, so that every node
/// on the folder finds the cluster again after a restart.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    const string Superuser = "careerpath";
    const string SystemUser = "postgres";
    public const string OwnerRole = "careerpath_owner";
    public const string ApplicationRole = "careerpath_app";

    readonly ILogger _log;
    readonly string _binDir;
    // Supervision, start and stop never overlap within this process (other processes: launcher.lock).
    readonly SemaphoreSlim _control = new(1, 1);
    bool _stopped;

    EmbeddedPostgres(EmbeddedPostgresOptions options, string binDir, ILogger log)
    {
        Options = options;
        _binDir = binDir;
        _log = log;
        DataDirectory = Path.GetFullPath(options.DataDirectory);
        ClusterDirectory = Path.Combine(DataDirectory, "pgdata");
    }

    public EmbeddedPostgresOptions Options { get; }
    public string DataDirectory { get; }
    public string ClusterDirectory { get; }
    public int Port { get; private set; }
    public string Password { get; private set; } = "";
    public string ApplicationPassword { get; private set; } = "";

    /// <summary>False when another live CareerPath process runs this cluster: we use it, we do not stop it.</summary>
    public bool OwnsCluster { get; private set; }

    // Written by the postgres user, so it lives in the folder that user owns.
    string LogFile => Path.Combine(ClusterDirectory, "postgres.log");
    string PasswordFile => Path.Combine(DataDirectory, "superuser.password");
    string ApplicationPasswordFile => Path.Combine(DataDirectory, "application.password");
    string OwnerFile => Path.Combine(DataDirectory, "owner.pid");
    string LockFile => Path.Combine(DataDirectory, "launcher.lock");
    /// <summary>The cluster's port, chosen at its first start and reused ever after.</summary>
    public string PortFile => Path.Combine(DataDirectory, "port");
    static bool AsRoot => Environment.IsPrivilegedProcess;

    /// <summary>The superuser's: creating and dropping databases, operators' tools.</summary>
    public string ConnectionString(string? database = null) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Password = Password,
        Database = database ?? Options.Database,
    }.ConnectionString;

    /// <summary>The migrations': the superuser's session acting as <see cref="OwnerRole"/>, granting to <see cref="ApplicationRole"/>.</summary>
    public string OwnerConnectionString(string? database = null) =>
        LeastPrivilege.ForMigrations(ConnectionString(database), OwnerRole, ApplicationRole);

    /// <summary>The server's: rows only, and on the append-only logs INSERT and SELECT only.</summary>
    public string ApplicationConnectionString(string? database = null) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ApplicationRole,
        Password = ApplicationPassword,
        Database = database ?? Options.Database,
    }.ConnectionString;

    public static async Task<EmbeddedPostgres> StartAsync(
        EmbeddedPostgresOptions options, ILogger? log = null, CancellationToken ct = default)
    {
        var pg = new EmbeddedPostgres(options, FindBinaries(), log ?? NullLogger.Instance);
        Directory.CreateDirectory(pg.DataDirectory);
        // Two launchers on one folder must not both initdb or both start: the first holds this lock
        // until its cluster answers, the second then finds it running.
        await using (var gate = await AcquireStartLockAsync(pg.LockFile, ct))
        {
            await pg.StartLockedAsync(ct);
            try
            {
                // Under the lock: two launchers must not both create the roles or both set a password.
                await pg.EnsureDatabaseAsync(ct);
                await pg.EnsureRolesAsync(ct);
            }
            catch
            {
                // Started but unusable: do not leave it running behind a failed start.
                await pg.StopAsync();
                throw;
            }
        }
        return pg;
    }

    async Task StartLockedAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(ClusterDirectory, "PG_VERSION")))
            await InitialiseAsync(ct);
        Password = (await File.ReadAllTextAsync(PasswordFile, ct)).Trim();

        var running = ReadRunningPostmaster();
        if (running is { } r)
        {
            var owner = ReadLiveOwner();
            Port = r.Port;
            if (owner is { } pid)
            {
                OwnsCluster = false;
                _log.LogWarning(
                    "PostgreSQL in {Dir} is already run by CareerPath process {Pid} on port {Port}: reusing it. It stops when that process stops.",
                    ClusterDirectory, pid, Port);
                return;
            }
            // Left running by a CareerPath that died without stopping it: adopt it.
            _log.LogInformation("Adopting PostgreSQL (pid {Pid}) left running on port {Port} in {Dir}", r.Pid, r.Port, ClusterDirectory);
        }
        else
        {
            Port = await ReadPortFileAsync(ct) ?? FreeLoopbackPort();
            await StartPostmasterAsync(ct);
            _log.LogInformation("Started PostgreSQL on 127.0.0.1:{Port} from {Dir}", Port, ClusterDirectory);
        }
        // A cluster started by an earlier version, on a port it chose then: that port is now the cluster's.
        await WritePortFileAsync(ct);
        OwnsCluster = true;
        await File.WriteAllTextAsync(OwnerFile, Environment.ProcessId.ToString(), ct);
    }

    async Task StartPostmasterAsync(CancellationToken ct)
    {
        if (!PortIsFree(Port))
            throw new EmbeddedPostgresException(
                $"Port {Port} of the PostgreSQL cluster in {DataDirectory} (kept in {PortFile}) is taken by another program. " +
                $"Free it, or delete {PortFile} to let CareerPath choose another one (then restart every CareerPath process on this folder).");
        await RunAsync("pg_ctl", ["start", "-D", ClusterDirectory, "-l", LogFile, "-w", "-t", "120", "-o", $"-p {Port}"], ct,
            failure: "PostgreSQL did not start");
    }

    async Task<int?> ReadPortFileAsync(CancellationToken ct)
    {
        if (!File.Exists(PortFile)) return null;
        var text = (await File.ReadAllTextAsync(PortFile, ct)).Trim();
        return int.TryParse(text, out var port) && port is > 0 and < 65536
            ? port
            : throw new EmbeddedPostgresException($"{PortFile} should hold the cluster's port number, not '{text}'. Delete it to let CareerPath choose a port.");
    }

    async Task WritePortFileAsync(CancellationToken ct)
    {
        if (await ReadPortFileAsync(ct) != Port) await File.WriteAllTextAsync(PortFile, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
    }

    /// <summary>
    /// One look at the postmaster, from the server's supervisor every few seconds. Dead and ours: start it
    /// again on its port. Dead and its owner gone too: take the cluster over (one node wins: launcher.lock).
    /// Throws <see cref="EmbeddedPostgresException"/> when a start fails (e.g. the old backends still hold its
    /// shared memory); the caller tries again later.
    /// </summary>
    public async Task<ClusterHealth> SuperviseAsync(CancellationToken ct = default)
    {
        await _control.WaitAsync(ct);
        try
        {
            if (_stopped) return ClusterHealth.Stopped;
            if (ReadRunningPostmaster() is not null) return ClusterHealth.Running;
            if (!OwnsCluster && ReadLiveOwner() is not null) return ClusterHealth.WaitingForOwner;
            await using var gate = await AcquireStartLockAsync(LockFile, ct);
            // Another node may have been quicker while we waited for the lock.
            if (ReadRunningPostmaster() is not null) return ClusterHealth.Running;
            if (!OwnsCluster)
            {
                if (ReadLiveOwner() is not null) return ClusterHealth.WaitingForOwner;
                Port = await ReadPortFileAsync(ct) ?? Port;
            }
            await StartPostmasterAsync(ct);
            if (OwnsCluster) return ClusterHealth.Restarted;
            OwnsCluster = true;
            await File.WriteAllTextAsync(OwnerFile, Environment.ProcessId.ToString(), ct);
            return ClusterHealth.TakenOver;
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>The postmaster's pid, if it is alive: what the supervisor names in its log.</summary>
    public int? PostmasterPid => ReadRunningPostmaster()?.Pid;

    async Task InitialiseAsync(CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
            throw new EmbeddedPostgresException("The embedded PostgreSQL needs Linux or macOS; on Windows configure ConnectionStrings:CareerPath.");
        if (Directory.Exists(ClusterDirectory) && Directory.EnumerateFileSystemEntries(ClusterDirectory).Any())
            throw new EmbeddedPostgresException(
                $"{ClusterDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Move it away or choose another folder with --data-dir.");
        Directory.CreateDirectory(ClusterDirectory);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        await File.WriteAllTextAsync(PasswordFile, password, ct);
        File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // initdb reads the password from a file; as root that file must belong to postgres for the
        // moment initdb runs (mode 600, deleted right after). initdb wants an empty pgdata, so it sits beside it.
        var pwfile = Path.Combine(DataDirectory, $".initdb-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllTextAsync(pwfile, password, ct);
            File.SetUnixFileMode(pwfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (AsRoot)
            {
                await ChownToPostgresAsync(ClusterDirectory, ct);
                await ChownToPostgresAsync(pwfile, ct);
                await EnsurePostgresCanReachAsync(ct);
            }
            File.SetUnixFileMode(ClusterDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            string[] args = ["-D", ClusterDirectory, "-U", Superuser, "--pwfile", pwfile,
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale"];
            if (Options.Disposable) args = [.. args, "--no-sync"];
            await RunAsync("initdb", args, ct, failure: "initdb failed");
        }
        finally
        {
            File.Delete(pwfile);
        }

        var settings = new List<string>
        {
            "",
            "# Written by CareerPath: a private cluster, reachable on loopback only, by TCP only.",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 200",
        };
        // Statement statistics, when the contrib package is there: the benchmarks read them.
        if (File.Exists(Path.Combine(_binDir, "..", "lib", "pg_stat_statements.so")))
            settings.Add("shared_preload_libraries = 'pg_stat_statements'");
        if (Options.Disposable)
            // A throw-away cluster (a simulation) rewrites its rows fast from the first minute: vacuum looks every
            // 2 s rather than every minute, or the dead rows of that minute slow every statement after it (issue 14).
            settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off", "autovacuum_naptime = 2s"]);
        if (Options.SharedBuffersMb is { } buffers) settings.Add($"shared_buffers = {buffers}MB");
        await File.AppendAllLinesAsync(Path.Combine(ClusterDirectory, "postgresql.conf"), settings, ct);
        _log.LogInformation("Initialised a PostgreSQL cluster in {Dir}", ClusterDirectory);
    }

    async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", conn);
        exists.Parameters.AddWithValue("name", Options.Database);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Options.Database.Replace("\"", "\"\"")}\"", conn);
            try { await create.ExecuteNonQueryAsync(ct); }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { }
        }
    }

    /// <summary>
    /// The two roles of <see cref="LeastPrivilege"/>, on a cluster of any age: one made before they existed
    /// gets them now (its tables change owner at the next migration). The application's password lives
    /// beside the superuser's, readable by this user only.
    /// </summary>
    async Task EnsureRolesAsync(CancellationToken ct)
    {
        var newPassword = !File.Exists(ApplicationPasswordFile);
        if (newPassword)
        {
            await File.WriteAllTextAsync(ApplicationPasswordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant(), ct);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(ApplicationPasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        ApplicationPassword = (await File.ReadAllTextAsync(ApplicationPasswordFile, ct)).Trim();

        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        async Task<bool> ExistsAsync(string role)
        {
            await using var cmd = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = @role", conn);
            cmd.Parameters.AddWithValue("role", role);
            return await cmd.ExecuteScalarAsync(ct) is not null;
        }
        async Task ExecuteAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        // The owner never logs in: the superuser's session takes its identity (SET ROLE) to migrate.
        if (!await ExistsAsync(OwnerRole)) await ExecuteAsync($"CREATE ROLE {OwnerRole} NOLOGIN");
        // The password is hexadecimal, so it is safe inside the statement (CREATE ROLE takes no parameters).
        if (!await ExistsAsync(ApplicationRole)) await ExecuteAsync($"CREATE ROLE {ApplicationRole} LOGIN PASSWORD '{ApplicationPassword}'");
        else if (newPassword) await ExecuteAsync($"ALTER ROLE {ApplicationRole} PASSWORD '{ApplicationPassword}'");
    }

    /// <summary>Stops the cluster if this process owns it. Safe to call twice, and from a process-exit handler.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        await _control.WaitAsync();
        try
        {
            if (_stopped) return;
            _stopped = true;
            await StopOwnedAsync();
        }
        finally
        {
            _control.Release();
        }
    }

    async Task StopOwnedAsync()
    {
        if (!OwnsCluster) return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync("pg_ctl", ["stop", "-D", ClusterDirectory, "-m", "fast", "-w", "-t", "60"], CancellationToken.None,
                failure: "PostgreSQL did not stop");
            _log.LogInformation("Stopped PostgreSQL in {Dir}", ClusterDirectory);
        }
        catch (EmbeddedPostgresException e) when (ReadRunningPostmaster() is null)
        {
            // Already gone, e.g. the terminal's Ctrl-C reached the postmaster first.
            _log.LogDebug(e, "PostgreSQL was already stopped");
        }
        File.Delete(OwnerFile);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    // ---- process and file plumbing ----

    static string FindBinaries()
    {
        static bool Complete(string dir) => File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb"));
        var fromEnv = Environment.GetEnvironmentVariable("CAREERPATH_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnv) && Complete(fromEnv)) return fromEnv;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Complete(dir)) continue;
            // /usr/local/bin/pg_ctl may be a link into the real installation, whose lib/ holds the extensions.
            var real = new FileInfo(Path.Combine(dir, "pg_ctl")).ResolveLinkTarget(returnFinalTarget: true);
            return real is null ? dir : Path.GetDirectoryName(real.FullName)!;
        }
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var best = Directory.GetDirectories(debian)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(x => Complete(x.Dir))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Dir is not null) return best.Dir;
        }
        throw new EmbeddedPostgresException(
            "No PostgreSQL server binaries found (initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin). " +
            "Install them with: sudo apt-get install -y postgresql — or configure ConnectionStrings:CareerPath to use an existing database.");
    }

    async Task RunAsync(string program, string[] args, CancellationToken ct, string failure)
    {
        var exe = Path.Combine(_binDir, program);
        var psi = AsRoot
            ? new ProcessStartInfo("runuser", ["-u", SystemUser, "--", exe, .. args])
            : new ProcessStartInfo(exe, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        // PostgreSQL programs change into their working directory; /root is out of postgres's reach.
        psi.WorkingDirectory = "/";
        psi.Environment["LC_ALL"] = "C";
        var (code, output) = await ExecuteAsync(psi, ct);
        if (code != 0)
        {
            var log = File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(15)) : "";
            throw new EmbeddedPostgresException($"{failure} (exit code {code}): {output.Trim()}{(log.Length > 0 ? $"\nLast lines of {LogFile}:\n{log}" : "")}");
        }
    }

    static async Task<(int Code, string Output)> ExecuteAsync(ProcessStartInfo psi, CancellationToken ct)
    {
        using var process = Process.Start(psi) ?? throw new EmbeddedPostgresException($"Could not start {psi.FileName}");
        // pg_ctl start leaves the postmaster holding inherited pipes open; read only until pg_ctl exits.
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var reads = Task.WhenAll(stdout, stderr);
        await Task.WhenAny(reads, Task.Delay(2000, ct));
        return (process.ExitCode, reads.IsCompletedSuccessfully ? stdout.Result + stderr.Result : "");
    }

    static Task ChownToPostgresAsync(string path, CancellationToken ct) =>
        RunPlainAsync(new ProcessStartInfo("chown", ["-R", $"{SystemUser}:{SystemUser}", path]), ct, $"could not give {path} to the postgres user");

    async Task EnsurePostgresCanReachAsync(CancellationToken ct)
    {
        var (code, _) = await ExecuteAsync(new ProcessStartInfo("runuser", ["-u", SystemUser, "--", "test", "-w", ClusterDirectory])
        { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" }, ct);
        if (code != 0)
            throw new EmbeddedPostgresException(
                $"PostgreSQL refuses to run as root, so it runs as the '{SystemUser}' user, who cannot reach {ClusterDirectory}. " +
                "Give that user search permission on every parent folder, or choose a folder it can reach with --data-dir (the default for root is /var/lib/careerpath).");
    }

    static async Task RunPlainAsync(ProcessStartInfo psi, CancellationToken ct, string failure)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var (code, output) = await ExecuteAsync(psi, ct);
        if (code != 0) throw new EmbeddedPostgresException($"{failure}: {output.Trim()}");
    }

    /// <summary>The postmaster this cluster's postmaster.pid names, if that process is alive.</summary>
    (int Pid, int Port)? ReadRunningPostmaster()
    {
        var pidFile = Path.Combine(ClusterDirectory, "postmaster.pid");
        try
        {
            // Readable by root, or by the postgres-less user who owns the cluster.
            var lines = File.ReadAllLines(pidFile);
            if (lines.Length >= 4 && int.TryParse(lines[0], out var pid) && int.TryParse(lines[3], out var port)
                && CommandLine(pid) is { } cmd && cmd.Contains("postgres", StringComparison.Ordinal))
                return (pid, port);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    int? ReadLiveOwner()
    {
        try
        {
            return int.TryParse(File.ReadAllText(OwnerFile).Trim(), out var pid)
                && CommandLine(pid) is { } cmd && cmd.Contains("CareerPath", StringComparison.Ordinal) ? pid : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>The command line of a live process, or null: guards against a pid reused by another program.</summary>
    static string? CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static async Task<FileStream> AcquireStartLockAsync(string path, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(100, ct);
            }
            catch (IOException)
            {
                throw new EmbeddedPostgresException($"Another process has been starting PostgreSQL in {Path.GetDirectoryName(path)} for a minute: try again, or choose another folder with --data-dir.");
            }
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using CareerPath.Server.Tests.Hosting;

namespace CareerPath.Server.Tests.Chaos;

/// <summary>What happened when: kills, database faults, the SMTP outage. Duplicates are attributed against it.</summary>
public sealed class ChaosLog
{
    public sealed record FaultEvent(DateTimeOffset At, string Kind, string What);

    readonly List<FaultEvent> _faults = [];
    readonly List<string> _failures = [];
    readonly List<string> _notes = [];

    public void Fault(string kind, string what) { lock (_faults) _faults.Add(new(TimeProvider.System.GetUtcNow(), kind, what)); }
    public void Fail(string message) { lock (_failures) _failures.Add(message); }
    public void Note(string message) { lock (_notes) _notes.Add($"{TimeProvider.System.GetUtcNow():HH:mm:ss} {message}"); }

    public IReadOnlyList<FaultEvent> Faults { get { lock (_faults) return _faults.ToList(); } }
    public IReadOnlyList<string> Failures { get { lock (_failures) return _failures.ToList(); } }
    public IReadOnlyList<string> Notes { get { lock (_notes) return _notes.ToList(); } }
}

/// <summary>
/// Several CareerPath server processes (the real executable) on one database: started, SIGKILLed
/// and started again. A node counts as up once /health answers Healthy; the driver prefers those.
/// </summary>
public sealed class ChaosNodes(string[] commonArgs, Func<int, string[]> nodeArgs, ChaosLog log) : IAsyncDisposable
{
    public sealed class Node(int index, string url)
    {
        public int Index { get; } = index;
        public string Url { get; } = url;
        public ServerProcess? Process { get; set; }
        public volatile bool Healthy;
        public int Starts;
    }

    static readonly HttpClient Health = new() { Timeout = TimeSpan.FromSeconds(5) };
    readonly List<Node> _nodes = [];
    readonly List<Task> _restarts = [];
    readonly List<string> _lastOutputs = [];
    public int Kills { get; private set; }

    public IReadOnlyList<Node> Nodes => _nodes;

    public Node Add()
    {
        var node = new Node(_nodes.Count, $"http://127.0.0.1:{ServerProcess.FreePort()}");
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts the node and waits for Healthy; a start that fails (the database away) is tried again.</summary>
    public async Task StartAsync(Node node, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            node.Healthy = false;
            node.Starts++;
            node.Process = ServerProcess.Start([.. commonArgs, .. nodeArgs(node.Index), "--urls", node.Url]);
            while (deadline.Elapsed < within && !node.Process.HasExited)
            {
                if (await IsHealthyAsync(node.Url))
                {
                    node.Healthy = true;
                    return;
                }
                await Task.Delay(250);
            }
            if (node.Process.HasExited)
            {
                Remember(node);
                await node.Process.DisposeAsync();
                await Task.Delay(1000);
            }
        }
        log.Fail($"node {node.Index} was not Healthy within {within.TotalSeconds:0} s of being started (starts: {node.Starts}); last output:\n{Tail(node.Process?.Output)}");
    }

    /// <summary>Healthy: PostgreSQL answers and a Hangfire server has reported in (on the machine's clock, whatever the shared clock says).</summary>
    public static async Task<bool> IsHealthyAsync(string url)
    {
        try
        {
            var response = await Health.GetAsync($"{url}/health");
            var status = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && status == "Healthy";
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    /// <summary>SIGKILL, as the kernel's OOM killer or a power cut would: no shutdown code runs. Then started again in the background.</summary>
    public async Task KillAndRestartAsync(Node node, TimeSpan restartWithin)
    {
        var process = node.Process!;
        node.Healthy = false;
        if (Kill(process.Id, 9) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill -9 {process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        Kills++;
        log.Fault("kill", $"node {node.Index} (pid {process.Id})");
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Remember(node);
        await process.DisposeAsync();
        lock (_restarts) _restarts.Add(Task.Run(() => StartAsync(node, restartWithin)));
    }

    public async Task WaitForRestartsAsync()
    {
        Task[] pending;
        lock (_restarts) pending = _restarts.ToArray();
        await Task.WhenAll(pending);
    }

    /// <summary>A node to send to: a healthy one, turning with the attempt number, else any that runs.</summary>
    public Node? Pick(int attempt)
    {
        var healthy = _nodes.Where(n => n.Healthy).ToList();
        if (healthy.Count > 0) return healthy[attempt % healthy.Count];
        var running = _nodes.Where(n => n.Process is { HasExited: false }).ToList();
        return running.Count > 0 ? running[attempt % running.Count] : null;
    }

    public string Outputs()
    {
        lock (_lastOutputs)
            return string.Join("\n", _lastOutputs.TakeLast(3).Concat(_nodes.Select(n => $"--- node {n.Index} (running)\n{Tail(n.Process?.Output)}")));
    }

    void Remember(Node node)
    {
        lock (_lastOutputs) _lastOutputs.Add($"--- node {node.Index} (stopped)\n{Tail(node.Process?.Output)}");
    }

    static string Tail(string? output) => output is null ? "" : string.Join('\n', output.Split('\n').TakeLast(25));

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        try { await WaitForRestartsAsync(); }
        catch (Exception) { /* reported through the log already */ }
        // Not the cluster's owner first: the owner stops the embedded PostgreSQL when it goes.
        foreach (var node in _nodes.AsEnumerable().Reverse())
            if (node.Process is { } p) await p.DisposeAsync();
    }
}

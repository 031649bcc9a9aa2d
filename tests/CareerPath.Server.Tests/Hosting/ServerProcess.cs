using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>The real executable, run as an operator runs it: a process with arguments and signals.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    static string ServerDll => Path.Combine(AppContext.BaseDirectory, "CareerPath.Server.dll");

    public static ServerProcess Start(params string[] args)
    {
        // Through env --default-signal=INT: a test run started in the background (test.sh's workers, a CI runner) inherits
        // SIGINT ignored, as Unix does for background jobs, and .NET keeps an inherited SIGINT ignored. The server would then
        // never see the Ctrl-C a test sends it, where an operator's terminal delivers it. env resets it, then runs dotnet in its place.
        var psi = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", ServerDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // The tests choose the database explicitly; an inherited one would hide the embedded path.
        psi.Environment.Remove("ConnectionStrings__CareerPath");
        return new ServerProcess(Process.Start(psi)!);
    }

    /// <summary>Runs a verb to completion.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using var process = Start(args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process._process.WaitForExitAsync(timeout.Token);
        process._process.WaitForExit(); // flushes the asynchronous output readers
        return (process.ExitCode, process.Output);
    }

    /// <summary>Sends INT (Ctrl-C) or TERM, through libc: a slim machine may have no kill program.</summary>
    public Task SignalAsync(string signal)
    {
        var number = signal switch { "INT" => 2, "TERM" => 15, _ => throw new ArgumentOutOfRangeException(nameof(signal)) };
        if (Kill(_process.Id, number) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        return Task.CompletedTask;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await SignalAsync("TERM");
            try { await WaitForExitAsync(TimeSpan.FromSeconds(30)); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }
}

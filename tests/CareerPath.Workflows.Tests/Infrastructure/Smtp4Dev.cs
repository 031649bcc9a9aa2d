using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using MimeKit;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for the tests: the dotnet tool Rnwood.Smtp4dev of the repository's tool
/// manifest (./test.sh runs `dotnet tool restore`), on free loopback ports, with an in-memory
/// store, read back through its HTTP API. It can be stopped and started again on the same ports.
/// </summary>
public sealed class Smtp4Dev : IAsyncDisposable
{
    readonly HttpClient _http;
    Process? _process;

    Smtp4Dev(int smtpPort, int webPort)
    {
        SmtpPort = smtpPort;
        WebPort = webPort;
        // A minute per call: on a saturated machine smtp4dev answers late, and a late answer is not a failure.
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int SmtpPort { get; }
    public int WebPort { get; }

    public static async Task<Smtp4Dev> StartAsync()
    {
        var server = new Smtp4Dev(FreePort(), FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var psi = new ProcessStartInfo("dotnet", ["tool", "run", "smtp4dev", "--", $"--smtpport={SmtpPort}", $"--urls=http://127.0.0.1:{WebPort}",
            "--db=", "--imapport=", "--pop3port=", "--nousersettings", "--messagestokeep=1000", "--hostname=localhost"])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(psi)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        // A .NET server starting beside three test projects on two cores can take most of a minute: wait for it, not for a guess.
        while (deadline.Elapsed < TimeSpan.FromSeconds(180))
        {
            if (_process.HasExited) throw new InvalidOperationException($"smtp4dev exited with {_process.ExitCode}: is the tool restored (dotnet tool restore)?");
            try
            {
                if ((await _http.GetAsync("/api/messages")).IsSuccessStatusCode && SmtpAnswers()) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("smtp4dev did not start within 180 s");
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public sealed record Received(string Id, DateTimeOffset ReceivedDate, MimeMessage Message);

    sealed record Summary([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("receivedDate")] DateTimeOffset ReceivedDate);

    sealed record Page([property: JsonPropertyName("results")] List<Summary> Results);

    /// <summary>Every message the server holds, in the order it received them.</summary>
    public async Task<List<Received>> MessagesAsync()
    {
        var page = await _http.GetFromJsonAsync<Page>("/api/messages?pageSize=1000");
        var received = new List<Received>();
        foreach (var summary in page!.Results)
        {
            await using var raw = await _http.GetStreamAsync($"/api/messages/{summary.Id}/raw");
            received.Add(new Received(summary.Id, summary.ReceivedDate, await MimeMessage.LoadAsync(raw)));
        }
        return received.OrderBy(r => r.ReceivedDate).ToList();
    }

    bool SmtpAnswers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, SmtpPort);
            return true;
        }
        catch (SocketException) { return false; }
    }


    /// <summary>A loopback port free right now (for servers the tests start, or to have one nobody listens on).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
    }
}

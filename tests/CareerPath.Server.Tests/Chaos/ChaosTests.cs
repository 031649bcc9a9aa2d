using CareerPath.Workflows.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CareerPath.Server.Tests.Chaos;

/// <summary>
/// The chaos suite (RELIABILITY.md): several real server processes on one database, keyed signals
/// and timers under SIGKILLs, a database fault and a long SMTP outage; nothing may be lost or
/// doubled. Small here (./test.sh); ./chaos.sh --size large runs the same tests bigger. The
/// figures go to the test output and, when CAREERPATH_CHAOS_REPORT names a file, to that file.
/// Each set-up is a class of its own, so that the two runs (mostly waits for nodes to start again) overlap.
/// </summary>
public abstract class ChaosTests(ITestOutputHelper output)
{
    protected async Task RunAsync(Func<string, Task<ChaosDatabase>> open)
    {
        var size = ChaosSize.FromEnvironment();
        var folder = Path.Combine(Path.GetTempPath(), $"careerpath-chaos-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string report;
        IReadOnlyList<string> failures;
        string outputs;
        try
        {
            await using var smtp = await Smtp4Dev.StartAsync();
            await using var database = await open(folder);
            await using var run = new ChaosRun(size, database, smtp, Path.Combine(folder, "run"));
            report = await run.RunAsync();
            failures = run.Log.Failures;
            outputs = failures.Count > 0 ? run.NodeOutputs() : "";
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }

        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable("CAREERPATH_CHAOS_REPORT") is { Length: > 0 } file)
            await File.AppendAllTextAsync(file, report + Environment.NewLine);
        Assert.True(failures.Count == 0, $"{report}\nLast lines of the nodes:\n{outputs}");
    }
}

public sealed class ChaosOnConfiguredPostgresTests(ITestOutputHelper output) : ChaosTests(output)
{
    [Fact]
    public Task Nodes_on_a_configured_postgres_lose_and_double_nothing_through_kills_a_postgres_restart_and_an_smtp_outage() =>
        RunAsync(folder => ConfiguredPostgres.StartAsync(Path.Combine(folder, "postgres")).ContinueWith(t => (ChaosDatabase)t.Result));
}

public sealed class ChaosOnEmbeddedFolderTests(ITestOutputHelper output) : ChaosTests(output)
{
    [Fact]
    public Task Nodes_on_one_embedded_folder_lose_and_double_nothing_through_kills_a_killed_postmaster_and_an_smtp_outage() =>
        RunAsync(folder => Task.FromResult<ChaosDatabase>(new EmbeddedFolder(Path.Combine(folder, "data"))));
}

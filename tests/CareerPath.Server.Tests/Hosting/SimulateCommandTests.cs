using System.Text.Json;

namespace CareerPath.Server.Tests.Hosting;

public sealed class SimulateCommandTests
{
    /// <summary>
    /// What is checked holds at any size (every instance closes, the records match, a seed replays exactly), so the
    /// program is small: 40 advisors of seed 7 already end in six kinds of outcome and four kinds of decision, with
    /// renewals, early ends and missed notice deadlines. The program days are the same at any size; the large runs
    /// are the benchmarks' (BENCHMARKS.md), not the test suite's.
    /// </summary>
    const int Advisors = 40;

    [Fact]
    public async Task Simulating_a_program_closes_every_instance_and_the_same_seed_gives_the_same_outcomes()
    {
        var folder = Directory.CreateTempSubdirectory("careerpath-simulate-test-").FullName;
        try
        {
            var first = await RunAsync(Path.Combine(folder, "first.csv"));
            var second = await RunAsync(Path.Combine(folder, "second.csv"));
            Check(first, second);
            // Contract by contract, not only in total: the same lines, each naming its advisor and what became of the contract.
            var lines = await File.ReadAllLinesAsync(Path.Combine(folder, "first.csv"));
            Assert.Equal(first.GetProperty("report").GetProperty("recordsChecked").GetInt32(), lines.Length);
            Assert.All(lines, line => Assert.True(Guid.TryParse(line.Split(',')[0], out _), line));
            Assert.Equal(lines, await File.ReadAllLinesAsync(Path.Combine(folder, "second.csv")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static void Check(JsonElement first, JsonElement second)
    {
        var report = first.GetProperty("report");
        Assert.Equal(Advisors, report.GetProperty("advisors").GetInt32());
        var outcomes = report.GetProperty("outcomes").EnumerateObject().ToDictionary(o => o.Name, o => o.Value.GetInt32());
        Assert.Equal(Advisors, outcomes.Values.Sum());
        Assert.True(outcomes.Count >= 4, "a program has more than a few kinds of outcome");
        Assert.Equal(0, report.GetProperty("openInstances").GetInt64());
        // The records the engine wrote say what the instances say.
        Assert.True(report.GetProperty("recordsChecked").GetInt32() >= Advisors);
        Assert.Equal(0, report.GetProperty("recordsDifferences").GetInt32());
        Assert.True(report.GetProperty("transitions").GetInt64() > Advisors * 10);
        Assert.True(report.GetProperty("timersFired").GetInt64() > 0);
        Assert.True(report.GetProperty("emails").GetInt64() > 0);

        // Same seed, same program: every count but the wall-clock figures.
        foreach (var name in new[] { "outcomes", "decisions", "transitions", "timersFired", "emails", "earlyEnds", "trialFailures", "noticeDeadlinesMissed", "missingCertifications" })
            Assert.Equal(report.GetProperty(name).GetRawText(), second.GetProperty("report").GetProperty(name).GetRawText());
    }

    [Fact]
    public async Task A_simulation_stopped_by_TERM_stops_its_own_PostgreSQL_and_removes_its_folder()
    {
        await using var run = ServerProcess.Start("simulate", "--advisors", "2000", "--seed", "7");
        // The throw-away cluster is up once it logs its start: the simulation is running from then on.
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!run.Output.Contains("Started PostgreSQL") && !run.HasExited && started.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(200);
        var folder = System.Text.RegularExpressions.Regex.Match(run.Output, @"Initialised a PostgreSQL cluster in (\S+)/pgdata").Groups[1].Value;
        Assert.True(folder.Length > 0 && Directory.Exists(folder), run.Output);

        await run.SignalAsync("TERM");
        var code = await run.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(130, code);
        Assert.Contains("simulate: interrupted", run.Output);
        Assert.False(Directory.Exists(folder), $"{folder} left behind");
    }

    [Fact]
    public async Task Simulate_without_advisors_is_refused_with_a_message()
    {
        var (code, output) = await ServerProcess.RunAsync("simulate", "--seed", "7");

        Assert.Equal(2, code);
        Assert.Contains("--advisors N is required", output);
    }

    [Fact]
    public async Task Simulate_with_outcomes_in_a_missing_folder_is_refused_before_it_starts()
    {
        var (code, output) = await ServerProcess.RunAsync("simulate", "--advisors", "1", "--outcomes", "/nonexistent-folder/outcomes.csv");

        Assert.Equal(2, code);
        Assert.Contains("/nonexistent-folder does not exist", output);
    }

    static async Task<JsonElement> RunAsync(string outcomes)
    {
        var (code, output) = await ServerProcess.RunAsync("simulate", "--advisors", Advisors.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "7", "--json",
            "--outcomes", outcomes);
        Assert.True(code == 0, output);
        var json = output.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}

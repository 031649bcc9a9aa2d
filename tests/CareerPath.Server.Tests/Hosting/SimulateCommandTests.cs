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
        var first = await RunAsync();
        var second = await RunAsync();

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
    public async Task Simulate_without_advisors_is_refused_with_a_message()
    {
        var (code, output) = await ServerProcess.RunAsync("simulate", "--seed", "7");

        Assert.Equal(2, code);
        Assert.Contains("--advisors N is required", output);
    }

    static async Task<JsonElement> RunAsync()
    {
        var (code, output) = await ServerProcess.RunAsync("simulate", "--advisors", Advisors.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "7", "--json");
        Assert.True(code == 0, output);
        var json = output.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}

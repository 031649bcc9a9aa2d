using System.Text.Json;

namespace CareerPath.Server.Tests.Hosting;

public sealed class SimulateCommandTests
{
    [Fact]
    public async Task Simulating_200_advisors_closes_every_instance_and_the_same_seed_gives_the_same_outcomes()
    {
        var first = await RunAsync();
        var second = await RunAsync();

        var report = first.GetProperty("report");
        Assert.Equal(200, report.GetProperty("advisors").GetInt32());
        var outcomes = report.GetProperty("outcomes").EnumerateObject().ToDictionary(o => o.Name, o => o.Value.GetInt32());
        Assert.Equal(200, outcomes.Values.Sum());
        Assert.True(outcomes.Count >= 4, "a program has more than a few kinds of outcome");
        Assert.Equal(0, report.GetProperty("openInstances").GetInt64());
        // The records the engine wrote say what the instances say.
        Assert.True(report.GetProperty("recordsChecked").GetInt32() >= 200);
        Assert.Equal(0, report.GetProperty("recordsDifferences").GetInt32());
        Assert.True(report.GetProperty("transitions").GetInt64() > 200 * 10);
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
        var (code, output) = await ServerProcess.RunAsync("simulate", "--advisors", "200", "--seed", "7", "--json");
        Assert.True(code == 0, output);
        var json = output.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}

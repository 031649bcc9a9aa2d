using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class ThematicModulesTests
{
    [Theory]
    [InlineData("2024-03-04", "2027-06-30", new[] { "2025-03-04", "2026-12-31" })]
    [InlineData("2024-03-04", "2028-12-31", new[] { "2025-03-04", "2026-12-31", "2027-12-31", "2028-12-29" })] // 31 Dec 2028 is a Sunday
    [InlineData("2024-02-29", "2025-12-31", new[] { "2025-02-28" })] // leap-day start
    [InlineData("2024-07-14", "2025-12-31", new[] { "2025-07-11" })] // 14 July 2025, Monday
    [InlineData("2025-01-13", "2026-01-05", new string[0])] // contract ends before the first deadline
    public void TrainingThematicModules_schedule(string trainingStart, string until, string[] expected)
    {
        var schedule = ThematicModules.Schedule(D(trainingStart), D(until));
        Assert.Equal(expected.Select(D), schedule.Select(d => d.Deadline.Date));
        Assert.All(schedule, d => Assert.Equal("training.thematic-modules", d.Deadline.RuleId));
    }

    [Fact]
    public void TrainingThematicModules_two_in_the_first_year_then_one_per_year() =>
        Assert.Equal(new[] { 2, 1, 1, 1 }, ThematicModules.Schedule(D("2024-03-04"), D("2028-12-31")).Select(d => d.Required));

    [Theory]
    [InlineData(new[] { "2024-06-01", "2025-01-10", "2026-05-05", "2027-12-31" }, 1)] // 2028 missing
    [InlineData(new[] { "2024-06-01", "2025-06-01", "2026-02-02", "2026-03-03" }, 3)] // 1 in year one; none in 2027, 2028
    [InlineData(new[] { "2024-06-01", "2024-06-01" }, 3)] // two modules on the same day both count
    [InlineData(new string[0], 5)]
    public void TrainingThematicModules_counts_missing_modules(string[] completed, int missing)
    {
        var schedule = ThematicModules.Schedule(D("2024-03-04"), D("2028-12-31"));
        Assert.Equal(missing, ThematicModules.CountMissing(schedule, completed.Select(D)));
    }
}

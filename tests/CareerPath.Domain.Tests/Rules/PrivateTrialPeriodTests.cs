using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class PrivateTrialPeriodTests
{
    [Theory]
    [InlineData("2025-01-01", "2025-03-31", "2025-01-12")] // 12 weeks → 12 calendar days, a Sunday, not moved
    [InlineData("2025-01-01", "2025-06-30", "2025-01-14")] // 6 months: 25 days capped at 2 weeks
    [InlineData("2025-01-01", "2025-07-31", "2025-01-30")] // 7 months: 30 days, under the 1-month cap
    [InlineData("2025-01-01", "2025-12-31", "2025-01-31")] // 52 days capped at 1 month
    [InlineData("2024-01-31", "2024-12-31", "2024-02-28")] // cap: 31 Jan + 1 month = 29 Feb, minus 1 day
    [InlineData("2025-03-03", "2025-03-09", "2025-03-03")] // 1 week → 1 day
    public void TrialPrivateCdd_one_calendar_day_per_week_with_caps(string start, string end, string expected)
    {
        var deadline = PrivateTrialPeriod.CddEnd(D(start), D(end));
        Assert.Equal(D(expected), deadline?.Date);
        Assert.Equal("trial.private-cdd", deadline?.RuleId);
    }

    [Theory]
    [InlineData("2025-01-15", "2025-03-14")]
    [InlineData("2024-12-31", "2025-02-27")] // 31 Dec + 2 months clamps to 28 Feb; the period ends the day before
    public void TrialPrivateCdi_is_two_months(string start, string expected)
    {
        var deadline = PrivateTrialPeriod.CdiEnd(D(start));
        Assert.Equal(D(expected), deadline.Date);
        Assert.Equal("trial.private-cdi", deadline.RuleId);
    }
}

using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class PublicTrialPeriodTests
{
    [Theory]
    [InlineData("2025-04-14", "2025-07-13", "2025-05-02")] // 13 weeks → 13 working days, skipping Easter Monday and 1 May; cap 3 weeks (2025-05-04)
    [InlineData("2025-05-01", "2025-05-31", "2025-05-07")] // 4 weeks → 4 working days; the start is a holiday
    [InlineData("2025-05-05", "2025-06-15", "2025-05-13")] // 6 weeks → 6 working days, skipping 8 May
    [InlineData("2025-03-03", "2025-09-02", "2025-04-02")] // 6 months: 26 working days (2025-04-07) capped at 1 month
    [InlineData("2025-01-06", "2026-01-05", "2025-03-05")] // 1 year: 52 working days (2025-03-18) capped at 2 months
    [InlineData("2025-01-01", "2026-12-31", "2025-03-31")] // 2 years: capped at 3 months
    public void TrialPublic_one_working_day_per_week_with_caps(string start, string end, string expected)
    {
        var deadline = PublicTrialPeriod.End(D(start), D(end));
        Assert.NotNull(deadline);
        Assert.Equal(D(expected), deadline.Date);
        Assert.Equal(deadline.UnadjustedDate, deadline.Date);
        Assert.Equal("trial.public", deadline.RuleId);
    }

    [Theory]
    [InlineData("2025-01-15", "2025-04-14")]
    [InlineData("2024-02-29", "2024-05-28")]
    public void TrialPublic_cdi_is_three_months(string start, string expected) =>
        Assert.Equal(D(expected), PublicTrialPeriod.End(D(start), null)?.Date);

    [Fact]
    public void TrialPublic_none_for_a_contract_shorter_than_a_week() =>
        Assert.Null(PublicTrialPeriod.End(D("2025-05-05"), D("2025-05-10")));
}

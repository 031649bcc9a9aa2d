using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class ContractMilestonesTests
{
    [Fact]
    public void ContractStart_is_the_signed_start_even_on_a_sunday()
    {
        var start = ContractMilestones.Start(PrivateCdd("2026-03-01", "2027-02-28"));
        Assert.Equal(D("2026-03-01"), start.Date);
        Assert.Equal("contract.start", start.RuleId);
    }

    [Theory]
    [InlineData("2024-01-31", "2024-02-29")] // leap year, month-end clamping, a Thursday
    [InlineData("2025-04-01", "2025-04-30")] // 1 May 2025 is Labour Day
    [InlineData("2025-12-01", "2025-12-31")] // 1 January 2026 is New Year's Day
    [InlineData("2026-01-28", "2026-02-27")] // 28 February 2026 is a Saturday
    public void TrainingStartDue_one_month_after_hiring_on_the_previous_working_day(string start, string expected)
    {
        var due = ContractMilestones.TrainingStartDue(PrivateCdd(start, "2027-12-31"));
        Assert.Equal(D(expected), due.Date);
        Assert.Equal("training.start-due", due.RuleId);
        Assert.Contains("plus 1 mois", due.Describe());
    }
}

using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class MidContractReviewRuleTests
{
    [Theory]
    [InlineData("2025-01-01", "2025-12-31", "2025-07-02")]
    [InlineData("2024-01-01", "2025-12-31", "2024-12-31")]
    [InlineData("2025-01-01", "2025-06-30", "2025-04-01")]
    [InlineData("2025-01-01", "2026-01-25", "2025-07-11")] // midpoint 14 July → Friday 11
    public void ReviewMidContract_at_mid_term_on_a_working_day(string start, string end, string expected)
    {
        var deadline = MidContractReviewRule.Compute(D(start), D(end));
        Assert.Equal(D(expected), deadline.Date);
        Assert.Equal("review.mid-contract", deadline.RuleId);
    }
}

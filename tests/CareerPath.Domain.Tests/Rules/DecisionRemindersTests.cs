using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class DecisionRemindersTests
{
    private static Deadline Anchor(string date) =>
        new("notice.public-contract", "Échéance", D(date), D(date), new Explanation(PublicContractNotice.Rule, [], []));

    [Theory]
    [InlineData("2025-11-28", new[] { "2025-09-29", "2025-10-29", "2025-11-21" })]
    [InlineData("2025-12-31", new[] { "2025-10-31", "2025-12-01", "2025-12-24" })] // 1 Nov: Saturday and Toussaint
    public void DecisionReminders_at_60_30_and_7_days_before(string anchor, string[] expected)
    {
        var reminders = DecisionReminders.Compute(Anchor(anchor));
        Assert.Equal(expected.Select(D), reminders.Select(r => r.Date));
        Assert.Equal(new[] { "decision.reminders:60", "decision.reminders:30", "decision.reminders:7" }, reminders.Select(r => r.Key));
    }

    [Fact]
    public void DecisionReminders_offsets_are_configurable()
    {
        var reminders = DecisionReminders.Compute(Anchor("2025-12-31"), [1, 14]);
        Assert.Equal(new[] { D("2025-12-17"), D("2025-12-30") }, reminders.Select(r => r.Date));
        Assert.Equal("Rappel J-14 : Échéance", reminders[0].Label);
    }

    [Fact]
    public void DecisionReminders_reject_a_non_positive_offset() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DecisionReminders.Compute(Anchor("2025-12-31"), [0]));
}

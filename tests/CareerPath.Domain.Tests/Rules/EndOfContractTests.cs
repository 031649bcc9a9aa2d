using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class EndOfContractTests
{
    [Fact]
    public void ContractEnd_follows_amendments_and_is_not_moved()
    {
        var contract = PrivateCdd("2025-01-01", "2025-06-30") with { Amendments = [Amendment("2025-06-01", "2025-08-31")] };
        var end = EndOfContract.ContractEnd(contract);
        Assert.Equal(D("2025-08-31"), end?.Date); // a Sunday: the contract still ends that day
        Assert.Equal("contract.end", end?.RuleId);
    }

    [Fact]
    public void ContractEnd_is_the_early_termination_date() =>
        Assert.Equal(D("2025-05-15"), EndOfContract.ContractEnd(PrivateCdd("2025-01-01", "2025-12-31") with
        {
            EarlyTermination = new(D("2025-05-15"), TerminationReason.Resignation),
        })?.Date);

    [Fact]
    public void ContractEnd_none_for_a_running_cdi() =>
        Assert.Null(EndOfContract.ContractEnd(NewContract(ContractType.Cdi, LegalRegime.Private, "2025-01-01", null)));

    [Theory]
    [InlineData("2025-12-31", "2026-06-30", "2026-12-31")]
    [InlineData("2025-08-31", "2026-02-27", "2026-08-31")] // 28 Feb 2026 is a Saturday
    public void FollowUp6And12Months_after_the_end(string end, string sixMonths, string twelveMonths)
    {
        var followUps = EndOfContract.FollowUps(D(end));
        Assert.Equal(new[] { D(sixMonths), D(twelveMonths) }, followUps.Select(f => f.Date));
        Assert.Equal(new[] { "followup.6-months", "followup.12-months" }, followUps.Select(f => f.RuleId));
    }
}

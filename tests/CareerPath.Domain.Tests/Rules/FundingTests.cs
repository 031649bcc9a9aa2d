using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class FundingTests
{
    private static GrantConvention Convention(string start, string end) =>
        new(Guid.NewGuid(), FundingSource.State, ConventionWave.Renewal2023, 42_500m, D(start), D(end), []);

    [Theory]
    [InlineData(LegalRegime.Public, "2021-04-01", "2023-03-31")] // 24 months
    [InlineData(LegalRegime.Private, "2021-04-01", "2022-09-30")] // 18 months
    public void FundingStandardConvention_first_wave_is_50000_over_24_or_18_months(LegalRegime regime, string start, string end)
    {
        var convention = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.FirstWave, regime, D(start));
        Assert.Equal(50_000m, convention.Amount);
        Assert.Equal(D(end), convention.End);
        Assert.Equal(new Tranche(50_000m, D(start)), Assert.Single(convention.Tranches));
        Assert.Empty(convention.Validate());
    }

    [Theory]
    [InlineData(LegalRegime.Public, 42_500, 17_500, 12_500, 12_500)]
    [InlineData(LegalRegime.Private, 44_000, 20_000, 14_000, 10_000)]
    public void FundingStandardConvention_renewal_pays_one_tranche_a_year_over_36_months(LegalRegime regime, int total, int year1, int year2, int year3)
    {
        var convention = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, regime, D("2023-10-01"));
        Assert.Equal(total, convention.Amount);
        Assert.Equal(D("2026-09-30"), convention.End);
        Assert.Equal(
            new[] { new Tranche(year1, D("2023-10-01")), new Tranche(year2, D("2024-10-01")), new Tranche(year3, D("2025-10-01")) },
            convention.Tranches);
    }

    [Theory]
    [InlineData("2026-09-30", "2026-09-30")]
    [InlineData("2026-05-31", "2026-05-29")] // Sunday
    public void FundingEnd_is_the_convention_end_on_a_working_day(string end, string expected) =>
        Assert.Equal(D(expected), FundingDeadlines.End(Convention("2023-06-01", end)).Date);

    [Theory]
    [InlineData("2026-09-30", "2026-07-02")]
    [InlineData("2025-12-31", "2025-10-02")]
    public void FundingEndingAlert_is_90_days_before_the_end(string end, string expected)
    {
        var alert = FundingDeadlines.EndingAlert(Convention("2023-06-01", end));
        Assert.Equal(D(expected), alert.Date);
        Assert.Equal("funding.ending-alert", alert.RuleId);
    }

    [Fact]
    public void FundingTranches_are_deadlines_on_working_days()
    {
        var convention = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, LegalRegime.Public, D("2023-10-01"));
        var tranches = FundingDeadlines.Tranches(convention);
        Assert.Equal(new[] { D("2023-09-29"), D("2024-10-01"), D("2025-10-01") }, tranches.Select(t => t.Date)); // 1 Oct 2023 is a Sunday
        Assert.Equal("Versement attendu : tranche 1 (17 500 €)", tranches[0].Label);
        Assert.All(tranches, t => Assert.Equal("funding.tranches", t.RuleId));
    }

    [Fact]
    public void FundingTranches_received_are_no_longer_awaited_and_the_others_keep_their_number()
    {
        var convention = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, LegalRegime.Public, D("2023-10-01"));
        var received = convention with
        {
            Tranches = [convention.Tranches[0], convention.Tranches[1] with { ReceivedOn = D("2024-09-20") }, convention.Tranches[2]],
        };
        var tranches = FundingDeadlines.Tranches(received);
        Assert.Equal(new[] { D("2023-09-29"), D("2025-10-01") }, tranches.Select(t => t.Date));
        Assert.Equal(FundingDeadlines.Tranches(convention)[2].Key, tranches[1].Key);
        Assert.StartsWith("Versement attendu : tranche 3", tranches[1].Label);
    }

    [Theory]
    [InlineData("2025-03-31", "2025-06-30")]
    [InlineData("2024-11-30", "2025-02-28")] // month-end clamp
    [InlineData("2025-04-14", "2025-07-11")] // 14 July
    public void RecruitmentDeadline_is_three_months_after_the_grant(string start, string expected) =>
        Assert.Equal(D(expected), StaffingDeadlines.Recruitment(Convention(start, "2027-12-31")).Date);

    [Theory]
    [InlineData("2025-03-31", "2025-06-30")]
    [InlineData("2025-02-01", "2025-04-30")] // 1 May
    [InlineData("2023-11-30", "2024-02-29")] // leap year
    public void RefillDeadline_is_three_months_after_the_contract_ends(string contractEnd, string expected)
    {
        var deadline = StaffingDeadlines.Refill(D(contractEnd));
        Assert.Equal(D(expected), deadline.Date);
        Assert.Equal("refill.deadline", deadline.RuleId);
    }
}

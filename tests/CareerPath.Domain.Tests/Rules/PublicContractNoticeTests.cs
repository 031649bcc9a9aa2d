using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class PublicContractNoticeTests
{
    [Theory]
    [InlineData("2025-03-01", "2025-07-22", false, false, "2025-07-11", "8 jours")] // 14 July is a Monday: back to Friday 11
    [InlineData("2025-01-01", "2025-06-29", false, false, "2025-06-20", "8 jours")] // 5 months 29 days; 21 June is a Saturday
    [InlineData("2025-01-01", "2025-06-30", false, false, "2025-05-30", "1 mois")] // exactly 6 months
    [InlineData("2025-01-01", "2025-12-31", false, false, "2025-11-28", "1 mois")] // 30 November is a Sunday
    [InlineData("2024-04-01", "2025-03-31", false, false, "2025-02-28", "1 mois")] // 31 March - 1 month clamps to 28 February
    [InlineData("2023-04-01", "2024-03-31", false, false, "2024-02-29", "1 mois")] // leap year
    [InlineData("2024-01-01", "2025-12-31", false, false, "2025-10-31", "2 mois")]
    [InlineData("2024-05-01", "2026-04-30", false, false, "2026-02-27", "2 mois")] // 28 February 2026 is a Saturday
    [InlineData("2025-01-01", "2025-12-31", true, false, "2025-09-30", "3 mois")] // renewal could be a CDI
    [InlineData("2025-03-01", "2025-07-22", false, true, "2025-07-04", "16 jours")] // doubled 8 days; 6 July is a Sunday
    [InlineData("2025-01-01", "2025-12-31", false, true, "2025-10-31", "2 mois")] // doubled 1 month
    [InlineData("2024-01-01", "2025-12-31", false, true, "2025-08-29", "4 mois")] // doubled 2 months; 31 August is a Sunday
    [InlineData("2025-01-01", "2025-12-31", true, true, "2025-06-30", "6 mois")] // doubled 3 months
    public void NoticePublicContract_depends_on_length_cdi_and_disability(
        string start, string end, bool couldBeCdi, bool disabled, string expected, string period)
    {
        var notice = PublicContractNotice.Compute(PublicCdd(start, end), [], disabled, couldBeCdi);

        Assert.Equal(D(expected), notice.Deadline.Date);
        Assert.Equal(period, notice.NoticePeriod.Describe());
        Assert.Equal(couldBeCdi, notice.RequiresEntretienPrealable);
        Assert.Equal("notice.public-contract", notice.Deadline.RuleId);
    }

    public static TheoryData<Contract[], string, string> Chains()
    {
        var current = PublicCdd("2025-01-01", "2025-04-30");
        return new()
        {
            // Interruption of 3 months 29 days (2024-09-03..2024-12-31): 6 months + 4 months = 10 months → 1 month; 30 March is a Sunday.
            { [PublicCdd("2024-03-03", "2024-09-02"), current], "2025-03-28", "10 mois" },
            // Interruption of exactly 4 months (2024-09-01..2024-12-31) breaks the chain: 4 months alone → 8 days.
            { [PublicCdd("2024-03-01", "2024-08-31"), current], "2025-04-22", "4 mois" },
            // The same short interruption, but caused by the agent's resignation, breaks it too.
            { [PublicCdd("2024-03-03", "2024-12-31") with { EarlyTermination = new(D("2024-09-02"), TerminationReason.Resignation) }, current], "2025-04-22", "4 mois" },
            // Only the latest unbroken chain counts: 2022 is cut off by a gap of 5 months; 15 months 2 days + 4 months → 1 month.
            { [PublicCdd("2022-01-01", "2022-12-31"), PublicCdd("2023-06-01", "2024-09-02"), current], "2025-03-28", "1 an 7 mois 2 jours" },
            // Contiguous contracts merge into one span of 2 years → 2 months.
            { [PublicCdd("2023-01-01", "2023-12-31"), PublicCdd("2024-01-01", "2024-12-31")], "2024-10-31", "2 ans" },
        };
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void NoticePublicContract_cumulates_contracts_across_short_interruptions(Contract[] contracts, string expected, string cumulated)
    {
        var notice = PublicContractNotice.Compute(contracts[^1], contracts[..^1], hasRecognisedDisability: false, renewalCouldBeCdi: false);

        Assert.Equal(D(expected), notice.Deadline.Date);
        Assert.Equal(cumulated, notice.Service.Total.Describe());
    }

    [Fact]
    public void NoticePublicContract_explains_rule_inputs_and_each_step()
    {
        var deadline = PublicContractNotice.Compute(PublicCdd("2025-01-01", "2025-12-31"), [], false, renewalCouldBeCdi: true).Deadline;

        Assert.Equal(D("2025-09-30"), deadline.UnadjustedDate);
        Assert.Contains(new ExplanationInput("Durée cumulée", "1 an"), deadline.Explanation.Inputs);
        Assert.Contains("Un entretien préalable doit précéder la notification.", deadline.Explanation.Steps);
        Assert.Contains("entretien préalable obligatoire", deadline.Label);
        var text = deadline.Describe();
        Assert.StartsWith("Notifier le renouvellement ou non du contrat (entretien préalable obligatoire) : 2025-09-30 (mardi).", text);
        Assert.Contains("Décret n° 88-145 du 15 février 1988, art. 38-1", text);
        Assert.Contains("Terme du 2025-12-31 moins 3 mois : 2025-09-30.", text);
        Assert.Contains("son silence vaut renonciation à l'emploi", text);
    }

    [Fact]
    public void NoticePublicContract_tells_the_move_to_the_previous_working_day()
    {
        var deadline = PublicContractNotice.Compute(PublicCdd("2025-01-01", "2025-12-31"), [], false, false).Deadline;
        Assert.Equal("Le 2025-11-30 est un dimanche, le 2025-11-29 est un samedi : reporté au jour ouvré précédent, le 2025-11-28.", deadline.Explanation.Steps[^1]);
    }

    [Fact]
    public void NoticePublicContract_refuses_a_private_contract() =>
        Assert.Throws<DomainException>(() => PublicContractNotice.Compute(PrivateCdd("2025-01-01", "2025-12-31"), [], false, false));

    [Theory]
    [InlineData(72, 0, true)]
    [InlineData(71, 29, false)]
    [InlineData(80, 0, true)]
    public void CdiSixYears_renewal_could_be_cdi_from_six_years(int months, int days, bool expected) =>
        Assert.Equal(expected, PublicContractNotice.RenewalCouldBeCdi(new CalendarPeriod(months, days)));

    [Theory]
    [InlineData("2025-07-04", "2025-07-12")] // a Saturday, deliberately not moved
    [InlineData("2025-12-20", "2025-12-28")]
    public void NoticeAgentAnswer_is_eight_days_after_notification(string notifiedOn, string expected)
    {
        var deadline = PublicContractNotice.AgentAnswerDeadline(D(notifiedOn));
        Assert.Equal(D(expected), deadline.Date);
        Assert.Equal(deadline.UnadjustedDate, deadline.Date);
        Assert.Equal("notice.agent-answer", deadline.RuleId);
    }
}

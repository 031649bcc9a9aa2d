using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class PublicContractNoticeTests
{
    [Theory]
    [InlineData("2025-03-01", "2025-07-22", false, "2025-07-11", "8 jours")] // 14 July is a Monday: back to Friday 11
    [InlineData("2025-01-01", "2025-06-29", false, "2025-06-20", "8 jours")] // 5 months 29 days; 21 June is a Saturday
    [InlineData("2025-01-01", "2025-06-30", false, "2025-05-30", "1 mois")] // exactly 6 months
    [InlineData("2025-01-01", "2025-12-31", false, "2025-11-28", "1 mois")] // 30 November is a Sunday
    [InlineData("2024-04-01", "2025-03-31", false, "2025-02-28", "1 mois")] // 31 March - 1 month clamps to 28 February
    [InlineData("2023-04-01", "2024-03-31", false, "2024-02-29", "1 mois")] // leap year
    [InlineData("2024-01-01", "2025-12-31", false, "2025-10-31", "2 mois")]
    [InlineData("2024-05-01", "2026-04-30", false, "2026-02-27", "2 mois")] // 28 February 2026 is a Saturday
    [InlineData("2025-01-01", "2025-12-31", true, "2025-09-30", "3 mois")] // renewal could be a CDI
    public void NoticePublicContract_depends_on_length_and_cdi(string start, string end, bool couldBeCdi, string expected, string period)
    {
        var notice = PublicContractNotice.Compute(PublicCdd(start, end), [], couldBeCdi);

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
            // Interruption of exactly 4 months (2024-09-01..2024-12-31) "n'excède pas quatre mois": 6 + 4 months → 1 month.
            { [PublicCdd("2024-03-01", "2024-08-31"), current], "2025-03-28", "10 mois" },
            // Interruption of 4 months 1 day (2024-08-31..2024-12-31) breaks the chain: 4 months alone → 8 days.
            { [PublicCdd("2024-03-01", "2024-08-30"), current], "2025-04-22", "4 mois" },
            // Interruption of 5 months (2024-08-01..2024-12-31) breaks it too.
            { [PublicCdd("2024-02-01", "2024-07-31"), current], "2025-04-22", "4 mois" },
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
        var notice = PublicContractNotice.Compute(contracts[^1], contracts[..^1], renewalCouldBeCdi: false);

        Assert.Equal(D(expected), notice.Deadline.Date);
        Assert.Equal(cumulated, notice.Service.Total.Describe());
    }

    [Fact]
    public void NoticePublicContract_explains_rule_inputs_and_each_step()
    {
        var deadline = PublicContractNotice.Compute(PublicCdd("2025-01-01", "2025-12-31"), [], renewalCouldBeCdi: true).Deadline;

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
        var deadline = PublicContractNotice.Compute(PublicCdd("2025-01-01", "2025-12-31"), [], renewalCouldBeCdi: false).Deadline;
        Assert.Equal("Le 2025-11-30 est un dimanche, le 2025-11-29 est un samedi : reporté au jour ouvré précédent, le 2025-11-28.", deadline.Explanation.Steps[^1]);
    }

    [Fact]
    public void NoticePublicContract_refuses_a_private_contract() =>
        Assert.Throws<DomainException>(() => PublicContractNotice.Compute(PrivateCdd("2025-01-01", "2025-12-31"), [], renewalCouldBeCdi: false));

    [Fact]
    public void NoticePublicContract_rule_says_a_recognised_disability_does_not_double_it()
    {
        Assert.Contains("Ces délais ne sont pas doublés pour un agent handicapé", PublicContractNotice.Rule.Explanation);
        Assert.Contains("préavis de licenciement (art. 40)", PublicContractNotice.Rule.Explanation);
        var deadline = PublicContractNotice.Compute(PublicCdd("2025-01-01", "2025-12-31"), [], renewalCouldBeCdi: false).Deadline;
        Assert.DoesNotContain(deadline.Explanation.Inputs, i => i.Name.Contains("andicap", StringComparison.Ordinal));
        Assert.DoesNotContain(deadline.Explanation.Steps, s => s.Contains("doublé", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2022-01-01", "2024-12-31", true, true)] // 3 years on a permanent need
    [InlineData("2022-01-02", "2024-12-31", true, false)] // 2 years 11 months 30 days
    [InlineData("2022-01-01", "2024-12-31", false, false)] // 3 years, but not on a permanent need
    [InlineData("2022-01-01", "2024-12-31", null, true)] // 3 years, need not known: the entretien is planned
    public void NoticePublicContract_requires_an_entretien_prealable_from_three_years_on_a_permanent_need(
        string start, string end, bool? onPermanentNeed, bool required)
    {
        var notice = PublicContractNotice.Compute(PublicCdd(start, end), [], renewalCouldBeCdi: false, onPermanentNeed);

        Assert.Equal(required, notice.RequiresEntretienPrealable);
        Assert.Equal(required, notice.Deadline.Explanation.Steps.Contains("Un entretien préalable doit précéder la notification."));
        Assert.Equal(required, notice.Deadline.Label.Contains("entretien préalable obligatoire", StringComparison.Ordinal));
        // The entretien does not change the notice: 2 years or more → 2 months; 31 October 2024 is a Thursday.
        Assert.Equal(D("2024-10-31"), notice.Deadline.Date);
    }

    [Fact]
    public void NoticePublicContract_explains_the_entretien_prealable_at_three_years()
    {
        var known = PublicContractNotice.Compute(PublicCdd("2022-01-01", "2024-12-31"), [], renewalCouldBeCdi: false, onPermanentNeed: true).Deadline;
        Assert.Equal("Notifier le renouvellement ou non du contrat (entretien préalable obligatoire)", known.Label);
        Assert.Contains("Contrats conclus pour un besoin permanent totalisant 3 ans, 3 ans ou plus : entretien préalable obligatoire.", known.Explanation.Steps);
        Assert.Contains(new ExplanationInput("Besoin permanent", "oui"), known.Explanation.Inputs);

        var unknown = PublicContractNotice.Compute(PublicCdd("2022-01-01", "2024-12-31"), [], renewalCouldBeCdi: false).Deadline;
        Assert.Equal("Notifier le renouvellement ou non du contrat (entretien préalable obligatoire si le besoin est permanent)", unknown.Label);
        Assert.Contains(unknown.Explanation.Steps, s => s.Contains("n'est pas renseigné", StringComparison.Ordinal) && s.Contains("lecture prudente de CareerPath", StringComparison.Ordinal));
    }

    [Fact]
    public void NoticePublicContract_counts_earlier_contracts_towards_the_entretien_but_not_a_contrat_de_projet()
    {
        var current = PublicCdd("2023-01-01", "2023-12-31");

        var afterCdd = PublicContractNotice.Compute(current, [PublicCdd("2021-01-01", "2022-12-31")], renewalCouldBeCdi: false, onPermanentNeed: true);
        Assert.True(afterCdd.RequiresEntretienPrealable);

        // A contrat de projet is on a non-permanent post: it counts for the notice (3 years → 2 months) but not for the entretien.
        var projet = NewContract(ContractType.ContratDeProjet, LegalRegime.Public, "2021-01-01", "2022-12-31");
        var afterProjet = PublicContractNotice.Compute(current, [projet], renewalCouldBeCdi: false, onPermanentNeed: true);
        Assert.False(afterProjet.RequiresEntretienPrealable);
        Assert.Equal("3 ans", afterProjet.Service.Total.Describe());
        Assert.Equal(D("2023-10-31"), afterProjet.Deadline.Date); // 2 months; 31 October 2023 is a Tuesday
    }

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

using CareerPath.Domain.Model;
using CareerPath.Domain.Planning;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Planning;

public class DeadlinePlannerTests
{
    private static readonly TrainingAssignment InitialTraining =
        new(Guid.NewGuid(), AdvisorId, TrainingModuleKind.InitialTraining, "Formation initiale", 140, D("2025-01-13"), D("2025-03-14"), D("2025-03-14"))
        {
            CompletedOn = D("2025-03-14"),
        };

    private static readonly FundedPost Post = new(PostId, Guid.NewGuid(), "Poste 1",
    [
        new(Guid.NewGuid(), FundingSource.State, ConventionWave.FirstWave, 50_000m, D("2024-01-01"), D("2025-12-31"), [new(50_000m, D("2024-01-01"))]),
    ]);

    private static ContractFacts PublicOneYear() =>
        new(PublicCdd("2025-01-06", "2026-01-05"), NewAdvisor()) { Trainings = [InitialTraining], Post = Post };

    [Fact]
    public void Plan_public_cdd_gives_every_deadline_in_date_order()
    {
        var plan = DeadlinePlanner.Plan(PublicOneYear());

        Assert.Equal(
            new[]
            {
                ("trial.public", "2025-03-05"), // 52 working days capped at 2 months
                ("review.mid-contract", "2025-07-07"),
                ("certification.exam-deadline", "2025-09-12"), // CCP1: 14 Sept 2025 is a Sunday
                ("certification.exam-deadline", "2025-09-12"), // Pix
                ("funding.ending-alert", "2025-10-02"),
                ("decision.reminders", "2025-10-06"),
                ("decision.reminders", "2025-11-05"),
                ("decision.reminders", "2025-11-28"),
                ("notice.public-contract", "2025-12-05"), // 1 year of service → 1 month
                ("funding.end", "2025-12-31"),
                ("contract.end", "2026-01-05"),
                ("followup.6-months", "2026-07-03"), // 5 July 2026 is a Sunday
                ("followup.12-months", "2027-01-05"),
            },
            plan.Select(d => (d.RuleId, d.Date.ToString("yyyy-MM-dd"))));
    }

    [Fact]
    public void Plan_private_cdd_anchors_reminders_on_the_contract_end()
    {
        var plan = DeadlinePlanner.Plan(new(PrivateCdd("2025-01-01", "2025-12-31"), NewAdvisor()));

        Assert.DoesNotContain(plan, d => d.RuleId.StartsWith("notice.", StringComparison.Ordinal));
        Assert.Equal(new[] { D("2025-10-31"), D("2025-12-01"), D("2025-12-24") },
            plan.Where(d => d.RuleId == "decision.reminders").Select(d => d.Date));
        Assert.Equal(D("2025-01-31"), Assert.Single(plan, d => d.RuleId == "trial.private-cdd").Date);
    }

    [Fact]
    public void Plan_after_early_termination_keeps_only_what_still_applies()
    {
        var contract = PrivateCdd("2025-01-01", "2025-12-31") with { EarlyTermination = new(D("2025-05-15"), TerminationReason.Resignation) };

        var plan = DeadlinePlanner.Plan(new(contract, NewAdvisor()));

        Assert.Equal(
            new[] { ("trial.private-cdd", "2025-01-31"), ("contract.end", "2025-05-15"), ("followup.6-months", "2025-11-14"), ("followup.12-months", "2026-05-15") },
            plan.Select(d => (d.RuleId, d.Date.ToString("yyyy-MM-dd"))));
    }

    [Fact]
    public void Plan_renewed_contract_has_no_new_trial_period()
    {
        var facts = PublicOneYear() with { Contract = PublicOneYear().Contract with { PreviousContractId = Guid.NewGuid() } };
        Assert.DoesNotContain(DeadlinePlanner.Plan(facts), d => d.RuleId == "trial.public");
    }

    [Theory]
    [InlineData(ContractType.Cdd, "2024-09-30", true)] // 4 + 2 years: the renewal would be a CDI → 3 months
    [InlineData(ContractType.ContratDeProjet, "2024-10-31", false)] // a contrat de projet does not count: 2 years → 2 months
    public void Plan_infers_a_possible_cdi_from_six_years_of_service(ContractType earlierType, string expected, bool entretien)
    {
        var earlier = NewContract(earlierType, LegalRegime.Public, "2019-01-01", "2022-12-31");
        var facts = new ContractFacts(PublicCdd("2023-01-01", "2024-12-31"), NewAdvisor()) { EarlierContracts = [earlier] };

        var notice = Assert.Single(DeadlinePlanner.Plan(facts), d => d.RuleId == "notice.public-contract");

        Assert.Equal(D(expected), notice.Date);
        Assert.Equal(entretien, notice.Label.Contains("entretien préalable", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2025-01-06", "2026-01-05", "2025-12-05")] // 1 year → 1 month, not 2; 5 December 2025 is a Friday
    [InlineData("2024-01-15", "2026-01-14", "2025-11-14")] // 2 years → 2 months, not 4; 14 November 2025 is a Friday
    public void Plan_does_not_double_the_notice_for_a_recognised_disability(string start, string end, string expected)
    {
        // The capped doubling for a recognised disability is the dismissal notice's (décret 88-145, art. 40), not this one's.
        DateOnly NoticeOf(bool disabled) => Assert.Single(
            DeadlinePlanner.Plan(new ContractFacts(PublicCdd(start, end), NewAdvisor(disabled))), d => d.RuleId == "notice.public-contract").Date;

        Assert.Equal(D(expected), NoticeOf(disabled: true));
        Assert.Equal(D(expected), NoticeOf(disabled: false));
    }

    [Theory]
    [InlineData(true, "Notifier le renouvellement ou non du contrat (entretien préalable obligatoire)")]
    [InlineData(null, "Notifier le renouvellement ou non du contrat (entretien préalable obligatoire si le besoin est permanent)")]
    [InlineData(false, "Notifier le renouvellement ou non du contrat")]
    public void Plan_asks_for_an_entretien_prealable_after_three_years_on_a_permanent_need(bool? onPermanentNeed, string label)
    {
        var earlier = PublicCdd("2022-01-01", "2023-12-31");
        var facts = new ContractFacts(PublicCdd("2024-01-01", "2024-12-31"), NewAdvisor()) { EarlierContracts = [earlier], OnPermanentNeed = onPermanentNeed };

        var notice = Assert.Single(DeadlinePlanner.Plan(facts), d => d.RuleId == "notice.public-contract");

        Assert.Equal(label, notice.Label);
        Assert.Equal(D("2024-10-31"), notice.Date); // 3 years → 2 months whatever the need; a Thursday
    }

    [Fact]
    public void Plan_infers_no_cdi_on_a_post_known_not_to_be_permanent()
    {
        var earlier = PublicCdd("2019-01-01", "2022-12-31");
        var facts = new ContractFacts(PublicCdd("2023-01-01", "2024-12-31"), NewAdvisor()) { EarlierContracts = [earlier], OnPermanentNeed = false };

        var notice = Assert.Single(DeadlinePlanner.Plan(facts), d => d.RuleId == "notice.public-contract");

        Assert.Equal(D("2024-10-31"), notice.Date); // 6 years but no CDI possible: 2 months, not 3
        Assert.DoesNotContain("entretien", notice.Label, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_public_contrat_de_projet_uses_its_own_notice()
    {
        var contract = NewContract(ContractType.ContratDeProjet, LegalRegime.Public, "2025-01-01", "2027-12-31");
        var plan = DeadlinePlanner.Plan(new(contract, NewAdvisor()));
        Assert.Equal(D("2027-10-29"), Assert.Single(plan, d => d.RuleId == "notice.contrat-de-projet").Date);
        Assert.Equal(D("2025-03-31"), Assert.Single(plan, d => d.RuleId == "trial.public").Date);
    }

    [Fact]
    public void PlanPost_gives_recruitment_once_tranches_the_current_funding_end_and_refill()
    {
        var firstWave = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.FirstWave, LegalRegime.Public, D("2021-04-01"));
        var renewal = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, LegalRegime.Public, D("2023-04-01"));
        var post = new FundedPost(PostId, Guid.NewGuid(), "Poste 1", [renewal, firstWave]);

        var plan = DeadlinePlanner.PlanPost(post, lastContractEnd: D("2025-06-30"));

        Assert.Equal(D("2021-07-01"), Assert.Single(plan, d => d.RuleId == "recruitment.deadline").Date);
        Assert.Equal(4, plan.Count(d => d.RuleId == "funding.tranches"));
        // The first-wave end (2023-03-31) was renewed: only the renewal's end is the post's.
        Assert.Equal(D("2026-03-31"), Assert.Single(plan, d => d.RuleId == "funding.end").Date);
        Assert.Equal(D("2025-12-31"), Assert.Single(plan, d => d.RuleId == "funding.ending-alert").Date);
        Assert.Equal(D("2025-09-30"), Assert.Single(plan, d => d.RuleId == "refill.deadline").Date);
        Assert.Equal(plan.OrderBy(d => d.Date).Select(d => d.Key), plan.Select(d => d.Key));
    }

    public static TheoryData<ContractFacts> Scenarios() => new()
    {
        PublicOneYear(),
        new ContractFacts(PrivateCdd("2025-01-01", "2025-12-31"), NewAdvisor(disabled: true)) { Trainings = [InitialTraining], Post = Post },
        new ContractFacts(NewContract(ContractType.Cdi, LegalRegime.Private, "2025-01-01", null), NewAdvisor()) { Trainings = [InitialTraining] },
        new ContractFacts(NewContract(ContractType.Pec, LegalRegime.Private, "2025-01-01", "2025-12-31"), NewAdvisor()),
        new ContractFacts(NewContract(ContractType.ContratDeProjet, LegalRegime.Public, "2025-01-01", "2028-06-30"), NewAdvisor()) { Trainings = [InitialTraining] },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Plan_uses_only_catalogued_rules_and_explains_every_deadline(ContractFacts facts)
    {
        var plan = DeadlinePlanner.Plan(facts);
        Assert.NotEmpty(plan);
        Assert.All(plan, d =>
        {
            Assert.True(RuleCatalogue.Contains(d.RuleId), d.RuleId);
            Assert.NotEmpty(d.Explanation.Steps);
            Assert.Contains(d.Explanation.Rule.Source, d.Describe());
        });
        Assert.Equal(plan.Count, plan.Select(d => d.Key).Distinct().Count());
    }

    [Fact]
    public void PlanPost_uses_only_catalogued_rules()
    {
        var post = new FundedPost(PostId, Guid.NewGuid(), "Poste 1",
            [StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, LegalRegime.Private, D("2023-10-01"))]);
        Assert.All(DeadlinePlanner.PlanPost(post, lastContractEnd: D("2025-10-31")), d => Assert.True(RuleCatalogue.Contains(d.RuleId), d.RuleId));
    }
}

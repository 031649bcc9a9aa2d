using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Domain.Planning;

namespace CareerPath.Domain.Rules;

/// <summary>The themes the "Règles appliquées" page groups the rules by, in the order it shows them.</summary>
public enum RuleTheme { NoticeAndContractEnd, TrialPeriod, Training, FundingAndPosts, Calendar }

/// <summary>
/// What a rule's own code gave back for an example: a date (with the date the rule gave before any move to the
/// previous working day), a verdict, or a plain statement — each with the explanation the rule built.
/// </summary>
public sealed record RuleExampleResult(string Label, Explanation Explanation)
{
    public DateOnly? Date { get; init; }
    public DateOnly? UnadjustedDate { get; init; }
    public bool? Allowed { get; init; }

    public bool MovedToWorkingDay => Date is { } date && UnadjustedDate is { } unadjusted && date != unadjusted;

    public static RuleExampleResult Of(Deadline deadline) =>
        new(deadline.Label, deadline.Explanation) { Date = deadline.Date, UnadjustedDate = deadline.UnadjustedDate };

    public static RuleExampleResult Of(Verdict verdict) => new(verdict.Message, verdict.Explanation) { Allowed = verdict.Allowed };

    /// <summary>One line, dates as the explanations write them: "Label : 2026-11-10 (mardi)".</summary>
    public string Describe() => Date is { } date ? $"{Label} : {FrenchFormat.Date(date)} ({FrenchFormat.DayName(date)})" : Label;
}

/// <summary>
/// A worked example of one rule: fixed inputs (never "today", so the page reads the same every day) and the rule's
/// own code run on them. Situation tells the inputs in French; it takes the date format from its caller.
/// </summary>
public sealed record RuleExample(RuleInfo Rule, RuleTheme Theme, Func<Func<DateOnly, string>, string> Situation, Func<IReadOnlyList<RuleExampleResult>> Compute)
{
    public string DescribeSituation(Func<DateOnly, string> date) => Situation(date);

    /// <summary>Runs the rule now: nothing is precomputed, so the page shows what the code in production gives.</summary>
    public IReadOnlyList<RuleExampleResult> Run() => Compute();
}

/// <summary>
/// One worked example per rule of <see cref="RuleCatalogue"/>, for the "Règles appliquées" page. The dates are chosen
/// so that what matters shows: a deadline moved off a weekend or a public holiday, a cumulated service across an
/// interruption, a month end, a refusal. The expected results are checked by hand in RuleExamplesTests.
/// </summary>
public static class RuleExamples
{
    private static readonly Guid AdvisorId = Id(0xa1);
    private static readonly Guid PostId = Id(0xb1);
    private static readonly Advisor ExampleAdvisor = new(AdvisorId, "Conseiller de l'exemple", "exemple@example.invalid", false);

    // The public CDD of the notice example, after a first CDD with the same employer (23 days apart).
    private static readonly Contract NoticeEarlier = Cdd(1, LegalRegime.Public, D(2023, 9, 4), D(2024, 12, 20));
    private static readonly Contract NoticeContract = Cdd(2, LegalRegime.Public, D(2025, 1, 13), D(2027, 1, 11));

    // Six years of service: 3 years, an interruption of exactly 4 months, then 3 years and 29 days.
    private static readonly Contract CdiEarlier = Cdd(3, LegalRegime.Public, D(2019, 9, 2), D(2022, 9, 1));
    private static readonly Contract CdiContract = Cdd(4, LegalRegime.Public, D(2023, 1, 2), D(2026, 1, 30));

    private static readonly Contract ProjectContract =
        new(Id(5), AdvisorId, PostId, ContractType.ContratDeProjet, LegalRegime.Public, D(2024, 7, 9), D(2027, 7, 8));

    // A private CDD on the same post 8 working days after a first one (110 days long, so a carence of 37 days), already renewed once by amendment.
    private static readonly Contract CarenceEarlier = Cdd(6, LegalRegime.Private, D(2024, 9, 2), D(2024, 12, 20));
    private static readonly Contract LimitsContract = Cdd(7, LegalRegime.Private, D(2025, 1, 6), D(2025, 3, 31)) with
    {
        Amendments = [new(Id(0xc1), D(2025, 3, 15), D(2025, 6, 30), "renouvellement")],
    };
    private static readonly DateOnly LimitsProposedEnd = D(2025, 12, 31);

    private static readonly Contract EndedContract = Cdd(8, LegalRegime.Public, D(2025, 1, 6), D(2026, 1, 5)) with
    {
        Amendments = [new(Id(0xc2), D(2025, 12, 1), D(2026, 8, 31), "prolongation jusqu'à la fin du projet")],
    };

    private static readonly Contract StartingContract = Cdd(9, LegalRegime.Public, D(2025, 10, 1), D(2027, 9, 30));

    private static readonly GrantConvention Convention = StandardFunding.StandardConvention(Id(0xd1), ConventionWave.Renewal2023, LegalRegime.Public, D(2024, 11, 1));
    private static readonly DateOnly FirstTrancheReceived = D(2024, 11, 5);

    private static readonly DateOnly AgentNotifiedOn = D(2026, 11, 6);
    private static readonly DateOnly ShortProjectStart = D(2025, 1, 6);
    private static readonly DateOnly ShortProjectEnd = D(2025, 12, 31);
    private static readonly DateOnly PublicTrialStart = D(2026, 5, 4);
    private static readonly DateOnly PublicTrialEnd = D(2026, 7, 31);
    private static readonly DateOnly PrivateTrialStart = D(2025, 3, 3);
    private static readonly DateOnly PrivateTrialEnd = D(2025, 6, 6);
    private static readonly DateOnly PrivateCdiStart = D(2025, 1, 6);
    private const int InitialTrainingHoursExample = 35;
    private static readonly DateOnly InitialTrainingEnd = D(2025, 11, 14);
    private static readonly DateOnly InitialTrainingStart = D(2025, 2, 3);
    private static readonly DateOnly ThematicModulesUntil = D(2028, 12, 31);
    private static readonly DateOnly ReviewStart = D(2025, 1, 6);
    private static readonly DateOnly ReviewEnd = D(2026, 12, 31);
    private static readonly DateOnly RefillContractEnd = D(2026, 4, 14);
    private static readonly DateOnly HolidayDeadline = D(2026, 4, 6);

    public static IReadOnlyList<RuleExample> All { get; } =
    [
        new(PublicContractNotice.Rule, RuleTheme.NoticeAndContractEnd,
            d => $"CDD de droit public du {d(NoticeContract.Start)} au {d(NoticeContract.End!.Value)}, après un premier CDD avec le même employeur "
                + $"du {d(NoticeEarlier.Start)} au {d(NoticeEarlier.End!.Value)} ; le caractère permanent du besoin n'est pas renseigné.",
            () => [RuleExampleResult.Of(PublicNotice(NoticeContract, NoticeEarlier).Deadline)]),

        new(PublicContractNotice.AgentAnswerRule, RuleTheme.NoticeAndContractEnd,
            d => $"Renouvellement proposé à l'agent par une notification du {d(AgentNotifiedOn)}.",
            () => [RuleExampleResult.Of(PublicContractNotice.AgentAnswerDeadline(AgentNotifiedOn))]),

        new(PublicContractNotice.CdiAfterSixYearsRule, RuleTheme.NoticeAndContractEnd,
            d => $"CDD de droit public du {d(CdiContract.Start)} au {d(CdiContract.End!.Value)}, sur un besoin permanent, précédé d'un CDD avec le même employeur "
                + $"du {d(CdiEarlier.Start)} au {d(CdiEarlier.End!.Value)} : entre les deux, une interruption d'exactement 4 mois.",
            CdiAfterSixYears),

        new(ContratDeProjetRules.NoticeRule, RuleTheme.NoticeAndContractEnd,
            d => $"Contrat de projet de droit public du {d(ProjectContract.Start)} au {d(ProjectContract.End!.Value)}, soit 3 ans.",
            () => [RuleExampleResult.Of(ContratDeProjetRules.Notice(ProjectContract))]),

        new(ContratDeProjetRules.BoundsRule, RuleTheme.NoticeAndContractEnd,
            d => $"Contrat de projet de droit public proposé du {d(ShortProjectStart)} au {d(ShortProjectEnd)}.",
            () => [RuleExampleResult.Of(ContratDeProjetRules.CheckDuration(LegalRegime.Public, ShortProjectStart, ShortProjectEnd))]),

        new(PrivateCddLimits.Rule, RuleTheme.NoticeAndContractEnd,
            d => $"CDD de droit privé du {d(LimitsContract.Start)} au {d(LimitsContract.End!.Value)}, renouvelé par un avenant jusqu'au {d(LimitsContract.EffectiveEnd!.Value)} ; "
                + $"le même conseiller avait occupé le même poste en CDD du {d(CarenceEarlier.Start)} au {d(CarenceEarlier.End!.Value)}. "
                + $"Un nouvel avenant propose de repousser la fin au {d(LimitsProposedEnd)}.",
            () => [RuleExampleResult.Of(PrivateCddLimits.CheckAmendment(LimitsContract, LimitsProposedEnd,
                PrivateCddLimits.EarlierInSuccession(LimitsContract, [CarenceEarlier])))]),

        new(PublicTrialPeriod.Rule, RuleTheme.TrialPeriod,
            d => $"Contrat de droit public du {d(PublicTrialStart)} au {d(PublicTrialEnd)}.",
            () => [RuleExampleResult.Of(PublicTrialPeriod.End(PublicTrialStart, PublicTrialEnd)!)]),

        new(PrivateTrialPeriod.CddRule, RuleTheme.TrialPeriod,
            d => $"CDD de droit privé du {d(PrivateTrialStart)} au {d(PrivateTrialEnd)}.",
            () => [RuleExampleResult.Of(PrivateTrialPeriod.CddEnd(PrivateTrialStart, PrivateTrialEnd)!)]),

        new(PrivateTrialPeriod.CdiRule, RuleTheme.TrialPeriod,
            d => $"CDI de droit privé commençant le {d(PrivateCdiStart)}.",
            () => [RuleExampleResult.Of(PrivateTrialPeriod.CdiEnd(PrivateCdiStart))]),

        new(InitialTrainingHours.Rule, RuleTheme.Training,
            _ => $"Le test de positionnement fixe la formation initiale à {InitialTrainingHoursExample} heures.",
            () => [RuleExampleResult.Of(InitialTrainingHours.Check(InitialTrainingHoursExample))]),

        new(CertificationDeadline.Rule, RuleTheme.Training,
            d => $"Formation initiale terminée le {d(InitialTrainingEnd)} ; examen CCP1 du titre professionnel REMN.",
            () => [RuleExampleResult.Of(CertificationDeadline.Compute(InitialTrainingEnd, TrainingModuleKind.Ccp1Exam))]),

        new(ThematicModules.Rule, RuleTheme.Training,
            d => $"Formation initiale commencée le {d(InitialTrainingStart)} ; contrat en cours jusqu'au {d(ThematicModulesUntil)}.",
            () => [.. ThematicModules.Schedule(InitialTrainingStart, ThematicModulesUntil).Select(due => RuleExampleResult.Of(due.Deadline))]),

        new(MidContractReviewRule.Rule, RuleTheme.Calendar,
            d => $"Contrat du {d(ReviewStart)} au {d(ReviewEnd)}.",
            () => [RuleExampleResult.Of(MidContractReviewRule.Compute(ReviewStart, ReviewEnd))]),

        new(DecisionReminders.Rule, RuleTheme.NoticeAndContractEnd,
            d => $"Le CDD de l'exemple « {PublicContractNotice.Rule.Title} » : notification au plus tard le {d(PublicNotice(NoticeContract, NoticeEarlier).Deadline.Date)}.",
            () => [.. DecisionReminders.Compute(PublicNotice(NoticeContract, NoticeEarlier).Deadline).Select(RuleExampleResult.Of)]),

        new(EndOfContract.ContractEndRule, RuleTheme.NoticeAndContractEnd,
            d => $"CDD de droit public du {d(EndedContract.Start)} au {d(EndedContract.End!.Value)}, prolongé par un avenant du "
                + $"{d(EndedContract.Amendments[0].EffectiveOn)} jusqu'au {d(EndedContract.Amendments[0].NewEnd)}.",
            () => [RuleExampleResult.Of(EndOfContract.ContractEnd(EndedContract)!)]),

        new(EndOfContract.FollowUp6Rule, RuleTheme.NoticeAndContractEnd,
            d => $"Contrat terminé le {d(EndedContract.ActualEnd!.Value)}.",
            () => [RuleExampleResult.Of(EndOfContract.FollowUps(EndedContract.ActualEnd!.Value).Single(f => f.RuleId == EndOfContract.FollowUp6Rule.Id))]),

        new(EndOfContract.FollowUp12Rule, RuleTheme.NoticeAndContractEnd,
            d => $"Contrat terminé le {d(EndedContract.ActualEnd!.Value)}.",
            () => [RuleExampleResult.Of(EndOfContract.FollowUps(EndedContract.ActualEnd!.Value).Single(f => f.RuleId == EndOfContract.FollowUp12Rule.Id))]),

        new(FundingDeadlines.EndRule, RuleTheme.FundingAndPosts,
            ConventionSituation,
            () => [RuleExampleResult.Of(FundingDeadlines.End(Convention))]),

        new(FundingDeadlines.EndingAlertRule, RuleTheme.FundingAndPosts,
            ConventionSituation,
            () => [RuleExampleResult.Of(FundingDeadlines.EndingAlert(Convention))]),

        new(FundingDeadlines.TranchesRule, RuleTheme.FundingAndPosts,
            d => ConventionSituation(d) + $" La première tranche a été reçue le {d(FirstTrancheReceived)}.",
            () => [.. FundingDeadlines.Tranches(ConventionWithFirstTrancheReceived()).Select(RuleExampleResult.Of)]),

        new(StandardFunding.Rule, RuleTheme.FundingAndPosts,
            d => $"Convention de renouvellement (2023) d'un employeur public, à compter du {d(Convention.Start)}.",
            StandardConventionExample),

        new(StaffingDeadlines.RecruitmentRule, RuleTheme.FundingAndPosts,
            ConventionSituation,
            () => [RuleExampleResult.Of(StaffingDeadlines.Recruitment(Convention))]),

        new(StaffingDeadlines.RefillRule, RuleTheme.FundingAndPosts,
            d => $"Le contrat du conseiller a pris fin par anticipation le {d(RefillContractEnd)} ; le poste est vacant.",
            () => [RuleExampleResult.Of(StaffingDeadlines.Refill(RefillContractEnd))]),

        new(StaffingDeadlines.GrantStartRule, RuleTheme.FundingAndPosts,
            ConventionSituation,
            () => [RuleExampleResult.Of(StaffingDeadlines.GrantStart(Convention))]),

        new(PreviousWorkingDayRule.Rule, RuleTheme.Calendar,
            d => $"Une règle donne une échéance au {d(HolidayDeadline)}.",
            PreviousWorkingDay),

        new(ContractMilestones.StartRule, RuleTheme.Calendar,
            d => $"Contrat signé avec une date de début au {d(StartingContract.Start)}.",
            () => [RuleExampleResult.Of(ContractMilestones.Start(StartingContract))]),

        new(ContractMilestones.TrainingStartRule, RuleTheme.Training,
            d => $"Prise de poste le {d(StartingContract.Start)}, sans inscription à la formation initiale.",
            () => [RuleExampleResult.Of(ContractMilestones.TrainingStartDue(StartingContract))]),
    ];

    private static readonly Dictionary<string, RuleExample> ByRuleId = All.ToDictionary(e => e.Rule.Id);

    public static RuleExample For(string ruleId) =>
        ByRuleId.TryGetValue(ruleId, out var example) ? example : throw new KeyNotFoundException($"No example for rule '{ruleId}'.");

    public static string ThemeTitle(RuleTheme theme) => theme switch
    {
        RuleTheme.NoticeAndContractEnd => "Préavis et fin de contrat",
        RuleTheme.TrialPeriod => "Période d'essai",
        RuleTheme.Training => "Formation",
        RuleTheme.FundingAndPosts => "Financement et postes",
        _ => "Calendrier",
    };

    /// <summary>
    /// CareerPath's own readings in a rule — where the rule is a management rule of CareerPath, a choice where the text is
    /// silent, or a point settled by case law rather than by the text — as the rule declares them (<see cref="RuleInfo.Interpretations"/>).
    /// </summary>
    public static IReadOnlyList<string> InterpretationsIn(RuleInfo rule) => rule.Interpretations;

    // ---- the examples that need more than one call ----

    private static string ConventionSituation(Func<DateOnly, string> d) =>
        $"Convention standard de renouvellement (2023) d'un employeur public, du {d(Convention.Start)} au {d(Convention.End)}.";

    // The notice as the plan computes it (DeadlinePlanner.PublicCddNotice): whether a renewal could be a CDI is inferred there too.
    private static PublicNotice PublicNotice(Contract contract, Contract earlier, bool? onPermanentNeed = null) =>
        DeadlinePlanner.PublicCddNotice(new ContractFacts(contract, ExampleAdvisor) { EarlierContracts = [earlier], OnPermanentNeed = onPermanentNeed })!.Value.Notice;

    private static IReadOnlyList<RuleExampleResult> CdiAfterSixYears()
    {
        var service = CumulatedService.UpToTermOf(CdiContract, [CdiEarlier]);
        var couldBeCdi = PublicContractNotice.RenewalCouldBeCdi(service.Total);
        var explanation = new ExplanationBuilder(PublicContractNotice.CdiAfterSixYearsRule)
            .Input("Terme du contrat", CdiContract.EffectiveEnd!.Value)
            .Input("Besoin permanent", "oui");
        foreach (var step in service.Describe()) explanation.Step(step);
        explanation.Step(couldBeCdi
            ? $"{service.Total.Describe()}, 6 ans ou plus : un renouvellement se ferait pour une durée indéterminée."
            : $"{service.Total.Describe()}, moins de 6 ans : un renouvellement resterait à durée déterminée.");
        var verdict = explanation.Build();
        return
        [
            new(couldBeCdi ? "Un renouvellement se ferait en CDI" : "Un renouvellement resterait un CDD", verdict),
            RuleExampleResult.Of(PublicNotice(CdiContract, CdiEarlier, onPermanentNeed: true).Deadline),
        ];
    }

    private static GrantConvention ConventionWithFirstTrancheReceived() => Convention with
    {
        Tranches = [.. Convention.Tranches.OrderBy(t => t.ExpectedOn).Select((t, i) => i == 0 ? t with { ReceivedOn = FirstTrancheReceived } : t)],
    };

    // StandardFunding builds a convention rather than a dated act: the steps here read back what its code returned.
    private static IReadOnlyList<RuleExampleResult> StandardConventionExample()
    {
        var convention = StandardFunding.StandardConvention(Convention.Id, ConventionWave.Renewal2023, LegalRegime.Public, Convention.Start);
        var explanation = new ExplanationBuilder(StandardFunding.Rule)
            .Input("Vague", "renouvellement (2023)")
            .Input("Employeur", "public")
            .Input("Début de la convention", convention.Start)
            .Step($"Convention de {CalendarPeriod.Between(convention.Start, convention.End).DescribeInMonths()} : du {FrenchFormat.Date(convention.Start)} au {FrenchFormat.Date(convention.End)}.");
        var tranches = convention.Tranches.OrderBy(t => t.ExpectedOn).ToList();
        for (var i = 0; i < tranches.Count; i++)
            explanation.Step($"Tranche n° {i + 1} : {FrenchFormat.Euros(tranches[i].Amount)}, versée à la date anniversaire du {FrenchFormat.Date(tranches[i].ExpectedOn)}.");
        explanation.Step($"Montant total : {FrenchFormat.Euros(convention.Amount)}.")
            .Step($"Ce sont les dates de la convention ; un versement attendu un jour non ouvré est avancé au jour ouvré précédent (règle {FundingDeadlines.TranchesRule.Id}).");
        var built = explanation.Build();
        return
        [
            new($"Montant de la convention : {FrenchFormat.Euros(convention.Amount)}", built),
            new("Fin de la convention", built) { Date = convention.End, UnadjustedDate = convention.End },
            .. tranches.Select((t, i) => new RuleExampleResult($"Tranche n° {i + 1} : {FrenchFormat.Euros(t.Amount)}", built) { Date = t.ExpectedOn, UnadjustedDate = t.ExpectedOn }),
        ];
    }

    private static IReadOnlyList<RuleExampleResult> PreviousWorkingDay()
    {
        var adjustment = WorkingDays.PreviousWorkingDayOnOrBefore(HolidayDeadline);
        var explanation = new ExplanationBuilder(PreviousWorkingDayRule.Rule)
            .Input("Date donnée par la règle", HolidayDeadline)
            .Step(adjustment.Describe())
            .Build();
        return [new("Échéance retenue", explanation) { Date = adjustment.Result, UnadjustedDate = adjustment.Requested }];
    }

    private static Contract Cdd(int id, LegalRegime regime, DateOnly start, DateOnly end) => new(Id(id), AdvisorId, PostId, ContractType.Cdd, regime, start, end);

    private static Guid Id(int n) => new($"00000000-0000-0000-0000-{n:x12}");

    private static DateOnly D(int year, int month, int day) => new(year, month, day);
}

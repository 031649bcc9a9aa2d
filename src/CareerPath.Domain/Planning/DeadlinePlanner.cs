using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;

namespace CareerPath.Domain.Planning;

/// <summary>
/// Computes every deadline of a contract or of a funded post, in date order. The workflow engine arms one timer
/// per deadline (by <see cref="Deadline.Key"/>) and calls the planner again whenever the facts change.
/// </summary>
public static class DeadlinePlanner
{
    // Thematic modules of an open-ended contract are planned over the length of a renewal convention.
    public const int OpenEndedHorizonYears = 3;

    public static IReadOnlyList<Deadline> Plan(ContractFacts facts)
    {
        var contract = facts.Contract;
        var deadlines = new List<Deadline>();

        // No new trial period when a contract is renewed with the same employer for the same duties (décret 88-145, art. 4).
        if (contract.PreviousContractId is null && TrialEnd(contract) is { } trial) deadlines.Add(trial);

        var contractEnd = EndOfContract.ContractEnd(contract);
        if (contract.EffectiveEnd is { } term)
        {
            deadlines.Add(MidContractReviewRule.Compute(contract.Start, term));
            // After an early termination there is no renewal left to decide.
            if (contract.EarlyTermination is null)
            {
                var notice = Notice(facts);
                if (notice is not null) deadlines.Add(notice);
                // Private contracts have no legal notice: the decision is due by the end of the contract.
                deadlines.AddRange(DecisionReminders.Compute(notice ?? contractEnd!, facts.ReminderOffsetsInDays));
            }
        }

        deadlines.AddRange(Trainings(facts));
        foreach (var convention in StateConventions(facts.Post).Where(c => c.End >= contract.Start && (contractEnd is null || c.End <= contractEnd.Date)))
            deadlines.AddRange([FundingDeadlines.EndingAlert(convention), FundingDeadlines.End(convention)]);

        if (contract.EarlyTermination is { } termination) deadlines.RemoveAll(d => d.Date > termination.Date);
        if (contractEnd is not null)
        {
            deadlines.Add(contractEnd);
            deadlines.AddRange(EndOfContract.FollowUps(contractEnd.Date));
        }
        return Ordered(deadlines);
    }

    /// <summary>
    /// Deadlines of a funded post: recruitment after the first State convention (renewals keep the advisor in place),
    /// the tranches of every convention, the funding alert and end of the current (latest) State convention — an
    /// earlier convention's end is not the post's once it is renewed — and the refill after the last contract ended.
    /// </summary>
    public static IReadOnlyList<Deadline> PlanPost(FundedPost post, DateOnly? lastContractEnd)
    {
        var deadlines = new List<Deadline>();
        var state = StateConventions(post).ToList();
        if (state.Count > 0) deadlines.Add(StaffingDeadlines.Recruitment(state[0]));
        deadlines.AddRange(post.Conventions.SelectMany(FundingDeadlines.Tranches));
        if (state.Count > 0) deadlines.AddRange([FundingDeadlines.EndingAlert(state[^1]), FundingDeadlines.End(state[^1])]);
        if (lastContractEnd is { } ended) deadlines.Add(StaffingDeadlines.Refill(ended));
        return Ordered(deadlines);
    }

    private static Deadline? TrialEnd(Contract contract) => contract switch
    {
        // A PEC is private law whatever the employer (Code du travail L5134-24); with an end date it is a CDD.
        { Type: ContractType.Pec, End: { } end } => PrivateTrialPeriod.CddEnd(contract.Start, end),
        { Type: ContractType.Pec } => PrivateTrialPeriod.CdiEnd(contract.Start),
        { Regime: LegalRegime.Public } => PublicTrialPeriod.End(contract.Start, contract.End),
        { Type: ContractType.Cdd, End: { } end } => PrivateTrialPeriod.CddEnd(contract.Start, end),
        // A private contrat de projet is a CDI d'opération (Code du travail L1223-8).
        _ => PrivateTrialPeriod.CdiEnd(contract.Start),
    };

    /// <summary>
    /// A public CDD's notice as the plan computes it — the deadline, whether the entretien préalable is
    /// required — and whether a renewal at the term could be a CDI; null for any other contract.
    /// The decision form and letter read it here, so they say what the plan says.
    /// </summary>
    public static (PublicNotice Notice, bool RenewalCouldBeCdi)? PublicCddNotice(ContractFacts facts)
    {
        if (facts.Contract is not { Type: ContractType.Cdd, Regime: LegalRegime.Public } contract) return null;
        var couldBeCdi = facts.RenewalCouldBeCdi ?? CouldBeCdi(facts);
        return (PublicContractNotice.Compute(contract, facts.EarlierContracts, couldBeCdi, facts.OnPermanentNeed), couldBeCdi);
    }

    private static Deadline? Notice(ContractFacts facts) => facts.Contract switch
    {
        { Type: ContractType.Cdd, Regime: LegalRegime.Public } => PublicCddNotice(facts)!.Value.Notice.Deadline,
        { Type: ContractType.ContratDeProjet, Regime: LegalRegime.Public } contract => ContratDeProjetRules.Notice(contract),
        _ => null,
    };

    // Contrats de projet never count towards the 6 years (CGFP L332-26), so they are left out of the service.
    // The CDI of CGFP L332-10 is for permanent posts only: a post known not to be one never leads to it.
    private static bool CouldBeCdi(ContractFacts facts) => facts.OnPermanentNeed != false && PublicContractNotice.RenewalCouldBeCdi(
        CumulatedService.UpToTermOf(facts.Contract, facts.EarlierContracts.Where(c => c.Type != ContractType.ContratDeProjet)).Total);

    private static IEnumerable<Deadline> Trainings(ContractFacts facts)
    {
        var initial = facts.Trainings.Where(t => t.Kind == TrainingModuleKind.InitialTraining).MinBy(t => t.Start);
        if (initial is null) yield break;
        if ((initial.CompletedOn ?? initial.End) is { } trainingEnd)
        {
            yield return CertificationDeadline.Compute(trainingEnd, TrainingModuleKind.Ccp1Exam);
            yield return CertificationDeadline.Compute(trainingEnd, TrainingModuleKind.PixExam);
        }
        var until = facts.Contract.ActualEnd ?? DateMath.AddYears(facts.Contract.Start, OpenEndedHorizonYears);
        foreach (var due in ThematicModules.Schedule(initial.Start, until)) yield return due.Deadline;
    }

    private static IEnumerable<GrantConvention> StateConventions(FundedPost? post) =>
        (post?.Conventions ?? []).Where(c => c.Source == FundingSource.State).OrderBy(c => c.Start);

    private static IReadOnlyList<Deadline> Ordered(IEnumerable<Deadline> deadlines) =>
        deadlines.OrderBy(d => d.Date).ThenBy(d => d.UnadjustedDate).ThenBy(d => d.Key, StringComparer.Ordinal).ToList();
}

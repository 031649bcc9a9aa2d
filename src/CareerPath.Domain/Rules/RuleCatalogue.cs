namespace CareerPath.Domain.Rules;

/// <summary>Every rule the domain applies, for the UI, the audit export and the consistency tests.</summary>
public static class RuleCatalogue
{
    public static IReadOnlyList<RuleInfo> All { get; } =
    [
        PublicContractNotice.Rule,
        PublicContractNotice.AgentAnswerRule,
        PublicContractNotice.CdiAfterSixYearsRule,
        ContratDeProjetRules.NoticeRule,
        ContratDeProjetRules.BoundsRule,
        PrivateCddLimits.Rule,
        PublicTrialPeriod.Rule,
        PrivateTrialPeriod.CddRule,
        PrivateTrialPeriod.CdiRule,
        InitialTrainingHours.Rule,
        CertificationDeadline.Rule,
        ThematicModules.Rule,
        MidContractReviewRule.Rule,
        DecisionReminders.Rule,
        EndOfContract.ContractEndRule,
        EndOfContract.FollowUp6Rule,
        EndOfContract.FollowUp12Rule,
        FundingDeadlines.EndRule,
        FundingDeadlines.EndingAlertRule,
        FundingDeadlines.TranchesRule,
        StandardFunding.Rule,
        StaffingDeadlines.RecruitmentRule,
        StaffingDeadlines.RefillRule,
        StaffingDeadlines.GrantStartRule,
        PreviousWorkingDayRule.Rule,
        ContractMilestones.StartRule,
        ContractMilestones.TrainingStartRule,
    ];

    private static readonly Dictionary<string, RuleInfo> ById = All.ToDictionary(r => r.Id);

    public static bool Contains(string id) => ById.ContainsKey(id);

    public static RuleInfo Get(string id) =>
        ById.TryGetValue(id, out var rule) ? rule : throw new KeyNotFoundException($"Unknown rule id '{id}'.");
}

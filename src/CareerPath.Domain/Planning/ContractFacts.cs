using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;

namespace CareerPath.Domain.Planning;

/// <summary>Everything known about one contract that its deadlines depend on.</summary>
public sealed record ContractFacts(Contract Contract, Advisor Advisor)
{
    /// <summary>Other contracts of the advisor with the same employer: cumulated service and renewal chain.</summary>
    public IReadOnlyList<Contract> EarlierContracts { get; init; } = [];

    public IReadOnlyList<TrainingAssignment> Trainings { get; init; } = [];

    public FundedPost? Post { get; init; }

    /// <summary>Whether a renewal would be a CDI; null to infer it from 6 years of cumulated service (public CDD only).</summary>
    public bool? RenewalCouldBeCdi { get; init; }

    /// <summary>
    /// Whether the contract, and the earlier ones counted with it, answer a permanent need of the employer (public CDD
    /// only); null when unknown. Unknown is read as "may be": the entretien préalable of 3 years (décret 88-145,
    /// art. 38-1) is planned, and the 6-year CDI is still inferred; false rules both out.
    /// </summary>
    public bool? OnPermanentNeed { get; init; }

    public IReadOnlyList<int> ReminderOffsetsInDays { get; init; } = DecisionReminders.DefaultOffsetsInDays;
}

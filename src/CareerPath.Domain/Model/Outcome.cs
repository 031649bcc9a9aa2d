namespace CareerPath.Domain.Model;

public enum OutcomeKind { EmployedPermanentlyElsewhere, HiredByStructure, JobSeeker, Training, Other, Unknown }

public enum FollowUpPoint { Month6, Month12 }

/// <summary>What became of the advisor after the contract, recorded at the 6- or 12-month follow-up.</summary>
public sealed record Outcome(Guid ContractId, FollowUpPoint At, OutcomeKind Kind, DateOnly RecordedOn);

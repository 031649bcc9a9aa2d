namespace CareerPath.Domain.Model;

public sealed record MidContractReview(Guid ContractId, DateOnly PlannedOn)
{
    public DateOnly? HeldOn { get; init; }
    public string? Outcome { get; init; }
}

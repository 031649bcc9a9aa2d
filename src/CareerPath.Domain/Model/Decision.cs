namespace CareerPath.Domain.Model;

public enum DecisionKind { PermanentHireCdi, Titularisation, Renewal, NotRetained }

/// <summary>The employer's decision at the end of a contract; NewEnd is set for a renewal only.</summary>
public sealed record Decision(Guid ContractId, DecisionKind Kind, string Reason, DateOnly DecidedOn)
{
    public DateOnly? NewEnd { get; init; }
    public DateOnly? NotifiedOn { get; init; }

    public IReadOnlyList<ValidationError> Validate() => new Errors()
        .Require((Kind == DecisionKind.Renewal) == (NewEnd is not null), "model.decision.new-end", "Une nouvelle date de fin est requise pour un renouvellement, et seulement pour lui.")
        .Require(NotifiedOn is null || NotifiedOn >= DecidedOn, "model.decision.notified", "Une décision ne peut pas être notifiée avant d'être prise.")
        .ToList();
}

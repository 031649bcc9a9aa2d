namespace CareerPath.Domain.Model;

/// <summary>A broken invariant: a stable rule id ("model.contract.dates") and a French message for people.</summary>
public sealed record ValidationError(string RuleId, string Message);

/// <summary>Raised when domain facts break an invariant or a rule's precondition.</summary>
public sealed class DomainException(IReadOnlyList<ValidationError> errors)
    : Exception(string.Join(" ; ", errors.Select(e => $"{e.RuleId} : {e.Message}")))
{
    public DomainException(string ruleId, string message) : this([new ValidationError(ruleId, message)]) { }

    public IReadOnlyList<ValidationError> Errors { get; } = errors;

    public static void ThrowIfAny(IReadOnlyList<ValidationError> errors)
    {
        if (errors.Count > 0) throw new DomainException(errors);
    }
}

// Collects the errors of a Validate() method; empty when the record is valid.
internal sealed class Errors
{
    private readonly List<ValidationError> list = [];

    public Errors Require(bool condition, string ruleId, string message)
    {
        if (!condition) list.Add(new(ruleId, message));
        return this;
    }

    public IReadOnlyList<ValidationError> ToList() => list.ToArray();
}

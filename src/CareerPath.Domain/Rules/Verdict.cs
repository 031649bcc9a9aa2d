namespace CareerPath.Domain.Rules;

/// <summary>Whether an act is allowed by a rule; the message names the rule and its source when it is refused.</summary>
public sealed record Verdict(bool Allowed, string Message, Explanation Explanation)
{
    public string RuleId => Explanation.Rule.Id;

    public override string ToString() => $"{Message} {Explanation.Describe()}";
}

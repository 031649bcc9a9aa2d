namespace CareerPath.Domain.Rules;

/// <summary>
/// A rule of the program or of the law, as shown to people: a stable kebab-case id, a French title,
/// a plain-French explanation and the text it comes from.
/// </summary>
public sealed record RuleInfo(string Id, string Title, string Explanation, string Source);

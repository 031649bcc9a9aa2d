namespace CareerPath.Domain.Rules;

/// <summary>
/// A rule of the program or of the law, as shown to people: a stable kebab-case id, a French title,
/// a plain-French explanation and the text it comes from.
/// </summary>
public sealed record RuleInfo(string Id, string Title, string Explanation, string Source)
{
    /// <summary>
    /// Where the rule is CareerPath's own reading rather than the letter of its source: one plain-French sentence per
    /// reading (a management rule of CareerPath, a choice where the text says nothing, a point settled by case law
    /// rather than by the text), without a prefix — the pages show them as "Interprétation de CareerPath : …".
    /// Empty for a rule that only states its source. Not stored: explanations read back from the database take
    /// their rule from <see cref="RuleCatalogue"/>, so they show the current list.
    /// </summary>
    public IReadOnlyList<string> Interpretations { get; init; } = [];
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using CareerPath.Domain.Rules;
using Microsoft.AspNetCore.Html;

namespace CareerPath.Server.Web;

/// <summary>One rule on the "Règles appliquées" page, with its worked example just computed by the rule's own code.</summary>
/// <param name="Explanations">The distinct explanations of the results, in order (several results may share one).</param>
/// <param name="Interpretations">CareerPath's own readings in the rule, as the rule declares them (see RuleExamples.InterpretationsIn).</param>
public sealed record RuleView(
    RuleInfo Rule, string Situation, IReadOnlyList<RuleExampleResult> Results, IReadOnlyList<Explanation> Explanations, IReadOnlyList<string> Interpretations)
{
    public string Anchor => RulePages.Anchor(Rule.Id);

    /// <summary>The rule is, at least in part, CareerPath's reading of its source rather than the letter of it.</summary>
    public bool IsInterpretation => Interpretations.Count > 0;
}

public sealed record RuleThemeView(RuleTheme Theme, string Title, string Anchor, IReadOnlyList<RuleView> Rules);

/// <summary>The "Règles appliquées" page (every rule with a worked example), and the address of one rule on it.</summary>
public static partial class RulePages
{
    public const string Path = "/regles";

    public static IServiceCollection AddRulePages(this IServiceCollection services)
    {
        return services;
    }

    /// <summary>The id of a rule's section on the page: other pages link to <c>/regles#regle-{id}</c>.</summary>
    public static string Anchor(string ruleId) => "regle-" + ruleId;

    public static string Link(string ruleId) => $"{Path}#{Anchor(ruleId)}";

    /// <summary>Every rule of the catalogue, grouped by theme in the catalogue's order; each example is run now.</summary>
    public static IReadOnlyList<RuleThemeView> Themes()
    {
        var examples = RuleCatalogue.All.Select(rule => RuleExamples.For(rule.Id)).ToList();
        return Enum.GetValues<RuleTheme>().Select(theme => new RuleThemeView(theme, RuleExamples.ThemeTitle(theme), ThemeAnchor(theme),
            examples.Where(e => e.Theme == theme).Select(View).ToList())).ToList();
    }

    static RuleView View(RuleExample example)
    {
        var results = example.Run();
        return new(example.Rule, example.DescribeSituation(Fr.Date), results,
            results.Select(r => r.Explanation).Distinct(ReferenceEqualityComparer.Instance).Cast<Explanation>().ToList(),
            RuleExamples.InterpretationsIn(example.Rule));
    }

    static string ThemeAnchor(RuleTheme theme) => theme switch
    {
        RuleTheme.NoticeAndContractEnd => "theme-preavis-et-fin-de-contrat",
        RuleTheme.TrialPeriod => "theme-periode-d-essai",
        RuleTheme.Training => "theme-formation",
        RuleTheme.FundingAndPosts => "theme-financement-et-postes",
        _ => "theme-calendrier",
    };

    /// <summary>The explanations write dates as 2026-11-10; the page reads "10 novembre 2026".</summary>
    public static string FrenchDates(string text) => IsoDate().Replace(text, m =>
        DateOnly.TryParseExact(m.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? Fr.Date(date) : m.Value);

    public static string DayName(DateOnly date) => date.ToString("dddd", Fr.Culture);

    /// <summary>The source, with the site it names (conseiller-numerique.gouv.fr, or a full address) as a link.</summary>
    public static IHtmlContent SourceWithLinks(string source)
    {
        var html = new HtmlContentBuilder();
        var last = 0;
        foreach (Match m in Address().Matches(source))
        {
            html.Append(source[last..m.Index]);
            var href = m.Value.StartsWith("http", StringComparison.Ordinal) ? m.Value : "https://" + m.Value;
            html.AppendHtml($"<a href=\"{HtmlEncoder.Default.Encode(href)}\" rel=\"noopener\">{HtmlEncoder.Default.Encode(m.Value)}</a>");
            last = m.Index + m.Length;
        }
        html.Append(source[last..]);
        return html;
    }

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDate();

    // A full address, or a bare host name of a French public site as the sources write them ("conseiller-numerique.gouv.fr").
    [GeneratedRegex(@"https?://[^\s)]+|\b(?:[a-z0-9-]+\.)+gouv\.fr\b")]
    private static partial Regex Address();
}

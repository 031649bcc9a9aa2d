using CareerPath.Server.Web;

namespace CareerPath.Server.Pages.Regles;

/// <summary>
/// "Règles appliquées", for every signed-in person: each rule of the catalogue with what it computes, its source, and
/// a worked example computed now by the rule's own code (RuleExamples), so anyone can check how a date is reached.
/// No personal data: nothing to scope, nothing to log.
/// </summary>
public sealed class ReglesModel : CareerPathPage
{
    public IReadOnlyList<RuleThemeView> Themes { get; private set; } = [];

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Règles appliquées")];

    public void OnGet() => Themes = RulePages.Themes();
}

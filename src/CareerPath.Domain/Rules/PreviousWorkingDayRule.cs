namespace CareerPath.Domain.Rules;

/// <summary>The convention applied to every deadline to act by.</summary>
public static class PreviousWorkingDayRule
{
    // The law gives "at the latest" dates; acting on the previous working day is always within them,
    // whereas the next working day could be too late. Public holidays: Code du travail L3133-1.
    public static readonly RuleInfo Rule = new(
        "calendar.previous-working-day",
        "Report au jour ouvré précédent",
        "Une échéance qui tombe un samedi, un dimanche ou un jour férié est avancée au jour ouvré précédent, pour que l'acte reste dans le délai.",
        "Règle de prudence CareerPath ; jours fériés : Code du travail, art. L3133-1 (métropole, hors Alsace-Moselle)")
    {
        Interpretations =
        [
            "Avancer l'échéance est une règle de prudence de CareerPath : les textes donnent des dates « au plus tard », et agir le jour ouvré précédent "
            + "reste dans le délai, alors que le jour ouvré suivant pourrait être trop tard.",
            "Les jours ouvrés sont ceux du lundi au vendredi, hors jours fériés : le samedi n'en est pas un, et le lundi de Pentecôte est férié "
            + "même là où il est la journée de solidarité.",
            "Seuls les jours fériés de la métropole sont connus : ni ceux propres à l'Alsace-Moselle (Vendredi saint, 26 décembre) ni ceux des outre-mer.",
        ],
    };
}

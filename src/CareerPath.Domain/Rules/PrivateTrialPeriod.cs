using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Rules;

/// <summary>Trial period of a private-law contract (CDD, and CDI including a PEC without end date).</summary>
public static class PrivateTrialPeriod
{
    public static readonly RuleInfo CddRule = new(
        "trial.private-cdd",
        "Période d'essai d'un CDD de droit privé",
        "La période d'essai d'un CDD compte 1 jour par semaine de durée initialement prévue, dans la limite de 2 semaines si le contrat dure 6 mois ou moins, d'1 mois sinon. Les jours sont des jours calendaires.",
        "Code du travail, art. L1242-10")
    {
        Interpretations =
        [
            "Les jours sont des jours calendaires, selon la jurisprudence constante de la Cour de cassation (chambre sociale) : l'article L1242-10 ne le précise pas.",
            "Chaque semaine entière de la durée initialement prévue donne 1 jour, compté à partir du premier jour du contrat ; "
            + "la période d'essai calculée est la plus longue que le texte permet, le contrat pouvant en prévoir une plus courte.",
        ],
    };

    public static readonly RuleInfo CdiRule = new(
        "trial.private-cdi",
        "Période d'essai d'un CDI de droit privé",
        "La période d'essai d'un CDI dure au plus 2 mois pour un employé, catégorie retenue pour les conseillers numériques (3 mois pour un agent de maîtrise ou technicien, 4 mois pour un cadre).",
        "Code du travail, art. L1221-19")
    {
        Interpretations =
        [
            "CareerPath retient la catégorie des employés (2 mois) pour tous les conseillers numériques, sans lire leur classification dans la convention collective "
            + "de la structure ; un accord collectif ou le contrat peut prévoir une période plus courte.",
        ],
    };

    /// <summary>
    /// Last day of the trial of a private CDD (a PEC signed as a CDD follows it too), or null when shorter than a week:
    /// whole weeks of the initial duration give that many calendar days from the start (day 1), capped at
    /// start + 2 weeks - 1 day (6 months or less) or start + 1 month - 1 day. Not moved: it is not an act.
    /// </summary>
    public static Deadline? CddEnd(DateOnly start, DateOnly initialEnd)
    {
        var weeks = DateMath.LengthInDays(start, initialEnd) / 7;
        if (weeks == 0) return null;
        var duration = CalendarPeriod.Between(start, initialEnd);
        var (cap, capCase) = duration <= CalendarPeriod.OfMonths(6) ? (CalendarPeriod.OfDays(14), "6 mois ou moins : 2 semaines") : (CalendarPeriod.OfMonths(1), "plus de 6 mois : 1 mois");
        var byDays = start.AddDays(weeks - 1);
        var capEnd = DateMath.Add(start, cap).AddDays(-1);
        var trialEnd = byDays < capEnd ? byDays : capEnd;
        return new ExplanationBuilder(CddRule)
            .Input("Début du contrat", start).Input("Fin initialement prévue", initialEnd).Input("Durée initiale", duration.Describe())
            .Step($"{weeks} semaines entières de contrat : {weeks} jours calendaires à compter du {FrenchFormat.Date(start)}, soit jusqu'au {FrenchFormat.Date(byDays)}.")
            .Step($"Plafond pour une durée de {capCase}, soit jusqu'au {FrenchFormat.Date(capEnd)}.")
            .Step($"Fin de la période d'essai : la plus proche des deux dates, le {FrenchFormat.Date(trialEnd)}.")
            .Unadjusted("Fin de la période d'essai", trialEnd, "Date de fin d'une durée, pas d'un acte : pas de report.");
    }

    public static Deadline CdiEnd(DateOnly start)
    {
        var trialEnd = DateMath.Add(start, CalendarPeriod.OfMonths(2)).AddDays(-1);
        return new ExplanationBuilder(CdiRule)
            .Input("Début du contrat", start)
            .Step($"2 mois à compter du {FrenchFormat.Date(start)} : jusqu'au {FrenchFormat.Date(trialEnd)}.")
            .Unadjusted("Fin de la période d'essai", trialEnd, "Date de fin d'une durée, pas d'un acte : pas de report.");
    }
}

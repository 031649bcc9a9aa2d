using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Rules;

/// <summary>Trial period of a public-law contract agent (fonction publique territoriale).</summary>
public static class PublicTrialPeriod
{
    public static readonly RuleInfo Rule = new(
        "trial.public",
        "Période d'essai d'un agent contractuel de droit public",
        "La période d'essai compte 1 jour ouvré par semaine de durée du contrat, dans la limite de 3 semaines (contrat de moins de 6 mois), 1 mois (moins d'1 an), 2 mois (moins de 2 ans) ou 3 mois (2 ans ou plus, et CDI). Aucune période d'essai lors d'un renouvellement pour les mêmes fonctions.",
        "Décret n° 88-145 du 15 février 1988, art. 4")
    {
        Interpretations =
        [
            "CareerPath lit « 1 jour ouvré par semaine de durée de contrat » ainsi : chaque semaine entière de la durée initialement prévue donne 1 jour ouvré, "
            + "et ces jours ouvrés (du lundi au vendredi, hors jours fériés) se comptent à partir du premier jour du contrat, compris s'il est ouvré.",
            "La période d'essai calculée est la plus longue que le texte permet ; le contrat peut en prévoir une plus courte.",
            "Un contrat signé comme le renouvellement d'un précédent est tenu pour conclu pour les mêmes fonctions : aucune période d'essai ne lui est comptée.",
        ],
    };

    /// <summary>
    /// Last day of the trial period, or null when the contract is shorter than a week. "1 jour ouvré par semaine"
    /// is read as: the whole weeks of the initially planned duration give that many working days, counted from
    /// the start (day 1 when worked). The calendar cap ends on start + cap - 1 day. The result is already in
    /// working days, so it is not moved.
    /// </summary>
    /// <param name="initialEnd">The end initially planned by the contract (amendments do not count); null for a CDI.</param>
    public static Deadline? End(DateOnly start, DateOnly? initialEnd)
    {
        var explanation = new ExplanationBuilder(Rule).Input("Début du contrat", start)
            .Input("Fin initialement prévue", initialEnd is { } e ? FrenchFormat.Date(e) : "aucune (CDI)");
        if (initialEnd is not { } end)
        {
            var cdiEnd = DateMath.Add(start, CalendarPeriod.OfMonths(3)).AddDays(-1);
            return explanation.Step($"Contrat à durée indéterminée : 3 mois au plus, jusqu'au {FrenchFormat.Date(cdiEnd)}.")
                .Unadjusted("Fin de la période d'essai", cdiEnd, "Date de fin d'une durée, pas d'un acte : pas de report.");
        }

        var weeks = DateMath.LengthInDays(start, end) / 7;
        if (weeks == 0) return null;
        var duration = CalendarPeriod.Between(start, end);
        var (cap, capCase) = duration < CalendarPeriod.OfMonths(6) ? (CalendarPeriod.OfDays(21), "moins de 6 mois : 3 semaines")
            : duration < CalendarPeriod.OfYears(1) ? (CalendarPeriod.OfMonths(1), "moins d'1 an : 1 mois")
            : duration < CalendarPeriod.OfYears(2) ? (CalendarPeriod.OfMonths(2), "moins de 2 ans : 2 mois")
            : (CalendarPeriod.OfMonths(3), "2 ans ou plus : 3 mois");
        var byWorkingDays = WorkingDays.NthWorkingDayFrom(start, weeks);
        var capEnd = DateMath.Add(start, cap).AddDays(-1);
        var trialEnd = byWorkingDays < capEnd ? byWorkingDays : capEnd;
        return explanation.Input("Durée initiale", duration.Describe())
            .Step($"{weeks} semaines entières de contrat : {weeks} jours ouvrés à compter du {FrenchFormat.Date(start)}, soit jusqu'au {FrenchFormat.Date(byWorkingDays)}.")
            .Step($"Plafond pour une durée de {capCase}, soit jusqu'au {FrenchFormat.Date(capEnd)}.")
            .Step($"Fin de la période d'essai : la plus proche des deux dates, le {FrenchFormat.Date(trialEnd)}.")
            .Unadjusted("Fin de la période d'essai", trialEnd, "Durée déjà comptée en jours ouvrés ou plafonnée par le texte : pas de report.");
    }
}

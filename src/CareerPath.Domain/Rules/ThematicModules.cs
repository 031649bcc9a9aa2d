using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Rules;

/// <summary>A due thematic-module requirement: how many modules, completed within which window, by which deadline.</summary>
public sealed record ThematicModuleDue(Deadline Deadline, int Required, DateOnly CountsFrom, DateOnly CountsUntil);

/// <summary>Thematic modules after the initial training.</summary>
public static class ThematicModules
{
    public static readonly RuleInfo Rule = new(
        "training.thematic-modules",
        "Modules de formation thématiques",
        "Le conseiller suit 2 modules thématiques dans l'année qui suit le début de sa formation initiale, puis 1 module par année civile.",
        "Programme Conseiller numérique — parcours de formation (conseiller-numerique.gouv.fr)")
    {
        Interpretations =
        [
            "L'année qui suit le début de la formation initiale s'achève à sa date anniversaire.",
            "Le reste de l'année civile de cette première échéance n'est pas une année à part (il ne durerait que quelques semaines pour une formation commencée "
            + "en décembre) : le module annuel est dû à partir de l'année civile suivante, et un module suivi entre la première échéance et le 31 décembre "
            + "ne compte pour aucune des deux obligations.",
        ],
    };

    /// <summary>
    /// The requirements due on or before until: 2 modules by initial training start + 1 year, then 1 module by
    /// 31 December of each calendar year that starts after that first deadline (the rest of the first deadline's
    /// year is not a year of its own: it would be only a few weeks long when training started in December).
    /// </summary>
    public static IReadOnlyList<ThematicModuleDue> Schedule(DateOnly initialTrainingStart, DateOnly until)
    {
        var schedule = new List<ThematicModuleDue>();
        var first = DateMath.AddYears(initialTrainingStart, 1);
        if (first > until) return schedule;
        schedule.Add(new(new ExplanationBuilder(Rule)
                .Input("Début de la formation initiale", initialTrainingStart)
                .Step($"Début de formation le {FrenchFormat.Date(initialTrainingStart)} plus 1 an : {FrenchFormat.Date(first)}.")
                .OnPreviousWorkingDay("Suivre 2 modules thématiques", first, "first-year"),
            2, initialTrainingStart, first));
        for (var year = first.Year + 1; new DateOnly(year, 12, 31) <= until; year++)
        {
            var (from, to) = (new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
            schedule.Add(new(new ExplanationBuilder(Rule)
                    .Input("Début de la formation initiale", initialTrainingStart)
                    .Input("Année civile", year.ToString())
                    .Step($"Un module pendant l'année {year}, au plus tard le {FrenchFormat.Date(to)}.")
                    .OnPreviousWorkingDay($"Suivre 1 module thématique en {year}", to, year.ToString()),
                1, from, to));
        }
        return schedule;
    }

    /// <summary>
    /// Modules still missing: each requirement takes, earliest first, the completions of its window not taken by an
    /// earlier one. To count only what is overdue, pass the requirements whose deadline has passed.
    /// </summary>
    public static int CountMissing(IEnumerable<ThematicModuleDue> schedule, IEnumerable<DateOnly> completedOn)
    {
        var remaining = completedOn.Order().ToList();
        var missing = 0;
        foreach (var due in schedule)
        {
            var taken = remaining.Where(d => d >= due.CountsFrom && d <= due.CountsUntil).Take(due.Required).ToList();
            foreach (var date in taken) remaining.Remove(date);
            missing += due.Required - taken.Count;
        }
        return missing;
    }
}

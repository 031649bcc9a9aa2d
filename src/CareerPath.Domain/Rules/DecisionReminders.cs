using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Rules;

/// <summary>Reminders before the date by which the end-of-contract decision must be notified.</summary>
public static class DecisionReminders
{
    public static readonly RuleInfo Rule = new(
        "decision.reminders",
        "Rappels avant la décision de fin de contrat",
        "Des rappels sont envoyés 60, 30 et 7 jours avant la date limite de notification de la décision (le délai de prévenance, ou à défaut le terme du contrat).",
        "Règle de gestion CareerPath, pour tenir les délais du décret n° 88-145, art. 38-1, et du décret n° 2020-172")
    {
        Interpretations =
        [
            "Les rappels et leurs dates (60, 30 et 7 jours avant) sont une règle de gestion de CareerPath : aucun texte ne les prévoit. "
            + "Sans délai de prévenance (contrat de droit privé), ils visent le terme du contrat.",
        ],
    };

    public static readonly IReadOnlyList<int> DefaultOffsetsInDays = [60, 30, 7];

    /// <summary>
    /// One reminder per offset, counted back from the anchor's final date, each moved to the previous working day.
    /// Reminders already past are returned too: filtering against today is the caller's business.
    /// </summary>
    public static IReadOnlyList<Deadline> Compute(Deadline anchor, IEnumerable<int>? offsetsInDays = null) =>
        (offsetsInDays ?? DefaultOffsetsInDays).Distinct().OrderDescending().Select(days =>
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days, nameof(offsetsInDays));
            var unadjusted = anchor.Date.AddDays(-days);
            return new ExplanationBuilder(Rule)
                .Input("Échéance visée", $"{anchor.Label} ({anchor.RuleId}), le {FrenchFormat.Date(anchor.Date)}")
                .Input("Rappel", $"{days} jours avant")
                .Step($"{FrenchFormat.Date(anchor.Date)} moins {days} jours : {FrenchFormat.Date(unadjusted)}.")
                .OnPreviousWorkingDay($"Rappel J-{days} : {anchor.Label}", unadjusted, days.ToString());
        }).ToList();
}

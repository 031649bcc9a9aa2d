using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>End of a grant convention, the alert before it, and the expected tranche payments.</summary>
public static class FundingDeadlines
{
    private const string ConventionSource = "Programme Conseiller numérique — convention de subvention ANCT (conseiller-numerique.gouv.fr)";

    public static readonly RuleInfo EndRule = new(
        "funding.end",
        "Fin du financement du poste",
        "Le financement de l'État s'arrête à la fin de la convention ; la structure doit avoir décidé de la suite du poste.",
        ConventionSource);

    public static readonly RuleInfo EndingAlertRule = new(
        "funding.ending-alert",
        "Alerte avant la fin du financement",
        "La structure est alertée 90 jours avant la fin de la convention pour préparer la suite du poste.",
        "Règle de gestion CareerPath, d'après la " + ConventionSource)
    {
        Interpretations = ["Le délai de 90 jours est une règle de gestion de CareerPath, pour laisser à la structure le temps de préparer la suite du poste."],
    };

    public static readonly RuleInfo TranchesRule = new(
        "funding.tranches",
        "Versement des tranches de subvention",
        "La subvention est versée par tranches aux dates prévues par la convention.",
        ConventionSource);

    public const int AlertDaysBeforeEnd = 90;

    public static Deadline End(GrantConvention convention) => Describe(new ExplanationBuilder(EndRule), convention)
        .OnPreviousWorkingDay("Fin du financement du poste", convention.End, convention.Id.ToString());

    /// <summary>Convention end (before any working-day move) minus 90 days.</summary>
    public static Deadline EndingAlert(GrantConvention convention)
    {
        var unadjusted = convention.End.AddDays(-AlertDaysBeforeEnd);
        return Describe(new ExplanationBuilder(EndingAlertRule), convention)
            .Step($"Fin de la convention le {FrenchFormat.Date(convention.End)} moins {AlertDaysBeforeEnd} jours : {FrenchFormat.Date(unadjusted)}.")
            .OnPreviousWorkingDay("Alerte : fin du financement dans 90 jours", unadjusted, convention.Id.ToString());
    }

    /// <summary>The tranches still awaited (numbered in order of their expected day, received ones included in the count).</summary>
    public static IReadOnlyList<Deadline> Tranches(GrantConvention convention) =>
        convention.Tranches.OrderBy(t => t.ExpectedOn).Select((tranche, i) => (Tranche: tranche, Number: i + 1))
            .Where(t => t.Tranche.ReceivedOn is null)
            .Select(t => Describe(new ExplanationBuilder(TranchesRule), convention)
                .Input("Tranche", $"n° {t.Number}, {FrenchFormat.Euros(t.Tranche.Amount)}")
                .Step($"Versement n° {t.Number} attendu le {FrenchFormat.Date(t.Tranche.ExpectedOn)}.")
                .OnPreviousWorkingDay($"Versement attendu : tranche {t.Number} ({FrenchFormat.Euros(t.Tranche.Amount)})", t.Tranche.ExpectedOn, $"{convention.Id}:{t.Number}"))
            .ToList();

    private static ExplanationBuilder Describe(ExplanationBuilder explanation, GrantConvention convention) => explanation
        .Input("Convention", $"{FrenchFormat.Euros(convention.Amount)}, du {FrenchFormat.Date(convention.Start)} au {FrenchFormat.Date(convention.End)}");
}

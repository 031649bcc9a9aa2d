using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>The State's standard grant per post, by wave and employer regime.</summary>
public static class StandardFunding
{
    public static readonly RuleInfo Rule = new(
        "funding.standard-convention",
        "Montants standard de la subvention par poste",
        "Première vague (plan de relance) : 50 000 € par poste sur 24 mois (employeur public) ou 18 mois (employeur privé). Renouvellement (2023) : 36 mois, 17 500 / 12 500 / 12 500 € par an (public) ou 20 000 / 14 000 / 10 000 € (privé).",
        "Programme Conseiller numérique — conventions de subvention ANCT 2021 et 2023 (conseiller-numerique.gouv.fr)")
    {
        Interpretations =
        [
            "Les 50 000 € de la première vague sont modélisés comme une seule tranche versée au début de la convention : le calendrier de versement "
            + "a varié d'une convention à l'autre, et une convention réelle peut porter ses propres tranches.",
            "Les tranches annuelles du renouvellement sont attendues à chaque date anniversaire du début de la convention ; une convention réelle peut fixer d'autres dates.",
        ],
    };

    /// <summary>
    /// The standard State convention starting on start. Renewal conventions get one tranche per year, on each
    /// anniversary of the start. The first wave's 50 000 € is modelled as a single tranche at the start: the
    /// payment calendar varied between conventions, and a real convention can list its own tranches.
    /// </summary>
    public static GrantConvention StandardConvention(Guid id, ConventionWave wave, LegalRegime regime, DateOnly start)
    {
        if (wave == ConventionWave.FirstWave)
        {
            var months = regime == LegalRegime.Public ? 24 : 18;
            return new(id, FundingSource.State, wave, 50_000m, start, EndAfter(start, months), [new Tranche(50_000m, start)]);
        }
        decimal[] yearly = regime == LegalRegime.Public ? [17_500m, 12_500m, 12_500m] : [20_000m, 14_000m, 10_000m];
        return new(id, FundingSource.State, wave, yearly.Sum(), start, EndAfter(start, 36),
            yearly.Select((amount, year) => new Tranche(amount, DateMath.AddYears(start, year))).ToList());
    }

    // A convention of n months starting on the 1st ends on the last day of the n-th month.
    private static DateOnly EndAfter(DateOnly start, int months) => DateMath.AddMonths(start, months).AddDays(-1);
}

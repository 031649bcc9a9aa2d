using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>Duration bounds and notice period of the public-law contrat de projet.</summary>
public static class ContratDeProjetRules
{
    // The law of 6 August 2019 (art. 17) created the contrat de projet in loi 84-53, art. 3 II; since 1 March 2022 it
    // is CGFP L332-24 to L332-26, the 1-to-6-year bounds being L332-25.
    public static readonly RuleInfo BoundsRule = new(
        "bounds.contrat-de-projet",
        "Durée d'un contrat de projet",
        "Le contrat de projet de droit public dure au moins 1 an et au plus 6 ans, renouvellements compris. Le contrat de projet de droit privé (CDI d'opération) n'a pas de durée légale.",
        "Code général de la fonction publique, art. L332-24 à L332-26 (issus de la loi n° 2019-828 du 6 août 2019, art. 17). "
        + "Droit privé : Code du travail, art. L1223-8 (ordonnance n° 2017-1387 du 22 septembre 2017)");

    // Décret 2020-172 gave the territorial contrat de projet its notice in décret 88-145, art. 38-1, II (2 months up to
    // 3 years, 3 months beyond, in the same words as for the hospital service). Décret 2025-695 of 24 July 2025 then
    // created the CGFP's regulatory book on recruitment, in force since 1 October 2025, whose R332-39 states the same
    // 2 and 3 months and R332-40 the agent's 8 days. Both are cited: notices given before that date fell under the décret.
    public static readonly RuleInfo NoticeRule = new(
        "notice.contrat-de-projet",
        "Délai de prévenance du renouvellement ou non d'un contrat de projet",
        "L'employeur notifie son intention de renouveler ou non le contrat de projet, par lettre recommandée ou remise en main propre, au plus tard 2 mois avant son terme si l'agent a été recruté pour 3 ans ou moins, 3 mois au-delà. L'agent a 8 jours pour répondre à une proposition de renouvellement ; son silence vaut renonciation.",
        "Décret n° 88-145 du 15 février 1988, art. 38-1, II (issu du décret n° 2020-172 du 27 février 2020) ; "
        + "depuis le 1er octobre 2025, Code général de la fonction publique, art. R332-39 et R332-40 (décret n° 2025-695 du 24 juillet 2025)")
    {
        Interpretations =
        [
            "La durée pour laquelle l'agent a été recruté est celle du contrat en cours, de son début à son terme, avenants de prolongation compris ; "
            + "les contrats de projet qui l'ont précédé ne s'y ajoutent pas.",
        ],
    };

    public static readonly CalendarPeriod MinDuration = CalendarPeriod.OfYears(1);
    public static readonly CalendarPeriod MaxDuration = CalendarPeriod.OfYears(6);

    public static Verdict CheckDuration(LegalRegime regime, DateOnly start, DateOnly end)
    {
        var duration = CalendarPeriod.Between(start, end);
        var explanation = new ExplanationBuilder(BoundsRule)
            .Input("Régime", regime == LegalRegime.Public ? "droit public" : "droit privé")
            .Input("Début", start).Input("Fin", end).Input("Durée", duration.Describe());
        if (regime == LegalRegime.Private)
            return explanation.Step("Le contrat de projet de droit privé est un CDI conclu pour une opération : pas de durée minimale ni maximale.")
                .Verdict(true, $"Sans objet ({BoundsRule.Id}) : aucune durée légale pour un contrat de projet de droit privé (Code du travail L1223-8).");

        explanation.Step($"Durée du {FrenchFormat.Date(start)} au {FrenchFormat.Date(end)} : {duration.Describe()} ; bornes : 1 an à 6 ans.");
        return duration < MinDuration
                ? explanation.Verdict(false, $"Refusé ({BoundsRule.Id}, CGFP L332-25) : un contrat de projet dure au moins 1 an ({duration.Describe()}).")
            : duration > MaxDuration
                ? explanation.Verdict(false, $"Refusé ({BoundsRule.Id}, CGFP L332-25) : un contrat de projet dure au plus 6 ans ({duration.Describe()}).")
            : explanation.Verdict(true, $"Autorisé ({BoundsRule.Id}) : durée de {duration.Describe()}, entre 1 et 6 ans.");
    }

    /// <summary>Notice deadline: term minus 2 months (contract of 3 years or less) or 3 months (longer).</summary>
    public static Deadline Notice(Contract contract)
    {
        if (contract is not { Type: ContractType.ContratDeProjet, Regime: LegalRegime.Public, EffectiveEnd: { } term })
            throw new DomainException(NoticeRule.Id, "Ce délai de prévenance ne concerne que les contrats de projet de droit public.");

        var duration = CalendarPeriod.Between(contract.Start, term);
        var notice = CalendarPeriod.OfMonths(duration <= CalendarPeriod.OfYears(3) ? 2 : 3);
        var unadjusted = DateMath.Subtract(term, notice);
        return new ExplanationBuilder(NoticeRule)
            .Input("Début du contrat", contract.Start)
            .Input("Terme du contrat", term)
            .Input("Durée du contrat", duration.Describe())
            .Step($"Durée de {duration.Describe()}, {(notice.Months == 2 ? "3 ans ou moins" : "plus de 3 ans")} : délai de {notice.Describe()}.")
            .Step($"Terme du {FrenchFormat.Date(term)} moins {notice.Describe()} : {FrenchFormat.Date(unadjusted)}.")
            .Step("Si le renouvellement est proposé, l'agent a 8 jours pour répondre ; son silence vaut renonciation à l'emploi.")
            .OnPreviousWorkingDay("Notifier le renouvellement ou non du contrat de projet", unadjusted);
    }
}

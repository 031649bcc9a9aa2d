using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>Duration bounds and notice period of the public-law contrat de projet.</summary>
public static class ContratDeProjetRules
{
    public static readonly RuleInfo BoundsRule = new(
        "bounds.contrat-de-projet",
        "Durée d'un contrat de projet",
        "Le contrat de projet de droit public dure au moins 1 an et au plus 6 ans, renouvellements compris. Le contrat de projet de droit privé (CDI d'opération) n'a pas de durée légale.",
        "Loi n° 2019-828 du 6 août 2019, art. 17 (CGFP, art. L332-24 à L332-26) ; décret n° 2020-172 du 27 février 2020. "
        + "Droit privé : ordonnance n° 2017-1387 du 22 septembre 2017, Code du travail, art. L1223-8");

    public static readonly RuleInfo NoticeRule = new(
        "notice.contrat-de-projet",
        "Délai de prévenance du renouvellement ou non d'un contrat de projet",
        "L'employeur notifie son intention de renouveler ou non le contrat de projet au plus tard 2 mois avant son terme si le contrat dure 3 ans ou moins, 3 mois s'il dure plus de 3 ans.",
        "Décret n° 2020-172 du 27 février 2020 ; CGFP, art. R332-39");

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
                ? explanation.Verdict(false, $"Refusé ({BoundsRule.Id}, loi n° 2019-828 art. 17) : un contrat de projet dure au moins 1 an ({duration.Describe()}).")
            : duration > MaxDuration
                ? explanation.Verdict(false, $"Refusé ({BoundsRule.Id}, loi n° 2019-828 art. 17) : un contrat de projet dure au plus 6 ans ({duration.Describe()}).")
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

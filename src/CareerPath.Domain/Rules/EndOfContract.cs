using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>The end of a contract and the follow-ups of what became of the advisor.</summary>
public static class EndOfContract
{
    private const string FollowUpSource = "Programme Conseiller numérique — suivi du devenir des conseillers (ANCT, conseiller-numerique.gouv.fr)";

    public static readonly RuleInfo ContractEndRule = new(
        "contract.end",
        "Fin du contrat",
        "Le contrat prend fin à son terme (avenants compris) ou à la date de fin anticipée ; la structure déclare aussitôt la fin et son motif au programme.",
        "Contrat de travail et avenants ; " + FollowUpSource);

    public static readonly RuleInfo FollowUp6Rule = new(
        "followup.6-months", "Suivi à 6 mois", "La situation de l'ancien conseiller est recueillie 6 mois après la fin de son contrat.", FollowUpSource);

    public static readonly RuleInfo FollowUp12Rule = new(
        "followup.12-months", "Suivi à 12 mois", "La situation de l'ancien conseiller est recueillie 12 mois après la fin de son contrat.", FollowUpSource);

    /// <summary>The last day of the contract; null for a CDI still running.</summary>
    public static Deadline? ContractEnd(Contract contract)
    {
        if (contract.ActualEnd is not { } end) return null;
        var explanation = new ExplanationBuilder(ContractEndRule).Input("Début du contrat", contract.Start);
        if (contract.End is { } signed) explanation.Input("Fin signée", signed);
        foreach (var amendment in contract.Amendments.OrderBy(a => a.EffectiveOn))
            explanation.Step($"Avenant du {FrenchFormat.Date(amendment.EffectiveOn)} : nouvelle fin le {FrenchFormat.Date(amendment.NewEnd)} ({amendment.Reason}).");
        if (contract.EarlyTermination is { } termination)
            explanation.Step($"Fin anticipée le {FrenchFormat.Date(termination.Date)} ({FrenchTerms.Describe(termination.Reason)}).");
        return explanation.Unadjusted("Fin du contrat", end, "Date de fin du contrat, pas un acte à accomplir : pas de report.");
    }

    public static IReadOnlyList<Deadline> FollowUps(DateOnly contractEnd) =>
        [FollowUp(FollowUp6Rule, contractEnd, 6), FollowUp(FollowUp12Rule, contractEnd, 12)];

    private static Deadline FollowUp(RuleInfo rule, DateOnly contractEnd, int months)
    {
        var unadjusted = DateMath.AddMonths(contractEnd, months);
        return new ExplanationBuilder(rule)
            .Input("Fin du contrat", contractEnd)
            .Step($"Fin du contrat le {FrenchFormat.Date(contractEnd)} plus {months} mois : {FrenchFormat.Date(unadjusted)}.")
            .OnPreviousWorkingDay($"Suivi à {months} mois : situation de l'ancien conseiller", unadjusted);
    }
}

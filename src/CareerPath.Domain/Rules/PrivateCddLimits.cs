using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>Total length and number of renewals of a private-law CDD.</summary>
public static class PrivateCddLimits
{
    // L1242-8 and L1243-13 let a branch agreement set other limits; L1242-8-1 and L1243-13-1 give these
    // defaults. The 9- and 24-month special cases of L1242-8-1 do not arise for conseillers numériques.
    public static readonly RuleInfo Rule = new(
        "limits.private-cdd",
        "Durée et renouvellements d'un CDD de droit privé",
        "Un CDD de droit privé dure au plus 18 mois, renouvellements compris, et peut être renouvelé deux fois au plus, sauf accord de branche.",
        "Code du travail, art. L1242-8 et L1242-8-1 (durée), L1243-13 et L1243-13-1 (renouvellements)");

    public static readonly CalendarPeriod MaxTotal = CalendarPeriod.OfMonths(18);
    public const int MaxRenewals = 2;

    public static Verdict CheckAmendment(Contract contract, DateOnly proposedNewEnd) => CheckAmendment(contract, proposedNewEnd, []);

    /// <param name="earlierInChain">The earlier contracts of its renewal chain (see <see cref="ContractChain"/>).</param>
    public static Verdict CheckAmendment(Contract contract, DateOnly proposedNewEnd, IReadOnlyCollection<Contract> earlierInChain)
    {
        var explanation = new ExplanationBuilder(Rule)
            .Input("Contrat", FrenchTerms.Describe(contract.Type, contract.Regime))
            .Input("Fin actuelle", FrenchFormat.Date(contract.EffectiveEnd))
            .Input("Nouvelle fin proposée", proposedNewEnd);
        if (contract is not { Type: ContractType.Cdd, Regime: LegalRegime.Private, EffectiveEnd: { } currentEnd })
            return explanation.Verdict(true, $"Sans objet ({Rule.Id}) : la règle ne vise que les CDD de droit privé.");

        var renewals = contract.RenewalCount(earlierInChain);
        var isRenewal = proposedNewEnd > currentEnd;
        var total = earlierInChain.Select(c => CalendarPeriod.Between(c.Start, c.ActualEnd ?? c.Start))
            .Aggregate(CalendarPeriod.Between(contract.Start, proposedNewEnd), (sum, length) => sum + length);
        explanation.Input("Renouvellements déjà faits", renewals.ToString())
            .Step(isRenewal ? $"La nouvelle fin repousse le terme : ce serait le renouvellement n° {renewals + 1}." : "La nouvelle fin ne repousse pas le terme : ce n'est pas un renouvellement.")
            .Step($"Durée totale, contrats précédents de la chaîne compris : {total.DescribeInMonths()}.");

        var refusals = new List<(string Article, string Reason)>();
        if (total > MaxTotal)
            refusals.Add(("L1242-8-1", $"la durée totale renouvellements compris dépasserait 18 mois ({total.DescribeInMonths()})"));
        if (isRenewal && renewals + 1 > MaxRenewals)
            refusals.Add(("L1243-13-1", $"ce serait le {renewals + 1}e renouvellement, {MaxRenewals} au plus"));
        return refusals.Count == 0
            ? explanation.Verdict(true, $"Autorisé ({Rule.Id}) : durée totale de {total.DescribeInMonths()} et {renewals + (isRenewal ? 1 : 0)} renouvellement(s).")
            : explanation.Verdict(false, $"Refusé ({Rule.Id}, Code du travail {string.Join(", ", refusals.Select(r => r.Article))}) : "
                + string.Join(" ; ", refusals.Select(r => r.Reason)) + ".");
    }
}

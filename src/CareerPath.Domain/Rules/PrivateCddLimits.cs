using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>Total length and number of renewals of a private-law CDD, successive CDDs on the same post included.</summary>
public static class PrivateCddLimits
{
    // L1242-8 and L1243-13 let a branch agreement set other limits; L1242-8-1 and L1243-13-1 give these
    // defaults. The 9- and 24-month special cases of L1242-8-1 do not arise for conseillers numériques.
    // Likewise L1244-3 lets a branch agreement set the délai de carence and L1244-3-1 gives the default used here;
    // the cases where no carence applies (L1244-4-1) are not modelled.
    public static readonly RuleInfo Rule = new(
        "limits.private-cdd",
        "Durée et renouvellements d'un CDD de droit privé",
        "Un CDD de droit privé dure au plus 18 mois, renouvellements compris, et peut être renouvelé deux fois au plus, sauf accord de branche. "
        + "Un nouveau CDD du même conseiller sur le même poste, conclu avant la fin du délai de carence qui suit le précédent "
        + "(le tiers de sa durée renouvellements compris, la moitié sous 14 jours), est compté avec lui comme un renouvellement.",
        "Code du travail, art. L1242-8 et L1242-8-1 (durée), L1243-13 et L1243-13-1 (renouvellements), L1244-3 et L1244-3-1 (délai de carence)")
    {
        Interpretations =
        [
            "Un CDD du même conseiller sur le même poste conclu avant la fin du délai de carence est compté avec le précédent, comme un renouvellement : "
            + "le Code du travail interdit ce contrat et le répute à durée indéterminée (L1245-1) ; CareerPath le traite comme la suite du précédent, "
            + "pas comme un nouveau départ de 18 mois.",
            "Le délai de carence se compte en jours d'ouverture de l'établissement, que CareerPath ne connaît pas : il compte les jours ouvrés (du lundi au vendredi, "
            + "hors jours fériés), ce qui ne raccourcit pas la carence d'une structure ouverte au moins ces jours-là.",
            "Une fraction de jour dans le tiers ou la moitié de la durée du contrat est arrondie au jour supérieur : le texte ne dit rien des fractions, "
            + "et l'arrondi supérieur ne raccourcit jamais la carence.",
            "Les cas où le Code du travail écarte le délai de carence (art. L1244-4-1) ne sont pas distingués : la carence est toujours appliquée.",
            "Les durées des contrats de la succession s'additionnent en mois et en jours, 30 jours faisant un mois.",
        ],
    };

    public static readonly CalendarPeriod MaxTotal = CalendarPeriod.OfMonths(18);
    public const int MaxRenewals = 2;

    /// <summary>Below this length (renewals included) the délai de carence is half the contract, from it a third (L1244-3-1).</summary>
    public const int CarenceThirdFromDays = 14;

    /// <summary>
    /// The délai de carence after a private CDD of the given length in calendar days, renewals included (L1244-3-1):
    /// a third of it from 14 days, half of it below. Counted in days of opening of the establishment; a fraction of a
    /// day is rounded up (CareerPath's reading: the text says nothing of fractions, and rounding up never shortens it).
    /// </summary>
    public static int CarenceInOpeningDays(int expiredLengthInDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expiredLengthInDays, 1);
        return expiredLengthInDays >= CarenceThirdFromDays ? (expiredLengthInDays + 2) / 3 : (expiredLengthInDays + 1) / 2;
    }

    /// <summary>
    /// The earlier contracts that count with current against the 18 months and the 2 renewals, oldest first, each once:
    /// its renewals signed as new contracts (the PreviousContractId links of <see cref="ContractChain"/>), and, when
    /// current is a private CDD, each private CDD of the same advisor on the same post that ended less than a délai de
    /// carence before the next one of the succession began. Counting such a contract is CareerPath's reading: the text
    /// forbids a new CDD within the carence (L1244-3-1) and would requalify it as a CDI (L1245-1), so the program treats
    /// it as the continuation it would be held to be rather than as a fresh 18 months.
    /// </summary>
    /// <param name="others">The advisor's other contracts with the same employer; current itself is skipped.</param>
    public static IReadOnlyList<Contract> EarlierInSuccession(Contract current, IEnumerable<Contract> others)
    {
        var known = others.Where(c => c.Id != current.Id).DistinctBy(c => c.Id).ToList();
        var byId = known.ToDictionary(c => c.Id);
        var succession = new List<Contract>();
        var seen = new HashSet<Guid> { current.Id };
        for (var next = current; ;)
        {
            var previous = next.PreviousContractId is { } id && !seen.Contains(id) && byId.TryGetValue(id, out var linked) ? linked
                : IsPrivateCdd(current) ? LatestOnSamePostWithinCarence(next, known.Where(c => !seen.Contains(c.Id)), byId)
                : null;
            if (previous is null) break;
            succession.Add(previous);
            seen.Add(previous.Id);
            next = previous;
        }
        succession.Reverse();
        return succession;
    }

    public static Verdict CheckAmendment(Contract contract, DateOnly proposedNewEnd) => CheckAmendment(contract, proposedNewEnd, []);

    /// <param name="earlierInSuccession">
    /// The earlier contracts counted with it, oldest first: <see cref="EarlierInSuccession"/>, which adds the successive
    /// contracts within the délai de carence to the renewals of <see cref="ContractChain.EarlierInChain"/>.
    /// </param>
    public static Verdict CheckAmendment(Contract contract, DateOnly proposedNewEnd, IReadOnlyCollection<Contract> earlierInSuccession)
    {
        var explanation = new ExplanationBuilder(Rule)
            .Input("Contrat", FrenchTerms.Describe(contract.Type, contract.Regime))
            .Input("Fin actuelle", FrenchFormat.Date(contract.EffectiveEnd))
            .Input("Nouvelle fin proposée", proposedNewEnd);
        if (contract is not { Type: ContractType.Cdd, Regime: LegalRegime.Private, EffectiveEnd: { } currentEnd })
            return explanation.Verdict(true, $"Sans objet ({Rule.Id}) : la règle ne vise que les CDD de droit privé.");

        // Each earlier contract counts as one renewal, whether it was renewed by a linked contract or followed within the carence.
        var renewals = contract.RenewalCount(earlierInSuccession);
        var isRenewal = proposedNewEnd > currentEnd;
        var total = earlierInSuccession.Select(c => CalendarPeriod.Between(c.Start, c.ActualEnd ?? c.Start))
            .Aggregate(CalendarPeriod.Between(contract.Start, proposedNewEnd), (sum, length) => sum + length);
        explanation.Input("Renouvellements déjà faits", renewals.ToString());
        DescribeSuccession(explanation, [.. earlierInSuccession.OrderBy(c => c.Start), contract]);
        explanation
            .Step(isRenewal ? $"La nouvelle fin repousse le terme : ce serait le renouvellement n° {renewals + 1}." : "La nouvelle fin ne repousse pas le terme : ce n'est pas un renouvellement.")
            .Step($"Durée totale, contrats précédents de la succession compris : {total.DescribeInMonths()}.");

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

    // One step per earlier contract, saying why it counts; the reading is stated once if a contract came in by the carence.
    private static void DescribeSuccession(ExplanationBuilder explanation, IReadOnlyList<Contract> succession)
    {
        var byId = succession.DistinctBy(c => c.Id).ToDictionary(c => c.Id);
        var byCarence = false;
        for (var i = 0; i + 1 < succession.Count; i++)
        {
            var (previous, next) = (succession[i], succession[i + 1]);
            var end = previous.ActualEnd ?? previous.Start;
            var counted = $"Contrat du {FrenchFormat.Date(previous.Start)} au {FrenchFormat.Date(end)} ({CalendarPeriod.Between(previous.Start, end).DescribeInMonths()})";
            if (next.PreviousContractId == previous.Id)
                explanation.Step($"{counted} : renouvelé par le contrat suivant, signé comme un nouveau contrat ; compté comme un renouvellement.");
            else if (end < next.Start && Carence(previous, next, byId) is { WithinCarence: true } gap)
            {
                byCarence = true;
                var after = end.AddDays(1) == next.Start ? "dès le lendemain" : $"après {Plural(gap.OpeningDaysBetween, "jour ouvré", "jours ouvrés")}";
                explanation.Step($"{counted} : le contrat suivant, sur le même poste, a commencé {after}, "
                    + $"avant la fin du délai de carence de {gap.CarenceDays} jours ({(gap.ExpiredLengthInDays >= CarenceThirdFromDays ? "le tiers" : "la moitié")} "
                    + $"de {gap.ExpiredLengthInDays} jours, L1244-3-1) ; compté comme un renouvellement.");
            }
            else
                explanation.Step($"{counted} : compté comme contrat précédent de la succession.");
        }
        if (byCarence)
            explanation.Step("Compter dans la succession un CDD conclu pendant le délai de carence est une lecture de CareerPath : le Code du travail l'interdit "
                + "et le répute à durée indéterminée (L1245-1), il ne lui ouvre pas 18 mois nouveaux. Les jours d'ouverture de la structure sont comptés "
                + "comme les jours ouvrés (du lundi au vendredi, hors jours fériés), ce qui ne raccourcit jamais la carence.");
    }

    private static bool IsPrivateCdd(Contract contract) => contract is { Type: ContractType.Cdd, Regime: LegalRegime.Private };

    private static Contract? LatestOnSamePostWithinCarence(Contract next, IEnumerable<Contract> candidates, IReadOnlyDictionary<Guid, Contract> byId)
    {
        var previous = candidates
            .Where(c => IsPrivateCdd(c) && c.AdvisorId == next.AdvisorId && c.PostId == next.PostId && c.ActualEnd is { } end && end < next.Start)
            .MaxBy(c => c.ActualEnd);
        return previous is not null && Carence(previous, next, byId).WithinCarence ? previous : null;
    }

    private sealed record CarenceGap(int ExpiredLengthInDays, int CarenceDays, int OpeningDaysBetween)
    {
        public bool WithinCarence => OpeningDaysBetween < CarenceDays;
    }

    // The expired contract's length runs from the start of its own renewals signed as new contracts to the day it really
    // stopped. The days between it and the next are counted as working days (Monday to Friday, public holidays excepted)
    // for the text's "jours d'ouverture": CareerPath does not know a structure's opening days, and a structure open on
    // Saturdays has more of them, so this count can only find the carence unfinished where it is finished, never the reverse.
    private static CarenceGap Carence(Contract expired, Contract next, IReadOnlyDictionary<Guid, Contract> byId)
    {
        var end = expired.ActualEnd ?? expired.Start;
        var start = expired.Start;
        var seen = new HashSet<Guid> { expired.Id };
        for (var id = expired.PreviousContractId; id is { } previousId && seen.Add(previousId) && byId.TryGetValue(previousId, out var renewed); id = renewed.PreviousContractId)
            start = renewed.Start < start ? renewed.Start : start;
        var length = DateMath.LengthInDays(start, end);
        var carence = CarenceInOpeningDays(length);
        var opening = 0;
        for (var day = end.AddDays(1); day < next.Start && opening < carence; day = day.AddDays(1))
            if (WorkingDays.IsWorkingDay(day)) opening++;
        return new(length, carence, opening);
    }

    private static string Plural(int n, string one, string many) => $"{n} {(n > 1 ? many : one)}";
}

using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>A period of continuous service, merged from contiguous or overlapping contracts.</summary>
public sealed record ServiceSpan(DateOnly Start, DateOnly End)
{
    public CalendarPeriod Length => CalendarPeriod.Between(Start, End);
}

/// <summary>
/// Service with one employer up to the term of the current contract, counted as décret 88-145 art. 38-1
/// (and the 6-year CDI rule, CGFP L332-10) count it: all contracts together, across interruptions that do
/// not exceed 4 months and were not caused by the agent's resignation. Only the latest unbroken chain counts.
/// </summary>
public sealed record CumulatedService(IReadOnlyList<ServiceSpan> Spans, string? ChainBrokenBecause)
{
    // The texts keep an interruption that "n'excède pas quatre mois": exactly four months still cumulates,
    // only a longer one breaks the chain. The interruption runs from the day after one contract ended to the
    // day before the next began, measured de date à date like every length here (CalendarPeriod.Between):
    // 1 September to 31 December is exactly 4 months and counts; 31 August to 31 December is 4 months 1 day
    // and breaks. Where a month is shorter, the count follows DateMath's clamping (31 October + 4 months =
    // 28 February), so 31 October to 28 February is 4 months 1 day: CareerPath's reading, the texts say
    // nothing of month ends.
    public static readonly CalendarPeriod LongestKeptInterruption = CalendarPeriod.OfMonths(4);

    /// <summary>One span is measured on the calendar; several are added with 30-day months.</summary>
    public CalendarPeriod Total => Spans.Skip(1).Aggregate(Spans[0].Length, (sum, span) => sum + span.Length);

    /// <param name="earlierContracts">Other contracts of the advisor with the same employer; later or open-ended ones are ignored.</param>
    public static CumulatedService UpToTermOf(Contract current, IEnumerable<Contract> earlierContracts)
    {
        var term = current.EffectiveEnd
            ?? throw new DomainException("model.contract.end-required", "La durée cumulée se calcule jusqu'au terme d'un contrat à durée déterminée.");
        var spans = new List<ServiceSpan> { new(current.Start, term) };
        var previousOnes = earlierContracts
            .Where(c => c.Id != current.Id && c.Start < current.Start && c.ActualEnd is not null)
            .OrderByDescending(c => c.ActualEnd);
        foreach (var previous in previousOnes)
        {
            var (first, end) = (spans[0], previous.ActualEnd!.Value);
            if (end >= first.Start.AddDays(-1))
            {
                spans[0] = new(Min(previous.Start, first.Start), Max(end, first.End));
                continue;
            }
            var interruption = new ServiceSpan(end.AddDays(1), first.Start.AddDays(-1));
            if (previous.EarlyTermination?.Reason == TerminationReason.Resignation)
                return new(spans, $"Le contrat terminé le {FrenchFormat.Date(end)} a pris fin par démission : ni lui ni les précédents ne sont comptés.");
            if (interruption.Length > LongestKeptInterruption)
                return new(spans, $"Le contrat terminé le {FrenchFormat.Date(end)} est suivi d'une interruption de {interruption.Length.Describe()} "
                    + $"(du {FrenchFormat.Date(interruption.Start)} au {FrenchFormat.Date(interruption.End)}), plus de 4 mois : ni lui ni les précédents ne sont comptés.");
            spans.Insert(0, new(previous.Start, end));
        }
        return new(spans, null);
    }

    public IEnumerable<string> Describe()
    {
        yield return "Services retenus : "
            + string.Join(" ; ", Spans.Select(s => $"du {FrenchFormat.Date(s.Start)} au {FrenchFormat.Date(s.End)} ({s.Length.Describe()})")) + ".";
        if (ChainBrokenBecause is not null) yield return ChainBrokenBecause;
        yield return $"Durée cumulée au terme du contrat : {Total.Describe()}.";
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}

using CareerPath.Domain.Model;

namespace CareerPath.Workflows.Queries;

/// <summary>
/// One cell of the outcomes cube: a recruitment cohort ("2024-T1"), a structure kind and a contract type;
/// null in a coordinate means "all of them" (the cell rolls that dimension up).
/// </summary>
public sealed record OutcomeCell(string? Cohort, string? StructureKind, string? ContractType)
{
    public static readonly OutcomeCell All = new(null, null, null);

    internal string? this[int dimension] => dimension switch { 0 => Cohort, 1 => StructureKind, _ => ContractType };

    internal OutcomeCell Without(int dimension) => dimension switch
    {
        0 => this with { Cohort = null },
        1 => this with { StructureKind = null },
        _ => this with { ContractType = null },
    };
}

/// <summary>
/// The measures of the outcomes reports, each a condition on one contract's facts (the columns of
/// <see cref="ReportQueries"/>' per-contract query) that counts its advisor; and the small-cell suppression
/// applied to the counts PostgreSQL returns for every cell of the cube (cohort × structure kind × contract type,
/// with every roll-up).
/// </summary>
public static class ReportCube
{
    public const int Threshold = 5;

    /// <summary>A measure: its name in reports and files, its SQL condition, and whether the API's report carries it.</summary>
    public sealed record Measure(string Name, string Condition, bool InReport);

    /// <summary>A contract whose decision keeps the advisor (a CDI or a titularisation) and that was not ended early (never null: it is negated).</summary>
    const string Kept = $"coalesce(decision_kind IN ('{nameof(DecisionKind.PermanentHireCdi)}', '{nameof(DecisionKind.Titularisation)}') AND terminated_on IS NULL, false)";

    /// <summary>
    /// A contract that is over (its last day before today), not renewed: a renewed advisor carries on under the
    /// next contract, whose own end counts.
    /// </summary>
    const string Ended = $"actual_end < @today AND decision_kind IS DISTINCT FROM '{nameof(DecisionKind.Renewal)}'";

    public const string EndOfContract = "situationFinDeContrat";
    public const string Month6 = "situation6Mois";
    public const string Month12 = "situation12Mois";

    /// <summary>The API's measures first, in the order its report has always listed them; then the outcomes page's own.</summary>
    public static IReadOnlyList<Measure> Measures { get; } = BuildMeasures();

    static Measure[] BuildMeasures()
    {
        var measures = new List<Measure>
        {
            new("conseillers", "true", true),
            new("cdiOuTitularisation", $"decision_kind IN ('{nameof(DecisionKind.PermanentHireCdi)}', '{nameof(DecisionKind.Titularisation)}')", true),
            new("renouvellements", $"decision_kind = '{nameof(DecisionKind.Renewal)}'", true),
            new("nonRenouvellements", $"decision_kind = '{nameof(DecisionKind.NotRetained)}'", true),
            new("finsAnticipees", "early_end", true),
            new("periodesEssaiNonConcluantes", "trial_failed", true),
            new("delaiDePrevenanceTenu", "decision_kind IS NOT NULL AND NOT decision_late AND NOT notice_missed", true),
            new("delaiDePrevenanceManque", "decision_late OR notice_missed", true),
            new("formationInitialeTerminee", "training_completed", true),
            new("certifies", "certified", true),
        };
        foreach (var kind in Enum.GetNames<OutcomeKind>())
        {
            measures.Add(new($"{Month6}.{kind}", $"outcome6 = '{kind}'", true));
            measures.Add(new($"{Month12}.{kind}", $"outcome12 = '{kind}'", true));
        }
        // At the end of the contract CareerPath knows one thing: whether the structure keeps the advisor.
        // What the others do next is asked at the 6- and 12-month follow-ups.
        measures.Add(new($"{EndOfContract}.{nameof(OutcomeKind.HiredByStructure)}", $"{Ended} AND {Kept}", false));
        measures.Add(new($"{EndOfContract}.{nameof(OutcomeKind.Unknown)}", $"{Ended} AND NOT ({Kept})", false));
        return [.. measures];
    }

    /// <summary>
    /// Hides the cells that could single someone out, measure by measure: a count of 1 to 4, a count 1 to 4 short of
    /// its cell's number of advisors (its complement), every non-zero count of a cell under 5 advisors; then, on every
    /// line of the cube (the cells that differ in one dimension only, and the cell that rolls them up), a second
    /// cell beside a lone hidden one, so that the roll-up minus the shown cells does not give the hidden one back;
    /// until nothing changes, since hiding a partner can leave another line with a lone hidden cell. Then
    /// <see cref="Pinned"/>: two hidden cells are not always enough, since the bounds an attacker knows can pin them
    /// (three hidden counts of at most 4 that must sum to 12 are each 4); while a hidden cell is pinned, one more
    /// cell of one of its lines is hidden, and the lines are checked again.
    /// </summary>
    /// <param name="cells">The cells of the cube (every roll-up of a present cell among them).</param>
    /// <param name="counts">For each cell, the count of each measure; the first measure is the number of advisors.</param>
    /// <returns>For each cell and measure, whether it is hidden.</returns>
    public static bool[][] Suppress(IReadOnlyList<OutcomeCell> cells, IReadOnlyList<int[]> counts)
    {
        // PostgreSQL returns the cells in no set order, and ties (two partners of one count) go to the first: in one
        // order of the cells, whatever the query's, so that every read of the same data hides the same cells (else two
        // selections, each cut from its own read, could show the two sides of one hidden cell).
        var order = Enumerable.Range(0, cells.Count)
            .OrderBy(i => cells[i].Cohort, StringComparer.Ordinal).ThenBy(i => cells[i].StructureKind, StringComparer.Ordinal)
            .ThenBy(i => cells[i].ContractType, StringComparer.Ordinal).ToArray();
        var sorted = SuppressInOrder([.. order.Select(i => cells[i])], [.. order.Select(i => counts[i])]);
        var hidden = new bool[cells.Count][];
        for (var k = 0; k < order.Length; k++) hidden[order[k]] = sorted[k];
        return hidden;
    }

    static bool[][] SuppressInOrder(IReadOnlyList<OutcomeCell> cells, IReadOnlyList<int[]> counts)
    {
        var hidden = counts.Select(c => c.Select(n => Small(n, c[0])).ToArray()).ToArray();
        var lines = Lines(cells);
        var measures = counts.Count == 0 ? 0 : counts[0].Length;
        // Measure by measure, the number of advisors first: the others' bounds read which of its counts are shown.
        for (var m = 0; m < measures; m++)
            for (var more = true; more;)
            {
                for (var changed = true; changed;)
                {
                    changed = false;
                    foreach (var (total, members) in lines)
                    {
                        if (hidden[total][m] || members.Count(i => hidden[i][m]) != 1) continue;
                        var partner = members.Where(i => !hidden[i][m] && counts[i][m] > 0).OrderBy(i => counts[i][m]).Cast<int?>().FirstOrDefault();
                        hidden[partner ?? total][m] = true;
                        changed = true;
                    }
                }
                var next = NextToHide(lines, counts, hidden, m);
                more = next is not null;
                if (next is { } cell) hidden[cell][m] = true;
            }
        return hidden;
    }

    /// <summary>
    /// While a hidden cell of measure <paramref name="m"/> is pinned (<see cref="Pinned"/>), the cell to hide next: the
    /// smallest count shown on the lines of any pinned cell (a non-zero one first; the first in order among equals).
    /// Any pinned cell, not the first: a cell hidden for another can itself be pinned by a line of its own (a roll-up of
    /// a single shown cell), and hiding that line's cell frees both, where the first pinned cell's own lines might only
    /// offer a large total. Null when no cell is pinned, or nothing around the pinned ones is left to hide.
    /// </summary>
    internal static int? NextToHide(IReadOnlyList<(int Total, int[] Members)> lines, IReadOnlyList<int[]> counts, bool[][] hidden, int m)
    {
        var pinned = Pinned(lines, counts, hidden, m).ToHashSet();
        if (pinned.Count == 0) return null;
        return lines.Where(l => pinned.Contains(l.Total) || l.Members.Any(pinned.Contains)).SelectMany(l => l.Members.Append(l.Total))
            .Where(i => !hidden[i][m]).OrderBy(i => counts[i][m] == 0).ThenBy(i => counts[i][m]).ThenBy(i => i).Cast<int?>().FirstOrDefault();
    }

    /// <summary>The lines of the cube: in each dimension, the cells that differ in it only, with the cell that rolls them up.</summary>
    static IReadOnlyList<(int Total, int[] Members)> Lines(IReadOnlyList<OutcomeCell> cells)
    {
        var index = cells.Select((cell, i) => (cell, i)).ToDictionary(x => x.cell, x => x.i);
        var lines = new List<(int Total, int[] Members)>();
        for (var dimension = 0; dimension < 3; dimension++)
        {
            var d = dimension;
            lines.AddRange(cells.Select((cell, i) => (cell, i)).Where(x => x.cell[d] is not null)
                .GroupBy(x => x.cell.Without(d))
                .Select(g => (index[g.Key], g.OrderBy(x => x.cell[d], StringComparer.Ordinal).Select(x => x.i).ToArray())));
        }
        return lines;
    }

    /// <summary>
    /// The hidden cells of measure <paramref name="m"/> whose value follows from what is shown. What a reader
    /// knows: every shown count; a hidden count is between 0 and 4 when it is small (at most its cell's number of
    /// advisors, when that is shown), else between 0 and everyone; on each line, the members sum to the roll-up when
    /// the counts do (an advisor has one cohort; one with contracts of several types or structure kinds counts in
    /// each, so there the members may sum to more, and none exceeds the roll-up). From these, bounds tightening: each
    /// line narrows each of its hidden cells to what the others' bounds leave, until nothing changes; a cell whose
    /// bounds meet is pinned. Tightening proves less than an exhaustive search would; the tests check the result with
    /// one (BoundSolver).
    /// </summary>
    static IEnumerable<int> Pinned(IReadOnlyList<(int Total, int[] Members)> lines, IReadOnlyList<int[]> counts, bool[][] hidden, int m)
    {
        var everyone = counts.Count == 0 ? 0 : counts.Max(c => c[0]);
        var lo = new long[counts.Count];
        var hi = new long[counts.Count];
        for (var i = 0; i < counts.Count; i++)
        {
            if (!hidden[i][m]) lo[i] = hi[i] = counts[i][m];
            else
            {
                hi[i] = counts[i][m] < Threshold ? Threshold - 1 : everyone;
                // A measure counts some of its cell's advisors: at most their number shown, or 4 when that is hidden as small.
                if (m > 0 && !hidden[i][0]) hi[i] = Math.Min(hi[i], counts[i][0]);
                else if (m > 0 && counts[i][0] < Threshold) hi[i] = Math.Min(hi[i], Threshold - 1);
            }
        }
        // Each constraint: Σ members − total, equal to 0 or at least 0; or total − member at least 0.
        var constraints = new List<(int[] Plus, int Minus, bool Equality)>();
        foreach (var (total, members) in lines)
        {
            if (!hidden[total][m] && members.All(i => !hidden[i][m])) continue;
            var equality = members.Sum(i => counts[i][m]) == counts[total][m];
            constraints.Add((members, total, equality));
            if (!equality)
                constraints.AddRange(members.Where(i => hidden[i][m] || hidden[total][m]).Select(i => (new[] { total }, i, false)));
        }
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (plus, minus, equality) in constraints)
            {
                // Σ plus − minus ∈ [min, max]; the constraint asks for 0 (equality) or at least 0.
                long min = -hi[minus], max = -lo[minus];
                foreach (var i in plus)
                {
                    min += lo[i];
                    max += hi[i];
                }
                // The true counts meet every constraint: this cannot happen, and a report is not refused for it.
                if (max < 0 || (equality && min > 0)) return [];
                // xᵢ ≥ total − the others at their highest = hi[i] − max; for an equality, xᵢ ≤ lo[i] − min. The sums are
                // those of the bounds before this pass (still true bounds): the next pass tightens with the new ones.
                foreach (var i in plus)
                {
                    var low = hi[i] - max;
                    var high = equality ? lo[i] - min : hi[i];
                    if (low > lo[i] || high < hi[i]) changed = true;
                    lo[i] = Math.Max(lo[i], low);
                    hi[i] = Math.Min(hi[i], high);
                }
                // The total: at most the sum of the others (always), at least it (an equality).
                var sumHi = plus.Sum(i => hi[i]);
                var sumLo = plus.Sum(i => lo[i]);
                if (sumHi < hi[minus]) { hi[minus] = sumHi; changed = true; }
                if (equality && sumLo > lo[minus]) { lo[minus] = sumLo; changed = true; }
            }
        }
        return Enumerable.Range(0, counts.Count).Where(i => hidden[i][m] && lo[i] == hi[i]).ToList();
    }

    static bool Small(int n, int total) => n is > 0 and < Threshold || total - n is > 0 and < Threshold || (total < Threshold && n > 0);
}

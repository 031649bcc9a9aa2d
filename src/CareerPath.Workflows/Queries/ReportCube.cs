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
    /// until nothing changes, since hiding a partner can leave another line with a lone hidden cell.
    /// </summary>
    /// <param name="cells">The cells of the cube (every roll-up of a present cell among them).</param>
    /// <param name="counts">For each cell, the count of each measure; the first measure is the number of advisors.</param>
    /// <returns>For each cell and measure, whether it is hidden.</returns>
    public static bool[][] Suppress(IReadOnlyList<OutcomeCell> cells, IReadOnlyList<int[]> counts)
    {
        var index = cells.Select((cell, i) => (cell, i)).ToDictionary(x => x.cell, x => x.i);
        var hidden = counts.Select(c => c.Select(n => Small(n, c[0])).ToArray()).ToArray();
        var lines = new List<(int Total, int[] Members)>();
        for (var dimension = 0; dimension < 3; dimension++)
        {
            var d = dimension;
            lines.AddRange(cells.Select((cell, i) => (cell, i)).Where(x => x.cell[d] is not null)
                .GroupBy(x => x.cell.Without(d))
                .Select(g => (index[g.Key], g.OrderBy(x => x.cell[d], StringComparer.Ordinal).Select(x => x.i).ToArray())));
        }
        var measures = counts.Count == 0 ? 0 : counts[0].Length;
        for (var changed = true; changed;)
        {
            changed = false;
            for (var m = 0; m < measures; m++)
                foreach (var (total, members) in lines)
                {
                    if (hidden[total][m] || members.Count(i => hidden[i][m]) != 1) continue;
                    var partner = members.Where(i => !hidden[i][m] && counts[i][m] > 0).OrderBy(i => counts[i][m]).Cast<int?>().FirstOrDefault();
                    hidden[partner ?? total][m] = true;
                    changed = true;
                }
        }
        return hidden;
    }

    static bool Small(int n, int total) => n is > 0 and < Threshold || total - n is > 0 and < Threshold || (total < Threshold && n > 0);
}

using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Tests.Infrastructure;
using static CareerPath.Workflows.Queries.ProgramQueries;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>
/// The program view's decision counts (ProgramQueries.Suppress) against the bounds a reader knows: the probe's case
/// of the outcomes report, on the areas' tree (a département's total is the sum of its structures').
/// </summary>
public sealed class ProgramSuppressionTests
{
    static Line L(ProgramLevel level, string? departement, int due, int overdue, int id = 0) =>
        new(level, level == ProgramLevel.National ? null : "84", departement, level == ProgramLevel.Structure ? new Guid(id, 0, 0, new byte[8]) : null,
            null, null, 1, 0, 0, 0, new int[FundingMonths], due, overdue);

    [Fact]
    public void Three_structures_with_four_decisions_each_beside_a_shown_thirty_are_not_pinned_by_their_departement_s_total()
    {
        // One département, four structures: 4, 4, 4 decisions due (hidden) and 30 (shown by the lone-cell rule alone:
        // three hidden lines are no lone one). 42 − 30 = 12 for three counts of at most 4: each would be 4.
        Line[] lines =
        [
            L(ProgramLevel.National, null, 42, 0), L(ProgramLevel.Region, null, 42, 0), L(ProgramLevel.Departement, "01", 42, 0),
            L(ProgramLevel.Structure, "01", 4, 0, 1), L(ProgramLevel.Structure, "01", 4, 0, 2), L(ProgramLevel.Structure, "01", 4, 0, 3),
            L(ProgramLevel.Structure, "01", 30, 0, 4),
        ];
        var hidden = Suppress(lines);
        Assert.True(hidden[3][0] && hidden[4][0] && hidden[5][0]);
        Assert.True(hidden[6][0], "the 30 shown pins the three 4s");
        Assert.False(hidden[2][0]);

        // The attack: each hidden count between 0 and 4 when small, else up to everyone; the département is the sum of its structures.
        var solver = new BoundSolver();
        var vars = Enumerable.Range(0, lines.Length).Where(i => hidden[i][0]).ToDictionary(i => i, i => solver.Add(0, lines[i].Due < 5 ? 4 : 42));
        long shownSum = Enumerable.Range(3, 4).Where(i => !hidden[i][0]).Sum(i => lines[i].Due);
        solver.Equal(vars.Where(v => v.Key >= 3).Select(v => (v.Value, 1L)), lines[2].Due - shownSum);
        long[] truth = [.. vars.Keys.Select(i => (long)lines[i].Due)];
        Assert.All(vars.Values, v => Assert.True(solver.Range(v, truth).Free));
    }
}

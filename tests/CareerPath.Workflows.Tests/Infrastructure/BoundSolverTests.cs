namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>The solver the suppression tests attack the report with: it must find every pin, and only real ones.</summary>
public sealed class BoundSolverTests
{
    static (BoundSolver Solver, int[] Vars) Small(int n)
    {
        var solver = new BoundSolver();
        return (solver, Enumerable.Range(0, n).Select(_ => solver.Add(0, 4)).ToArray());
    }

    [Fact]
    public void Three_cells_of_at_most_four_summing_to_twelve_are_each_pinned_at_four()
    {
        var (solver, x) = Small(3);
        solver.Equal(x.Select(v => (v, 1L)), 12);
        var bounds = solver.Tighten()!.Value;
        Assert.All(x, v => Assert.Equal((4L, 4L), (bounds.Lo[v], bounds.Hi[v])));
        Assert.All(x, v =>
        {
            var freedom = solver.Range(v, [4, 4, 4]);
            Assert.False(freedom.Free);
            Assert.True(freedom.Exhausted);
        });
    }

    [Fact]
    public void Three_cells_of_at_most_four_summing_to_eleven_each_have_a_second_solution_as_witness()
    {
        var (solver, x) = Small(3);
        solver.Equal(x.Select(v => (v, 1L)), 11);
        foreach (var v in x)
        {
            var freedom = solver.Range(v, [4, 4, 3]);
            Assert.True(freedom.Free);
            Assert.True(solver.Satisfies(freedom.Other!));
            Assert.NotEqual(new long[] { 4, 4, 3 }[v], freedom.Other![v]);
        }
    }

    [Fact]
    public void A_pin_that_tightening_alone_misses_is_proven_by_the_search()
    {
        // x + y = 2 and x − y = 0: tightening leaves both in [0, 2], yet 1 and 1 is the only solution.
        var solver = new BoundSolver();
        var x = solver.Add(0, 2);
        var y = solver.Add(0, 2);
        solver.Equal([(x, 1), (y, 1)], 2);
        solver.Equal([(x, 1), (y, -1)], 0);
        var bounds = solver.Tighten()!.Value;
        Assert.Equal((0L, 2L), (bounds.Lo[x], bounds.Hi[x]));
        var freedom = solver.Range(x, [1, 1]);
        Assert.False(freedom.Free);
        Assert.True(freedom.Exhausted);
    }

    [Fact]
    public void A_two_by_two_table_with_its_margins_shown_lets_each_cell_move_with_the_three_others()
    {
        // [[2, 3], [3, 2]] hidden, every row and column total shown (5): a move of +1 −1 −1 +1 keeps them.
        var solver = new BoundSolver();
        var c = Enumerable.Range(0, 4).Select(_ => solver.Add(0, 4)).ToArray();
        solver.Equal([(c[0], 1), (c[1], 1)], 5);
        solver.Equal([(c[2], 1), (c[3], 1)], 5);
        solver.Equal([(c[0], 1), (c[2], 1)], 5);
        solver.Equal([(c[1], 1), (c[3], 1)], 5);
        long[] truth = [2, 3, 3, 2];
        Assert.All(c, v => Assert.True(solver.Range(v, truth).Free));
    }

    [Fact]
    public void A_sum_of_at_least_eight_for_two_cells_of_at_most_four_pins_both_and_at_least_nine_has_no_solution()
    {
        var (solver, x) = Small(2);
        solver.AtLeast(x.Select(v => (v, 1L)), 8);
        Assert.False(solver.Range(x[0], [4, 4]).Free);
        var (impossible, y) = Small(2);
        impossible.AtLeast(y.Select(v => (v, 1L)), 9);
        Assert.Null(impossible.Tighten());
        Assert.False(impossible.Satisfies([4, 4]));
    }
}

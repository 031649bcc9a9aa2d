using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>
/// The outcomes report's suppression (ReportCube.Suppress) against an attacker who reads every figure it publishes:
/// the page /resultats for every selection (each cohort and structure kind, and all), its CSV (the same figures), and
/// the API's report. For each hidden cell, BoundSolver looks for the values it can take given all of them: every shown
/// count; each hidden one a non-negative integer, at most 4 when it is small (the attacker is granted to know which
/// hidden counts are small ones), at most its cell's advisors when those are shown; on each line of the cube (cells
/// differing in one dimension, and their roll-up) the members summing to the roll-up (cohorts partition the advisors;
/// for the structure kinds and contract types, whenever the true counts do, else the members summing to at least the
/// roll-up, each at most it). Every hidden cell must be able to take two values at least: a second solution is the
/// witness.
/// </summary>
public sealed class ReportSuppressionTests(SeededDemo demo) : IClassFixture<SeededDemo>
{
    /// <summary>Every figure a reader can get, by cell and measure: null when hidden.</summary>
    static async Task<Dictionary<(OutcomeCell Cell, string Measure), int?>> PublishedAsync(ReportQueries reports, DateOnly today, IReadOnlyList<string> cohorts)
    {
        var published = new Dictionary<(OutcomeCell, string), int?>();
        void Read(OutcomeCell cell, IReadOnlyList<Cell> cells)
        {
            foreach (var c in cells)
            {
                int? value = c.Suppressed ? null : c.Advisors;
                Assert.True(c.Suppressed == (c.Advisors is null), $"{cell} {c.Measure}: hidden and shown at once");
                // One figure, whichever selection shows it: else two selections give a hidden cell away together.
                if (published.TryGetValue((cell, c.Measure), out var before)) Assert.True(before == value, $"{cell} {c.Measure}: {before} and {value}");
                published[(cell, c.Measure)] = value;
            }
        }
        foreach (var cohort in cohorts.Cast<string?>().Prepend(null))
            foreach (var kind in Enum.GetNames<StructureKind>().Cast<string?>().Prepend(null))
            {
                var detail = await reports.DetailAsync(ReadScope.Everything, new OutcomesFilter(cohort, kind), today);
                foreach (var g in detail.Groups)
                    Read(g.Dimension switch
                    {
                        "ensemble" => new OutcomeCell(cohort, kind, null),
                        "cohorte" => new OutcomeCell(g.Value, kind, null),
                        "typeDeStructure" => new OutcomeCell(cohort, g.Value, null),
                        _ => new OutcomeCell(cohort, kind, g.Value),
                    }, g.Cells);
            }
        foreach (var g in (await reports.OutcomesAsync(ReadScope.Everything)).Report.Groups)
            Read(g.Dimension switch
            {
                "ensemble" => OutcomeCell.All,
                "typeDeStructure" => OutcomeCell.All with { StructureKind = g.Value },
                _ => OutcomeCell.All with { ContractType = g.Value },
            }, g.Cells);
        return published;
    }

    /// <summary>A hidden cell an attacker can pin, with its true count and the bounds tightening left.</summary>
    public sealed record Disclosure(OutcomeCell Cell, string Measure, int Count, long Lo, long Hi, bool Proven);

    /// <summary>Solves, for each hidden cell of the published report, whether it can take a second value; the pinned (or undecided) ones.</summary>
    static async Task<(List<Disclosure> Pinned, int Hidden, int Shown)> AttackAsync(NpgsqlDataSourceHolder db, DateOnly today)
    {
        var reports = new ReportQueries(db.Source);
        var cube = await reports.CubeForChecksAsync(ReadScope.Everything, today);
        var cohorts = cube.Cells.Where(c => c.Cohort is not null).Select(c => c.Cohort!).Distinct().ToList();
        var published = await PublishedAsync(reports, today, cohorts);
        var index = cube.Cells.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);

        // What is published is the cube, hidden as it says: every cell of it reached by some selection.
        foreach (var ((cell, measure), value) in published)
        {
            var m = cube.Measures.ToList().IndexOf(measure);
            if (!index.TryGetValue(cell, out var i)) Assert.Equal(0, value); // a selection with nobody in it
            else Assert.Equal(cube.Hidden[i][m] ? null : cube.Counts[i][m], value);
        }
        Assert.All(cube.Cells, c => Assert.True(cube.Measures.All(m => published.ContainsKey((c, m))), $"{c} never published"));
        return Solve(cube.Measures, cube.Cells, cube.Counts, (cell, measure) => published[(cell, measure)]);
    }

    /// <summary>The attack proper, on a cube's cells, their true counts and what is shown of them (null: hidden).</summary>
    static (List<Disclosure> Pinned, int Hidden, int Shown) Solve(IReadOnlyList<string> measures, IReadOnlyList<OutcomeCell> cells, IReadOnlyList<int[]> counts,
        Func<OutcomeCell, string, int?> shownOf)
    {
        var cube = (Measures: measures, Cells: cells, Counts: counts);
        var index = cells.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        var pinned = new List<Disclosure>();
        int hiddenCells = 0, shownCells = 0;
        var everyone = cube.Counts[index[OutcomeCell.All]][0];
        for (var m = 0; m < cube.Measures.Count; m++)
        {
            var measure = cube.Measures[m];
            int? Shown(OutcomeCell c) => shownOf(c, measure);
            var solver = new BoundSolver();
            var vars = new Dictionary<OutcomeCell, int>();
            var truth = new List<long>();
            foreach (var cell in cube.Cells)
            {
                var i = index[cell];
                if (Shown(cell) is not null) { shownCells++; continue; }
                hiddenCells++;
                var count = cube.Counts[i][m];
                long hi = count < 5 ? 4 : everyone;
                if (m > 0 && shownOf(cell, cube.Measures[0]) is { } advisors) hi = Math.Min(hi, advisors);
                else if (m > 0 && cube.Counts[i][0] < 5) hi = Math.Min(hi, 4);
                vars[cell] = solver.Add(0, hi);
                truth.Add(count);
            }
            // The lines, built from the cells themselves: each cell with a coordinate, under the cell that rolls that coordinate up.
            var lines = new[] { 0, 1, 2 }.SelectMany(d => cube.Cells.Where(c => Coordinate(c, d) is not null).GroupBy(c => RollUp(c, d)).Select(g => (Dimension: d, Total: g.Key, Members: g.ToList())));
            foreach (var (dimension, total, members) in lines)
            {
                if (members.All(c => Shown(c) is not null) && Shown(total) is not null) continue;
                var sum = members.Sum(c => cube.Counts[index[c]][m]);
                var totalCount = cube.Counts[index[total]][m];
                if (dimension == 0) Assert.Equal(totalCount, sum); // an advisor has one cohort
                // Σ hidden members − hidden total = shown total − Σ shown members.
                var terms = members.Where(c => Shown(c) is null).Select(c => (vars[c], 1L)).ToList();
                var rhs = -(long)members.Sum(c => Shown(c) ?? 0);
                if (Shown(total) is { } t) rhs += t; else terms.Add((vars[total], -1L));
                if (sum == totalCount) solver.Equal(terms, rhs);
                else
                {
                    solver.AtLeast(terms, rhs);
                    foreach (var c in members.Where(c => Shown(c) is null || Shown(total) is null))
                        if (Shown(total) is { } tt) solver.AtLeast([(vars[c], -1L)], -tt);
                        else if (Shown(c) is { } cc) solver.AtLeast([(vars[total], 1L)], cc);
                        else solver.AtLeast([(vars[total], 1L), (vars[c], -1L)], 0);
                }
            }
            Assert.True(solver.Satisfies(truth), $"{measure}: the true counts do not meet the attacker's constraints");
            var tightened = solver.Tighten() ?? throw new InvalidOperationException("No solution after tightening.");
            foreach (var (cell, v) in vars)
            {
                var freedom = solver.Range(v, truth);
                if (!freedom.Free) pinned.Add(new(cell, measure, (int)truth[v], tightened.Lo[v], tightened.Hi[v], freedom.Exhausted));
            }
        }
        return (pinned, hiddenCells, shownCells);
    }

    static string? Coordinate(OutcomeCell c, int d) => d switch { 0 => c.Cohort, 1 => c.StructureKind, _ => c.ContractType };
    static OutcomeCell RollUp(OutcomeCell c, int d) => d switch { 0 => c with { Cohort = null }, 1 => c with { StructureKind = null }, _ => c with { ContractType = null } };

    static string Describe(List<Disclosure> pinned) =>
        $"{pinned.Count} hidden cells pinned: " + string.Join("; ", pinned.Take(15).Select(p =>
            $"({p.Cell.Cohort ?? "*"}, {p.Cell.StructureKind ?? "*"}, {p.Cell.ContractType ?? "*"}) {p.Measure} = {p.Count} [{p.Lo}, {p.Hi}]{(p.Proven ? "" : " undecided")}"));

    /// <summary>A data source for one database, disposed by its owner.</summary>
    sealed record NpgsqlDataSourceHolder(Npgsql.NpgsqlDataSource Source);

    [Fact]
    public async Task No_hidden_cell_of_the_demo_report_can_be_pinned_from_every_published_figure()
    {
        var (pinned, hidden, shown) = await AttackAsync(new(demo.Db), SeededDemo.Today);
        Assert.True(pinned.Count == 0, Describe(pinned));
        // About 30 advisors over eight cohorts, five structure kinds and four contract types: nearly every cell is under 5
        // and hidden, but not the report as a whole.
        Assert.True(hidden > 1000 && shown > 10, $"{hidden} hidden, {shown} shown");
    }

    [Fact]
    public async Task No_hidden_cell_of_a_simulated_program_s_report_can_be_pinned_from_every_published_figure()
    {
        var cs = await TestCluster.CreateMigratedDatabaseAsync();
        try
        {
            await using var db = Database.CreateDataSource(cs);
            var first = new DateOnly(2022, 1, 3);
            var model = ProgramModel.Generate(250, 13, first, 540);
            await model.InsertReferenceDataAsync(db);
            var clock = new SimulatedClock(WorkflowEngine.DueInstant(model.Advisors.Min(a => a.Post.Conventions[0].Start).AddDays(-2)));
            await new ProgramRunner(model, new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock), clock)
                .RunAsync(WorkflowEngine.DueInstant(first.AddDays(900)));

            var (pinned, hidden, shown) = await AttackAsync(new(db), WorkflowEngine.ParisDate(clock.GetUtcNow()));
            Assert.True(pinned.Count == 0, Describe(pinned));
            Assert.True(hidden > 100 && shown > 100, $"{hidden} hidden, {shown} shown");
        }
        finally
        {
            await TestCluster.DropDatabaseAsync(cs);
        }
    }

    /// <summary>
    /// The probe's case in a cube of its own: three cohorts of 4 advisors and one of 30, one structure kind, one
    /// contract type. Each 4 is hidden, and the three make a line of hidden cells (no lone one), but the 42 in all less
    /// the 30 shown leaves 12 for three counts of at most 4: each is 4. The 30 is hidden too.
    /// </summary>
    [Fact]
    public void Three_small_hidden_cells_that_must_sum_to_three_times_four_get_a_fourth_hidden_beside_them()
    {
        var sizes = new Dictionary<string, int> { ["2024-T1"] = 4, ["2024-T2"] = 4, ["2024-T3"] = 4, ["2024-T4"] = 30 };
        var cells = new List<OutcomeCell>();
        var counts = new List<int[]>();
        foreach (var cohort in sizes.Keys.Cast<string?>().Append(null))
            foreach (var kind in new[] { "Commune", null })
                foreach (var type in new[] { "Cdd", null })
                {
                    cells.Add(new(cohort, kind, type));
                    counts.Add([cohort is null ? sizes.Values.Sum() : sizes[cohort]]);
                }
        var hidden = ReportCube.Suppress(cells, counts);
        bool Hidden(string? cohort) => hidden[cells.IndexOf(new(cohort, null, null))][0];
        Assert.True(Hidden("2024-T1") && Hidden("2024-T2") && Hidden("2024-T3"));
        Assert.True(Hidden("2024-T4"), "the 30 shown pins the three 4s");
        var (pinned, _, shown) = Solve(["conseillers"], cells, counts, (cell, _) => hidden[cells.IndexOf(cell)][0] ? null : counts[cells.IndexOf(cell)][0]);
        Assert.True(pinned.Count == 0, Describe(pinned));
        // The cells hidden to free the 4s are those that gave the 30 away, not the totals.
        Assert.False(Hidden(null));
        Assert.Equal(4, shown);
    }
}

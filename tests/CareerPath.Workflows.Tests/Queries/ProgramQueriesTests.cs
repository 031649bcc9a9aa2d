using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static CareerPath.Workflows.Queries.ProgramQueries;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>The demo data seeded once, up to Monday 2026-11-30, for the program's counts.</summary>
public sealed class SeededDemo : IAsyncLifetime
{
    public static readonly DateOnly Today = new(2026, 11, 30);
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource Db { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await TestCluster.CreateMigratedDatabaseAsync();
        await DemoData.SeedAsync(ConnectionString, new FakeTimeProvider(WorkflowEngine.DueInstant(Today).AddHours(2)), NullLogger.Instance);
        Db = Database.CreateDataSource(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await TestCluster.DropDatabaseAsync(ConnectionString);
    }
}

public sealed class ProgramQueriesTests(SeededDemo demo) : IClassFixture<SeededDemo>
{
    static readonly DateOnly Today = SeededDemo.Today;

    [Fact]
    public async Task National_counts_mean_what_the_hr_dashboard_means_over_every_structure()
    {
        var counts = await new ProgramQueries(demo.Db).ReadAsync(Today);
        var until = new DateOnly(2027, 10, 31);
        var board = await new DashboardQueries(demo.Db).ReadAsync(ReadScope.Everything, Today, until);
        var n = counts.National.Figures;

        // Vacant: the dashboard's « postes vacants ».
        Assert.Equal(board.Vacancies.Count, n.VacantPosts);
        Assert.True(n.VacantPosts >= 1, "the demo has a vacant post");
        // Decisions: the dashboard's « décisions à prendre », overdue when their day is passed (the demo has one, hidden or not).
        var decisions = board.Items.Where(i => i.IsTask && i.Kind == Tasks.Decision).ToList();
        Assert.True(decisions.Count >= 2);
        Assert.Equal(decisions.Count is > 0 and < Threshold ? null : decisions.Count, n.DecisionsDue);
        // Funding ends: the dashboard's funding-end lines from today to the end of the 12th month, by month.
        var ends = board.Items.Where(i => !i.IsTask && i.Kind == DashboardQueries.FundingEndRule && i.DueOn >= Today && i.DueOn <= until).ToList();
        Assert.NotEmpty(ends);
        Assert.Equal(Enumerable.Range(0, FundingMonths).Select(m => ends.Count(e => (e.DueOn.Year - 2026) * 12 + e.DueOn.Month - 11 == m)), n.FundingEnds);
        Assert.Equal(new DateOnly(2026, 11, 1), counts.Months[0]);
        Assert.Equal(new DateOnly(2027, 10, 1), counts.Months[^1]);

        // Funded and occupied, straight from the workflow's states and data.
        await using var conn = await demo.Db.OpenConnectionAsync();
        var states = (await conn.QueryAsync<(string State, bool HasAdvisor)>("""
            SELECT DISTINCT ON (subject_id) state, data->>'currentContractId' IS NOT NULL FROM workflow_instance
             WHERE definition_id = 'post-funding' ORDER BY subject_id, created_at DESC
            """)).ToList();
        Assert.Equal(states.Count(s => FundedStates.Contains(s.State)), n.FundedPosts);
        Assert.Equal(states.Count(s => FundedStates.Contains(s.State) && s.HasAdvisor), n.OccupiedPosts);
        Assert.Equal(states.Count(s => s.State == nameof(PostState.Occupied)) + states.Count(s => s.State is nameof(PostState.Renewed) or nameof(PostState.FundingEnding) && s.HasAdvisor)
            + states.Count(s => s.State == nameof(PostState.Granted) && s.HasAdvisor), n.OccupiedPosts);
        Assert.True(n.OccupiedPosts + n.VacantPosts <= n.FundedPosts);
        Assert.Equal(await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM structure"), n.Structures);
    }

    [Fact]
    public async Task Structures_roll_up_into_their_departement_their_region_and_the_country()
    {
        var counts = await new ProgramQueries(demo.Db).ReadAsync(Today);
        // The demo names its structures after towns of several regions.
        Assert.True(counts.Regions.Count >= 3, string.Join(", ", counts.Regions.Select(r => r.RegionCode)));
        Assert.All(counts.Structures, s => Assert.Equal(Territory.FindDepartement(s.DepartementCode)!.Region.Code, s.RegionCode));
        Assert.All(counts.Structures, s => Assert.Matches("^[0-9]{14}$", s.Siret));

        static int[] Posts(IEnumerable<ProgramArea> areas) =>
        [
            areas.Sum(a => a.Figures.Structures), areas.Sum(a => a.Figures.FundedPosts), areas.Sum(a => a.Figures.OccupiedPosts),
            areas.Sum(a => a.Figures.VacantPosts), .. Enumerable.Range(0, FundingMonths).Select(m => areas.Sum(a => a.Figures.FundingEnds[m])),
        ];
        Assert.Equal(Posts([counts.National]), Posts(counts.Regions));
        Assert.Equal(Posts([counts.National]), Posts(counts.Structures));
        foreach (var region in counts.Regions)
        {
            Assert.Equal(Posts([region]), Posts(counts.Departements.Where(d => d.RegionCode == region.RegionCode)));
            Assert.Equal(Posts([region]), Posts(counts.StructuresIn(region.RegionCode, null)));
        }
        foreach (var departement in counts.Departements)
            Assert.Equal(Posts([departement]), Posts(counts.StructuresIn(null, departement.DepartementCode)));
    }

    [Fact]
    public async Task Decisions_of_one_to_four_people_are_hidden_everywhere_and_no_area_gives_a_hidden_cell_back()
    {
        var counts = await new ProgramQueries(demo.Db).ReadAsync(Today);
        var areas = new[] { counts.National }.Concat(counts.Regions).Concat(counts.Departements).Concat(counts.Structures).ToList();
        Assert.All(areas, a =>
        {
            Assert.False(a.Figures.DecisionsDue is > 0 and < Threshold);
            Assert.False(a.Figures.DecisionsOverdue is > 0 and < Threshold);
        });
        // The demo's structures each have a few decisions at most: their cells are hidden.
        Assert.Contains(counts.Structures, s => s.Figures.DecisionsDue is null);
        AssertNoLoneHiddenCell(counts.National, counts.Regions);
        foreach (var r in counts.Regions) AssertNoLoneHiddenCell(r, counts.Departements.Where(d => d.RegionCode == r.RegionCode).ToList());
        foreach (var d in counts.Departements) AssertNoLoneHiddenCell(d, counts.StructuresIn(d.RegionCode, d.DepartementCode));
    }

    /// <summary>Neither the area less its lines shown, nor the sum of its lines, gives a hidden cell back.</summary>
    static void AssertNoLoneHiddenCell(ProgramArea parent, IReadOnlyList<ProgramArea> children)
    {
        foreach (var measure in new Func<ProgramFigures, int?>[] { f => f.DecisionsDue, f => f.DecisionsOverdue })
        {
            var hiddenLines = children.Count(c => measure(c.Figures) is null);
            if (measure(parent.Figures) is not null) Assert.NotEqual(1, hiddenLines);
            else Assert.True(hiddenLines > 0 || children.All(c => measure(c.Figures) == 0));
        }
    }

    static Line L(ProgramLevel level, string? region, string? departement, int due, int overdue, int id = 0) =>
        new(level, region, departement, level == ProgramLevel.Structure ? new Guid(id, 0, 0, new byte[8]) : null, null, null, 1, 0, 0, 0, new int[FundingMonths], due, overdue);

    [Fact]
    public void A_lone_small_cell_gets_a_partner_and_a_complement_of_one_to_four_is_hidden()
    {
        Line[] lines =
        [
            L(ProgramLevel.National, null, null, 40, 10),
            L(ProgramLevel.Region, "76", null, 40, 10),
            L(ProgramLevel.Departement, "76", "48", 40, 10),
            L(ProgramLevel.Structure, "76", "48", 3, 0, 1),   // 3 due: hidden; its 0 overdue is 3 short of them: hidden
            L(ProgramLevel.Structure, "76", "48", 20, 4, 2),  // 4 overdue: hidden
            L(ProgramLevel.Structure, "76", "48", 17, 6, 3),  // shown, until a partner is needed
        ];
        var hidden = Suppress(lines);
        Assert.Equal([false, false], hidden[0]);
        Assert.Equal([true, true], hidden[3]);
        // Due: structure 1 alone hidden in its département; the smallest other (17) is hidden with it.
        Assert.Equal([false, true], hidden[4]);
        Assert.Equal([true, false], hidden[5]);
        // Overdue: 1 and 2 are hidden, two cells: the 6 stays.
        Assert.False(hidden[5][1]);
    }

    [Fact]
    public void Without_a_partner_above_zero_the_area_itself_is_hidden_and_that_carries_up()
    {
        Line[] lines =
        [
            L(ProgramLevel.National, null, null, 30, 0),
            L(ProgramLevel.Region, "76", null, 3, 0),
            L(ProgramLevel.Region, "84", null, 27, 0),
            L(ProgramLevel.Departement, "76", "48", 3, 0),
            L(ProgramLevel.Departement, "84", "07", 27, 0),
            L(ProgramLevel.Structure, "76", "48", 3, 0, 1),
            L(ProgramLevel.Structure, "84", "07", 27, 0, 2),
        ];
        var hidden = Suppress(lines);
        // Lozère's 3 are hidden at every level; then Occitanie is a lone hidden region: Auvergne-Rhône-Alpes goes with it,
        // and Ardèche, then its only structure, each alone in their area.
        Assert.True(hidden[1][0] && hidden[3][0] && hidden[5][0]);
        Assert.True(hidden[2][0]);
        Assert.True(hidden[4][0]);
        Assert.True(hidden[6][0]);
        Assert.False(hidden[0][0]);
    }
}

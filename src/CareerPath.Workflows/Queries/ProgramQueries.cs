using System.Data;
using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>Where a line of the program's counts belongs: the whole country, a region, a département, or one structure.</summary>
public enum ProgramLevel { National, Region, Departement, Structure }

/// <summary>
/// The counts of one area. Posts are not people and are never hidden. <see cref="DecisionsDue"/> and
/// <see cref="DecisionsOverdue"/> count decisions about people (one advisor each): null when hidden
/// (<see cref="ProgramQueries.Suppress"/>).
/// </summary>
public sealed record ProgramFigures(int Structures, int FundedPosts, int OccupiedPosts, int VacantPosts, IReadOnlyList<int> FundingEnds,
    int? DecisionsDue, int? DecisionsOverdue);

/// <summary>
/// One line of the counts. <see cref="RegionCode"/> and <see cref="DepartementCode"/> are INSEE codes, null for
/// structures recorded without a département (they are counted nationally, under « non renseigné »).
/// </summary>
public sealed record ProgramArea(ProgramLevel Level, string? RegionCode, string? DepartementCode, Guid? StructureId, string? StructureName,
    string? Siret, ProgramFigures Figures);

/// <summary>
/// The program's counts on a day, for the whole country at every level: national, by region, by département and
/// by structure. <see cref="Months"/> are the first days of the 12 months of <see cref="ProgramFigures.FundingEnds"/>
/// (this month first: from <see cref="Today"/> to the end of the 12th month).
/// </summary>
public sealed record ProgramCounts(DateOnly Today, IReadOnlyList<DateOnly> Months, ProgramArea National, IReadOnlyList<ProgramArea> Regions,
    IReadOnlyList<ProgramArea> Departements, IReadOnlyList<ProgramArea> Structures)
{
    /// <summary>The structures of a region, of a département, or of both (a département of that region); all without either.</summary>
    public IReadOnlyList<ProgramArea> StructuresIn(string? region, string? departement) =>
        Structures.Where(s => (region is null || s.RegionCode == region) && (departement is null || s.DepartementCode == departement)).ToList();
}

/// <summary>
/// The program coordinators' national view, counted in PostgreSQL (one round trip, GROUPING SETS over the
/// structures, their posts and their open decisions), with the meanings of the HR dashboard (<see cref="DashboardQueries"/>):
/// <list type="bullet">
/// <item>funded: the post's funding workflow is in a state where the State's grant is attributed and not over
/// (<see cref="FundedStates"/>): granted, recruiting, occupied, vacant, renewed, funding ending;</item>
/// <item>occupied: a funded post whose workflow holds a current contract (<see cref="PostFundingData.Occupied"/>);</item>
/// <item>vacant: the dashboard's « postes vacants », the latest funding workflow in Vacant or Recruiting;</item>
/// <item>funding ends: the dashboard's pending <see cref="DashboardQueries.FundingEndRule"/> timers, by month of their day;</item>
/// <item>decisions due: the dashboard's « décisions à prendre », open <see cref="Tasks.Decision"/> tasks of the contracts
/// on the structures' posts; overdue: those whose day (the notice deadline) is before today, as the dashboard's « en retard ».</item>
/// </list>
/// Regions come from <see cref="Territory"/>, passed to the query as a table: the database holds département codes only.
/// </summary>
public sealed class ProgramQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static ProgramQueries() => DapperTypes.Register();

    /// <summary>The same threshold as the outcomes report (<see cref="ReportQueries.Threshold"/>): 1 to 4 people are never shown.</summary>
    public const int Threshold = ReportQueries.Threshold;

    public const int FundingMonths = 12;

    /// <summary>The post-funding states where the State's funding is attributed and not over.</summary>
    public static readonly IReadOnlyList<string> FundedStates =
    [
        nameof(PostState.Granted), nameof(PostState.Recruiting), nameof(PostState.Occupied), nameof(PostState.Vacant),
        nameof(PostState.Renewed), nameof(PostState.FundingEnding),
    ];

    /// <summary>The HR dashboard's posts without an advisor (<see cref="DashboardQueries.ReadAsync"/>'s vacancies).</summary>
    public static readonly IReadOnlyList<string> VacantStates = [nameof(PostState.Vacant), nameof(PostState.Recruiting)];

    const string Places = """
        territory AS (
            SELECT * FROM unnest(@codes::text[], @regions::text[]) AS t(departement, region)
        ),
        places AS (
            SELECT s.id, s.name, s.siret, s.departement, t.region
              FROM structure s LEFT JOIN territory t ON t.departement = s.departement
        )
        """;

    // GROUPING(region, departement, id): 7 the country, 3 a region, 1 a département, 0 a structure.
    const string Sets = "GROUPING SETS ((), (pl.region), (pl.region, pl.departement), (pl.region, pl.departement, pl.id))";

    public async Task<ProgramCounts> ReadAsync(DateOnly today, CancellationToken ct = default)
    {
        var first = new DateOnly(today.Year, today.Month, 1);
        var months = Enumerable.Range(0, FundingMonths).Select(m => DateMath.AddMonths(first, m)).ToList();
        var until = DateMath.AddMonths(first, FundingMonths).AddDays(-1);
        var args = new DynamicParameters(new
        {
            codes = Territory.Departements.Select(d => d.Code).ToArray(), regions = Territory.Departements.Select(d => d.Region.Code).ToArray(),
            postDef = PostFundingWorkflow.DefinitionId, contractDef = AdvisorContractWorkflow.DefinitionId,
            funded = FundedStates.ToArray(), vacant = VacantStates.ToArray(), decision = Tasks.Decision, fundingEnd = DashboardQueries.FundingEndRule,
            year = first.Year, month = first.Month,
        });
        args.Add("today", today, DbType.Date);
        args.Add("until", until, DbType.Date);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition($"""
            WITH {Places},
            posts AS (
                SELECT p.structure_id,
                       count(*) FILTER (WHERE i.state = ANY(@funded)) AS funded,
                       count(*) FILTER (WHERE i.state = ANY(@funded) AND i.data->>'currentContractId' IS NOT NULL) AS occupied,
                       count(*) FILTER (WHERE i.state = ANY(@vacant)) AS vacant
                  FROM funded_post p
                  JOIN LATERAL (SELECT state, data FROM workflow_instance
                                 WHERE definition_id = @postDef AND subject_id = p.id ORDER BY created_at DESC LIMIT 1) i ON true
                 GROUP BY p.structure_id
            ),
            decisions AS (
                SELECT p.structure_id, count(*) AS due, count(*) FILTER (WHERE h.due_on < @today) AS overdue
                  FROM human_task h
                  JOIN workflow_instance i ON i.id = h.instance_id AND i.definition_id = @contractDef
                  JOIN contract c ON c.id = i.subject_id
                  JOIN funded_post p ON p.id = c.post_id
                 WHERE h.status = 'Open' AND h.kind = @decision
                 GROUP BY p.structure_id
            )
            SELECT GROUPING(pl.region, pl.departement, pl.id) AS Grouping, pl.region AS Region, pl.departement AS Departement, pl.id AS StructureId,
                   min(pl.name) AS Name, min(pl.siret) AS Siret, count(*)::int AS Structures,
                   coalesce(sum(po.funded), 0)::int AS Funded, coalesce(sum(po.occupied), 0)::int AS Occupied, coalesce(sum(po.vacant), 0)::int AS Vacant,
                   coalesce(sum(d.due), 0)::int AS Due, coalesce(sum(d.overdue), 0)::int AS Overdue
              FROM places pl
              LEFT JOIN posts po ON po.structure_id = pl.id
              LEFT JOIN decisions d ON d.structure_id = pl.id
             GROUP BY {Sets};

            WITH {Places}
            SELECT GROUPING(pl.region, pl.departement, pl.id) AS Grouping, pl.region AS Region, pl.departement AS Departement, pl.id AS StructureId,
                   e.month AS Month, count(DISTINCT p.id)::int AS Posts
              FROM places pl
              JOIN funded_post p ON p.structure_id = pl.id
              JOIN workflow_instance i ON i.definition_id = @postDef AND i.subject_id = p.id
              JOIN workflow_timer t ON t.instance_id = i.id AND t.fired_at IS NULL AND t.rule_id = @fundingEnd
              CROSS JOIN LATERAL (SELECT ((extract(year FROM t.due_on)::int - @year) * 12 + extract(month FROM t.due_on)::int - @month) AS month) e
             WHERE t.due_on BETWEEN @today AND @until
             GROUP BY GROUPING SETS ((e.month), (pl.region, e.month), (pl.region, pl.departement, e.month), (pl.region, pl.departement, pl.id, e.month));
            """, args, cancellationToken: ct));
        var rows = (await grid.ReadAsync<Row>()).ToList();
        var ends = (await grid.ReadAsync<EndRow>()).ToLookup(e => (e.Grouping, e.Region, e.Departement, e.StructureId));

        var lines = rows.Select(r =>
        {
            var key = r.Grouping switch { 7 => (7, null, null, null), 3 => (3, r.Region, null, null), 1 => (1, r.Region, r.Departement, null), _ => (0, r.Region, r.Departement, r.StructureId) };
            var monthly = new int[FundingMonths];
            foreach (var e in ends[key]) monthly[e.Month] = e.Posts;
            var level = r.Grouping switch { 7 => ProgramLevel.National, 3 => ProgramLevel.Region, 1 => ProgramLevel.Departement, _ => ProgramLevel.Structure };
            return new Line(level, key.Item2, key.Item3, key.Item4, r.Name, r.Siret, r.Structures, r.Funded, r.Occupied, r.Vacant, monthly, r.Due, r.Overdue);
        })
            // PostgreSQL returns the lines in no set order, and the suppression's ties go to the first: one order, so that
            // every read of the same data hides the same cells.
            .OrderBy(l => l.Level).ThenBy(l => l.Region, StringComparer.Ordinal).ThenBy(l => l.Departement, StringComparer.Ordinal).ThenBy(l => l.StructureId)
            .ToList();
        var hidden = Suppress(lines);
        ProgramArea Area(Line l, int i) => new(l.Level, l.Region, l.Departement, l.Level == ProgramLevel.Structure ? l.StructureId : null,
            l.Level == ProgramLevel.Structure ? l.Name : null, l.Level == ProgramLevel.Structure ? l.Siret : null,
            new ProgramFigures(l.Structures, l.Funded, l.Occupied, l.Vacant, l.Ends, hidden[i][0] ? null : l.Due, hidden[i][1] ? null : l.Overdue));
        var areas = lines.Select(Area).ToList();
        // Structures without a département last; a département's lines by code, structures by name.
        return new ProgramCounts(today, months, areas.Single(a => a.Level == ProgramLevel.National),
            areas.Where(a => a.Level == ProgramLevel.Region).OrderBy(a => a.RegionCode is null).ThenBy(a => a.RegionCode, StringComparer.Ordinal).ToList(),
            areas.Where(a => a.Level == ProgramLevel.Departement).OrderBy(a => a.DepartementCode is null).ThenBy(a => DepartementOrder(a.DepartementCode)).ToList(),
            areas.Where(a => a.Level == ProgramLevel.Structure).OrderBy(a => a.StructureName, StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("fr-FR"), false))
                .ThenBy(a => a.StructureId).ToList());
    }

    /// <summary>The COG's order: 2A and 2B between 19 and 21.</summary>
    static string DepartementOrder(string? code) => code switch { "2A" => "20A", "2B" => "20B", null => "", _ => code.PadLeft(3, '0') };

    /// <summary>One line of the counts before suppression.</summary>
    public sealed record Line(ProgramLevel Level, string? Region, string? Departement, Guid? StructureId, string? Name, string? Siret,
        int Structures, int Funded, int Occupied, int Vacant, IReadOnlyList<int> Ends, int Due, int Overdue);

    /// <summary>
    /// Which people counts to hide, line by line ([0] decisions due, [1] overdue), over the whole country at
    /// once so that the national view and every regional one hide the same cells (one view less another
    /// gives nothing back). As the outcomes report does (<see cref="ReportQueries"/>): a count of 1 to 4; an
    /// overdue count 1 to 4 short of the decisions due (those not yet late would be 1 to 4 people); then, among
    /// the lines of one area (the regions of the country, the départements of a region, the structures of a
    /// département), a second cell beside a lone hidden one — the smallest other count above zero, or else
    /// the area's own — so that the area's total less the lines shown does not give the hidden one back; and
    /// under a hidden area, one of its lines at least (the smallest above zero), or their sum would give it back.
    /// Then, as the outcomes report does too, the bounds a reader knows (a hidden count of 1 to 4 is at most 4, an
    /// overdue count at most the decisions due): while they pin a hidden count (three hidden 4s under an area whose
    /// shown total leaves 12 for them), one more count beside it is hidden (<see cref="ReportCube.NextToHide"/>).
    /// </summary>
    public static bool[][] Suppress(IReadOnlyList<Line> lines)
    {
        var hidden = lines.Select(l => new[] { l.Due is > 0 and < Threshold, Small(l.Overdue, l.Due) }).ToArray();
        var index = lines.Select((l, i) => (l, i)).ToList();
        // Each area and the lines just below it.
        var areas = index.Where(x => x.l.Level != ProgramLevel.Structure).Select(x => (Parent: x.i, Children: index.Where(c => IsChild(x.l, c.l)).Select(c => c.i).ToList())).ToList();
        var tree = areas.Select(a => (a.Parent, a.Children.ToArray())).ToList();
        var counts = lines.Select(l => new[] { l.Due, l.Overdue }).ToList();
        for (var pinned = true; pinned;)
        {
            HideLoneCells(lines, hidden, areas);
            pinned = false;
            for (var m = 0; m < 2 && !pinned; m++)
                if (ReportCube.NextToHide(tree, counts, hidden, m) is { } next)
                    (hidden[next][m], pinned) = (true, true);
        }
        return hidden;
    }

    static void HideLoneCells(IReadOnlyList<Line> lines, bool[][] hidden, List<(int Parent, List<int> Children)> areas)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            for (var m = 0; m < 2; m++)
                foreach (var (parent, children) in areas)
                {
                    // A shown area with one hidden line gives it back by subtraction; a hidden area whose lines are all shown, by addition.
                    var hiddenLines = children.Count(c => hidden[c][m]);
                    if (hidden[parent][m] ? hiddenLines != 0 : hiddenLines != 1) continue;
                    var partner = children.Where(c => !hidden[c][m] && Value(lines[c], m) > 0).OrderBy(c => Value(lines[c], m)).ThenBy(c => c)
                        .Cast<int?>().FirstOrDefault();
                    if (partner is null && hidden[parent][m]) continue;
                    hidden[partner ?? parent][m] = true;
                    changed = true;
                }
        }
    }

    static int Value(Line l, int measure) => measure == 0 ? l.Due : l.Overdue;

    static bool Small(int n, int total) => (n is > 0 and < Threshold) || (total - n is > 0 and < Threshold) || (total < Threshold && n > 0);

    static bool IsChild(Line parent, Line child) => (parent.Level, child.Level) switch
    {
        (ProgramLevel.National, ProgramLevel.Region) => true,
        (ProgramLevel.Region, ProgramLevel.Departement) => child.Region == parent.Region,
        (ProgramLevel.Departement, ProgramLevel.Structure) => child.Region == parent.Region && child.Departement == parent.Departement,
        _ => false,
    };

    sealed record Row
    {
        public int Grouping { get; init; }
        public string? Region { get; init; }
        public string? Departement { get; init; }
        public Guid? StructureId { get; init; }
        public string? Name { get; init; }
        public string? Siret { get; init; }
        public int Structures { get; init; }
        public int Funded { get; init; }
        public int Occupied { get; init; }
        public int Vacant { get; init; }
        public int Due { get; init; }
        public int Overdue { get; init; }
    }

    sealed record EndRow
    {
        public int Grouping { get; init; }
        public string? Region { get; init; }
        public string? Departement { get; init; }
        public Guid? StructureId { get; init; }
        public int Month { get; init; }
        public int Posts { get; init; }
    }
}

using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>One contract's outcome: no name, no e-mail, no free text, no exact date.</summary>
public sealed record OutcomeRecord(Guid AdvisorId, Guid ContractId, string ContractType, int? EndYear, string? Decision, bool DecisionLate,
    bool NoticeDeadlineMissed, bool EarlyEnd, bool TrialFailed, bool TrainingCompleted, bool Certified, string? Outcome6, string? Outcome12);

/// <summary>A count of distinct advisors; null when 1 to 4 people (suppressed, so that nobody can be singled out).</summary>
public sealed record Cell(string Measure, int? Advisors, bool Suppressed);
public sealed record ReportGroup(string Dimension, string Value, IReadOnlyList<Cell> Cells);
public sealed record OutcomesReport(int SuppressionThreshold, IReadOnlyList<ReportGroup> Groups);

/// <summary>The cube's cells, each with its count and whether it is hidden, measure by measure (for checks only).</summary>
public sealed record OutcomesCube(IReadOnlyList<string> Measures, IReadOnlyList<OutcomeCell> Cells, IReadOnlyList<int[]> Counts, bool[][] Hidden);

/// <summary>The report and how many contracts it counted (what the access log records).</summary>
public sealed record OutcomesSummary(OutcomesReport Report, int Contracts);

/// <summary>One selection of the outcomes page: a recruitment cohort ("2024-T1") and a structure kind, each null for all.</summary>
public sealed record OutcomesFilter(string? Cohort = null, string? StructureKind = null)
{
    /// <summary>A cohort as the page writes it: the year and the quarter (T1 to T4).</summary>
    public static bool IsCohort(string? text) => text is { Length: 7 } && text[4] == '-' && text[5] == 'T' && text[6] is >= '1' and <= '4'
                                                  && text[..4].All(char.IsAsciiDigit);

    public static bool IsStructureKind(string? text) => Enum.GetNames<StructureKind>().Contains(text);
}

/// <summary>
/// The outcomes page's figures for one selection: its groups ("ensemble" the selection itself, then "cohorte",
/// "typeDeStructure", "typeDeContrat"), the cohorts there are to choose from, and how many contracts were read.
/// </summary>
public sealed record OutcomesDetail(OutcomesFilter Filter, int SuppressionThreshold, IReadOnlyList<string> Cohorts, IReadOnlyList<ReportGroup> Groups, int Contracts);

/// <summary>
/// What became of advisors: decisions, notice kept or missed, trainings, early ends, the situation at the end
/// of the contract and at the 6- and 12-month follow-ups. Contract facts come from the records (type, end,
/// termination, decision); trainings, outcomes and a missed notice from each contract's workflow data. PostgreSQL
/// counts the advisors of every cell (<see cref="ReportCube"/>); the suppression runs on that small table.
/// </summary>
public sealed class ReportQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static ReportQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "outcome-records";

    public const int Threshold = ReportCube.Threshold;

    const string Facts = """
        SELECT c.id AS ContractId, c.advisor_id AS AdvisorId, c.contract_type AS ContractType,
               coalesce(c.terminated_on, c.effective_end, c.end_date) AS ActualEnd, c.termination_reason AS TerminationReason,
               c.decision_kind AS Decision, coalesce(c.decision_late, false) AS DecisionLate, i.data::text AS Data
          FROM contract c
          JOIN funded_post p ON p.id = c.post_id
          LEFT JOIN LATERAL (SELECT data FROM workflow_instance
                              WHERE definition_id = @def AND subject_id = c.id ORDER BY created_at DESC LIMIT 1) i ON true
         WHERE (@all OR p.structure_id = ANY(@structures))
        """;

    /// <summary>
    /// The report over every contract in scope: the whole population, by structure kind and by contract type. Its
    /// cells are those of the outcomes page's cube (<see cref="DetailAsync"/>), hidden alike, so that the API and the
    /// page never show two sides of one hidden cell.
    /// </summary>
    public async Task<OutcomesSummary> OutcomesAsync(ReadScope scope, CancellationToken ct = default)
    {
        var cube = await CubeAsync(scope, null, ct);
        var groups = new List<ReportGroup> { cube.Group("ensemble", "tous", OutcomeCell.All) };
        groups.AddRange(cube.Values(1, OutcomeCell.All).Select(kind => cube.Group("typeDeStructure", kind, OutcomeCell.All with { StructureKind = kind })));
        groups.AddRange(cube.Values(2, OutcomeCell.All).Select(type => cube.Group("typeDeContrat", type, OutcomeCell.All with { ContractType = type })));
        return new OutcomesSummary(new OutcomesReport(Threshold, groups), cube.Contracts);
    }

    /// <summary>
    /// The outcomes page's figures for one selection (a cohort, a structure kind, or all): the selection as a whole,
    /// then by cohort (when no cohort is chosen), by structure kind (when none is chosen) and by contract type, with
    /// every measure, the end-of-contract situations among them (a contract is over when its last day is before
    /// <paramref name="today"/>). Every selection is cut from one cube hidden as a whole: no two selections show
    /// the two sides of a hidden cell.
    /// </summary>
    public async Task<OutcomesDetail> DetailAsync(ReadScope scope, OutcomesFilter filter, DateOnly today, CancellationToken ct = default)
    {
        var cube = await CubeAsync(scope, today, ct);
        var selection = new OutcomeCell(filter.Cohort, filter.StructureKind, null);
        var groups = new List<ReportGroup> { cube.Group("ensemble", "tous", selection) };
        if (filter.Cohort is null)
            groups.AddRange(cube.Values(0, selection).Select(c => cube.Group("cohorte", c, selection with { Cohort = c })));
        if (filter.StructureKind is null)
            groups.AddRange(cube.Values(1, selection).Select(k => cube.Group("typeDeStructure", k, selection with { StructureKind = k })));
        groups.AddRange(cube.Values(2, selection).Select(t => cube.Group("typeDeContrat", t, selection with { ContractType = t })));
        return new OutcomesDetail(filter, Threshold, cube.Values(0, OutcomeCell.All), groups, cube.Contracts);
    }

    /// <summary>
    /// The page's whole cube, counted and hidden, for checks of the suppression (a test solves what the shown figures
    /// give away of each hidden one); no endpoint or page returns it.
    /// </summary>
    public async Task<OutcomesCube> CubeForChecksAsync(ReadScope scope, DateOnly today, CancellationToken ct = default)
    {
        var cube = await CubeAsync(scope, today, ct);
        return new OutcomesCube([.. ReportCube.Measures.Select(m => m.Name)], cube.Cells, cube.Counts, cube.Hidden);
    }

    /// <summary>A page of per-contract rows, by contract id; null when the cursor is not one of this list.</summary>
    public async Task<Page<OutcomeRecord>?> RecordsAsync(ReadScope scope, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, List, out var id)) return null;
            after = id;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<FactRow>(new CommandDefinition($"""
            {Facts} AND (@after::uuid IS NULL OR c.id > @after)
             ORDER BY c.id LIMIT @take
            """, new { def = AdvisorContractWorkflow.DefinitionId, all = scope.AllStructures, structures = scope.Structures, after, take = page.Take },
            cancellationToken: ct))).Select(r => r.Record()).ToList();
        return Page<OutcomeRecord>.From(rows, page.Limit, r => Cursor.Key(List, r.ContractId.ToString()));
    }

    sealed record FactRow
    {
        public Guid ContractId { get; init; }
        public Guid AdvisorId { get; init; }
        public string ContractType { get; init; } = "";
        public DateOnly? ActualEnd { get; init; }
        public string? TerminationReason { get; init; }
        public string? Decision { get; init; }
        public bool DecisionLate { get; init; }
        public string? Data { get; init; }

        public OutcomeRecord Record()
        {
            var d = Data is null ? null : WorkflowJson.Deserialize<AdvisorContractData>(Data);
            var endedInTrial = TerminationReason == nameof(Domain.Model.TerminationReason.TrialFailed);
            return new OutcomeRecord(AdvisorId, ContractId, ContractType, ActualEnd?.Year, Decision, DecisionLate,
                d?.NoticeDeadlineMissed ?? false, TerminationReason is not null && !endedInTrial, endedInTrial || d?.TrialFailed == true,
                d?.InitialTrainingDone ?? false, d?.CertificationDone ?? false,
                d?.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month6)?.Kind.ToString(),
                d?.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month12)?.Kind.ToString());
        }
    }

    /// <summary>
    /// Each contract in scope as the facts the measures test, one row per contract (its advisor, cohort, structure
    /// kind and type beside them). The instance's data is read once per contract (jsonb_to_record: one detoasting,
    /// the costliest step), and only the parts the measures need, under the names WorkflowJson writes: the flags, the
    /// outcomes (the first of each follow-up point, as FactRow.Record reads them), and AdvisorContractData's own
    /// InitialTrainingDone and CertificationDone, which the serializer writes with the data. The cohort is the quarter
    /// of the advisor's first contract in scope: the advisor's recruitment, whatever came after.
    /// </summary>
    const string Measured = $"""
        WITH facts AS (
            SELECT c.advisor_id, s.kind AS structure_kind, c.contract_type, c.start_date, c.decision_kind,
                   coalesce(c.decision_late, false) AS decision_late, c.termination_reason, c.terminated_on,
                   coalesce(c.terminated_on, c.effective_end, c.end_date) AS actual_end,
                   coalesce(i.notice_missed, false) AS notice_missed, coalesce(i.trial_failed, false) AS trial_flag,
                   coalesce(i.training_completed, false) AS training_completed, coalesce(i.certified, false) AS certified, i.outcomes
              FROM contract c
              JOIN funded_post p ON p.id = c.post_id
              JOIN structure s ON s.id = p.structure_id
              LEFT JOIN (SELECT DISTINCT ON (w.subject_id) w.subject_id, x.outcomes, x."noticeDeadlineMissed" AS notice_missed,
                                x."trialFailed" AS trial_failed, x."initialTrainingDone" AS training_completed, x."certificationDone" AS certified
                           FROM workflow_instance w,
                                jsonb_to_record(w.data) AS x(outcomes jsonb, "noticeDeadlineMissed" boolean, "trialFailed" boolean,
                                                             "initialTrainingDone" boolean, "certificationDone" boolean)
                          WHERE w.definition_id = @def
                          ORDER BY w.subject_id, w.created_at DESC) i ON i.subject_id = c.id
             WHERE (@all OR p.structure_id = ANY(@structures))
        ), measured AS (
            SELECT advisor_id, structure_kind, contract_type, decision_kind, decision_late, notice_missed, terminated_on, actual_end,
                   training_completed, certified,
                   to_char(min(start_date) OVER (PARTITION BY advisor_id), 'YYYY"-T"Q') AS cohort,
                   coalesce(termination_reason <> '{nameof(TerminationReason.TrialFailed)}', false) AS early_end,
                   coalesce(termination_reason = '{nameof(TerminationReason.TrialFailed)}', false) OR trial_flag AS trial_failed,
                   jsonb_path_query_first(outcomes, '$[*] ? (@.at == "{nameof(FollowUpPoint.Month6)}").kind') #>> '{"{}"}' AS outcome6,
                   jsonb_path_query_first(outcomes, '$[*] ? (@.at == "{nameof(FollowUpPoint.Month12)}").kind') #>> '{"{}"}' AS outcome12
              FROM facts
        )
        """;

    /// <summary>
    /// Counts of distinct advisors per cell of the cube and measure, computed by PostgreSQL in two steps: each
    /// advisor's contracts in each cell (GROUP BY advisor, CUBE), their measures OR-ed as one bit each of a mask;
    /// then, per cell, the advisors whose mask has each bit. One aggregate per row instead of one distinct count per
    /// measure: the same counts as count(DISTINCT advisor_id) FILTER (WHERE …), in a third of the time. The first
    /// columns say which dimensions the cell rolls up (GROUPING) and how many contracts it holds.
    /// </summary>
    static string CubeSql(IReadOnlyList<ReportCube.Measure> measures)
    {
        if (measures.Count > 63) throw new InvalidOperationException("A measure is one bit of a bigint: 63 at most.");
        return $"""
            {Measured}, masked AS (
                SELECT advisor_id, cohort, structure_kind, contract_type,
                       {string.Join("\n                       | ", measures.Select((m, i) => $"CASE WHEN {m.Condition} THEN {1L << i} ELSE 0 END"))} AS mask
                  FROM measured
            ), cells AS (
                SELECT GROUPING(cohort, structure_kind, contract_type) AS rolled_up, cohort, structure_kind, contract_type,
                       count(*) AS contracts, bit_or(mask) AS mask
                  FROM masked
                 GROUP BY advisor_id, CUBE (cohort, structure_kind, contract_type)
            )
            SELECT rolled_up, cohort, structure_kind, contract_type, sum(contracts)::bigint AS contracts,
                   {string.Join(",\n                   ", measures.Select((_, i) => $"count(*) FILTER (WHERE mask & {1L << i} <> 0)"))}
              FROM cells
             GROUP BY rolled_up, cohort, structure_kind, contract_type
            """;
    }

    static readonly ReportCube.Measure[] ReportMeasures = [.. ReportCube.Measures.Where(m => m.InReport)];
    static readonly string ReportSql = CubeSql(ReportMeasures);
    static readonly string DetailSql = CubeSql(ReportCube.Measures);

    /// <summary>The cube, hidden: without <paramref name="today"/>, the API report's measures only.</summary>
    async Task<Cube> CubeAsync(ReadScope scope, DateOnly? today, CancellationToken ct)
    {
        ReportCube.Measure[] measures = today is null ? ReportMeasures : [.. ReportCube.Measures];
        var cells = new List<OutcomeCell>();
        var counts = new List<int[]>();
        var contracts = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        var args = new DynamicParameters(new { def = AdvisorContractWorkflow.DefinitionId, all = scope.AllStructures, structures = scope.Structures });
        if (today is { } day) args.Add("today", day);
        await using var reader = await conn.ExecuteReaderAsync(new CommandDefinition(today is null ? ReportSql : DetailSql, args, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            var rolledUp = reader.GetInt32(0);
            string? Coordinate(int bit, int column) => (rolledUp & bit) != 0 ? null : reader.GetString(column);
            var cell = new OutcomeCell(Coordinate(4, 1), Coordinate(2, 2), Coordinate(1, 3));
            if (cell == OutcomeCell.All) contracts = checked((int)reader.GetInt64(4));
            cells.Add(cell);
            counts.Add(Enumerable.Range(0, measures.Length).Select(m => checked((int)reader.GetInt64(5 + m))).ToArray());
        }
        return new Cube(measures, cells, counts, ReportCube.Suppress(cells, counts), contracts);
    }

    /// <summary>The cube's cells with their counts and what is hidden; a cell absent from it has no advisor.</summary>
    sealed class Cube(ReportCube.Measure[] measures, List<OutcomeCell> cells, List<int[]> counts, bool[][] hidden, int contracts)
    {
        readonly Dictionary<OutcomeCell, int> _index = cells.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);

        public int Contracts => contracts;
        public IReadOnlyList<OutcomeCell> Cells => cells;
        public IReadOnlyList<int[]> Counts => counts;
        public bool[][] Hidden => hidden;

        /// <summary>The values of a dimension present under a cell (whose coordinate in that dimension is null).</summary>
        public IReadOnlyList<string> Values(int dimension, OutcomeCell under) =>
            cells.Where(c => c[dimension] is not null && c.Without(dimension) == under).Select(c => c[dimension]!).Order(StringComparer.Ordinal).ToList();

        public ReportGroup Group(string dimension, string value, OutcomeCell cell) => new(dimension, value,
            _index.TryGetValue(cell, out var i)
                ? measures.Select((m, j) => new Cell(m.Name, hidden[i][j] ? null : counts[i][j], hidden[i][j])).ToList()
                : measures.Select(m => new Cell(m.Name, 0, false)).ToList());
    }
}

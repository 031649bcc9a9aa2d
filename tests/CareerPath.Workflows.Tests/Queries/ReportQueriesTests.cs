using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>
/// The outcomes aggregates PostgreSQL computes (ReportQueries over the cube of ReportCube) against counts taken
/// independently from the rows: each contract's facts read from its record and from its workflow data deserialised
/// as the engine wrote it, distinct advisors counted in C#; and the suppression checked for what it promises.
/// </summary>
public sealed class ReportQueriesTests(ReportQueriesTests.Seeded seeded) : IClassFixture<ReportQueriesTests.Seeded>
{
    static readonly DateOnly Today = new(2026, 11, 30);
    static readonly string[] Kinds = Enum.GetNames<StructureKind>();

    /// <summary>One contract as the test wrote it: its record's columns and its instance's data (null: no instance).</summary>
    public sealed record Row(Guid AdvisorId, Guid StructureId, string StructureKind, Contract Contract, DecisionKind? Decision, bool DecisionLate,
        AdvisorContractData? Data)
    {
        public DateOnly? ActualEnd => Contract.ActualEnd;
        public string Cohort { get; set; } = "";
    }

    /// <summary>The class's database, seeded once for all its tests (which only read it).</summary>
    public sealed class Seeded : IAsyncLifetime
    {
        readonly MigratedDatabase _db = new();
        public NpgsqlDataSource Source { get; private set; } = null!;
        public IReadOnlyList<Row> Rows { get; private set; } = [];

        public async Task InitializeAsync()
        {
            await _db.InitializeAsync();
            Source = Database.CreateDataSource(_db.ConnectionString);
            Rows = await SeedAsync(Source, new Random(12));
        }

        public async Task DisposeAsync()
        {
            await Source.DisposeAsync();
            await _db.DisposeAsync();
        }
    }

    NpgsqlDataSource Source => seeded.Source;
    IReadOnlyList<Row> Rows => seeded.Rows;

    /// <summary>
    /// 260 advisors on 300 contracts over two structures of each kind: random types, starts over three years, decisions
    /// (late or not), early ends, trial failures, trainings, exams and follow-ups; one contract in fifteen without an
    /// instance, and a few with an older instance beside the current one.
    /// </summary>
    static async Task<List<Row>> SeedAsync(NpgsqlDataSource source, Random random)
    {
        var structures = Kinds.SelectMany(kind => new[] { (Id: Guid.NewGuid(), Kind: kind), (Id: Guid.NewGuid(), Kind: kind) }).ToList();
        var advisors = Enumerable.Range(0, 260).Select(_ => Guid.NewGuid()).ToList();
        var rows = new List<Row>();
        for (var i = 0; i < 300; i++)
        {
            // The first advisors take a second contract; the first structure gets 40 contracts of its own.
            var advisor = advisors[i < 260 ? i : i - 260];
            var structure = i < 40 ? structures[0] : structures[random.Next(structures.Count)];
            var type = (ContractType)random.Next(4);
            var regime = type == ContractType.Pec ? LegalRegime.Private : (LegalRegime)random.Next(2);
            var start = new DateOnly(2023, 10, 1).AddDays(random.Next(1000));
            DateOnly? end = type == ContractType.Cdi ? null : start.AddMonths(random.Next(6, 30)).AddDays(-1);
            var contract = new Contract(Guid.NewGuid(), advisor, Guid.NewGuid(), type, regime, start, end);
            if (random.Next(8) == 0)
            {
                var reason = (TerminationReason)random.Next(5);
                var last = end ?? start.AddYears(3);
                contract = contract with { EarlyTermination = new EarlyTermination(start.AddDays(random.Next(last.DayNumber - start.DayNumber + 1)), reason) };
            }
            DecisionKind? decision = random.Next(3) == 0 ? null : (DecisionKind)random.Next(4);
            var late = decision is not null && random.Next(4) == 0;
            AdvisorContractData? data = null;
            if (random.Next(15) != 0)
            {
                data = new AdvisorContractData
                {
                    Contract = contract,
                    Advisor = new Advisor(advisor, "Anonyme", $"{advisor:N}@report.test", false),
                    StructureId = structure.Id,
                    NoticeDeadlineMissed = random.Next(6) == 0,
                    TrialFailed = random.Next(12) == 0,
                    DecisionLate = late,
                };
                if (random.Next(5) != 0)
                {
                    var trainingStart = start.AddDays(random.Next(60));
                    data.Trainings.Add(new TrainingAssignment(Guid.NewGuid(), advisor, TrainingModuleKind.InitialTraining, "Formation initiale", 140,
                        trainingStart, trainingStart.AddDays(60), trainingStart.AddDays(60)) { CompletedOn = random.Next(3) == 0 ? null : trainingStart.AddDays(60) });
                    // A second initial training, later: the first one (by start) is the one that counts.
                    if (random.Next(10) == 0)
                        data.Trainings.Add(new TrainingAssignment(Guid.NewGuid(), advisor, TrainingModuleKind.InitialTraining, "Reprise", 70,
                            trainingStart.AddDays(200), null, trainingStart.AddDays(260)) { CompletedOn = trainingStart.AddDays(250) });
                    foreach (var exam in new[] { TrainingModuleKind.Ccp1Exam, TrainingModuleKind.PixExam })
                        if (random.Next(4) != 0)
                            data.Trainings.Add(new TrainingAssignment(Guid.NewGuid(), advisor, exam, "Examen", 0, trainingStart.AddDays(61), null, trainingStart.AddDays(240))
                                { CompletedOn = trainingStart.AddDays(100), Passed = random.Next(5) != 0 });
                }
                foreach (var point in new[] { FollowUpPoint.Month6, FollowUpPoint.Month12 })
                    if (random.Next(3) != 0)
                        data.Outcomes.Add(new Outcome(contract.Id, point, (OutcomeKind)random.Next(6), Today));
            }
            rows.Add(new Row(advisor, structure.Id, structure.Kind, contract, decision, late, data));
        }
        foreach (var group in rows.GroupBy(r => r.AdvisorId))
        {
            var first = group.Min(r => r.Contract.Start);
            foreach (var r in group) r.Cohort = $"{first.Year}-T{(first.Month - 1) / 3 + 1}";
        }

        await using var conn = await source.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        foreach (var (id, kind) in structures)
            await conn.ExecuteAsync("INSERT INTO structure (id, name, kind, legal_regime) VALUES (@id, 'Structure ' || @id, @kind, 'Public')", new { id, kind }, tx);
        foreach (var advisor in advisors)
            await conn.ExecuteAsync("INSERT INTO advisor (id, full_name, work_email) VALUES (@advisor, 'Anonyme', @advisor || '@report.test')", new { advisor }, tx);
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var (r, n) in rows.Select((r, n) => (r, n)))
        {
            var c = r.Contract;
            await conn.ExecuteAsync("""
                INSERT INTO funded_post (id, structure_id, label) VALUES (@PostId, @StructureId, 'Poste ' || @PostId);
                INSERT INTO contract (id, advisor_id, post_id, contract_type, legal_regime, start_date, end_date, effective_end, terminated_on, termination_reason,
                                      decision_kind, decided_on, decision_late)
                     VALUES (@Id, @AdvisorId, @PostId, @Type, @Regime, @Start, @End, @End, @TerminatedOn, @Reason, @Decision, @DecidedOn, @Late);
                """, new
            {
                c.PostId, r.StructureId, c.Id, r.AdvisorId, Type = c.Type.ToString(), Regime = c.Regime.ToString(), c.Start, c.End,
                TerminatedOn = c.EarlyTermination?.Date, Reason = c.EarlyTermination?.Reason.ToString(), Decision = r.Decision?.ToString(),
                DecidedOn = r.Decision is null ? (DateOnly?)null : c.Start, Late = r.Decision is null ? (bool?)null : r.DecisionLate,
            }, tx);
            if (r.Data is null) continue;
            const string Instance = """
                INSERT INTO workflow_instance (id, definition_id, definition_version, state, data, version, subject_id, structure_id, created_at, updated_at)
                VALUES (@id, @def, 1, 'Active', @data::jsonb, 1, @subject, @structure, @at, @at)
                """;
            // An older instance of the same contract, whose data says otherwise: only the newest counts.
            if (n % 20 == 0)
            {
                var older = WorkflowJson.Deserialize<AdvisorContractData>(WorkflowJson.Serialize(r.Data));
                older.TrialFailed = !r.Data.TrialFailed;
                older.Outcomes = [new Outcome(c.Id, FollowUpPoint.Month6, OutcomeKind.Training, Today)];
                await conn.ExecuteAsync(Instance, new { id = Guid.NewGuid(), def = AdvisorContractWorkflow.DefinitionId, data = WorkflowJson.Serialize(older),
                    subject = c.Id, structure = r.StructureId, at = created.AddDays(-1) }, tx);
            }
            await conn.ExecuteAsync(Instance, new { id = Guid.NewGuid(), def = AdvisorContractWorkflow.DefinitionId, data = WorkflowJson.Serialize(r.Data),
                subject = c.Id, structure = r.StructureId, at = created.AddMinutes(n) }, tx);
        }
        await tx.CommitAsync();
        return rows;
    }

    // ---- the counts, independently: each measure as a test on a row, in C# ----

    static bool Kept(Row r) => r.Decision is DecisionKind.PermanentHireCdi or DecisionKind.Titularisation && r.Contract.EarlyTermination is null;
    static bool Ended(Row r) => r.ActualEnd < Today && r.Decision != DecisionKind.Renewal;
    static bool NoticeMissed(Row r) => r.Data?.NoticeDeadlineMissed == true;
    static string? OutcomeAt(Row r, FollowUpPoint at) => r.Data?.Outcomes.FirstOrDefault(o => o.At == at)?.Kind.ToString();

    static readonly Dictionary<string, Func<Row, bool>> Expected = BuildExpected();

    static Dictionary<string, Func<Row, bool>> BuildExpected()
    {
        var tests = new Dictionary<string, Func<Row, bool>>
        {
            ["conseillers"] = _ => true,
            ["cdiOuTitularisation"] = r => r.Decision is DecisionKind.PermanentHireCdi or DecisionKind.Titularisation,
            ["renouvellements"] = r => r.Decision == DecisionKind.Renewal,
            ["nonRenouvellements"] = r => r.Decision == DecisionKind.NotRetained,
            ["finsAnticipees"] = r => r.Contract.EarlyTermination is { Reason: not TerminationReason.TrialFailed },
            ["periodesEssaiNonConcluantes"] = r => r.Contract.EarlyTermination?.Reason == TerminationReason.TrialFailed || r.Data?.TrialFailed == true,
            ["delaiDePrevenanceTenu"] = r => r.Decision is not null && !r.DecisionLate && !NoticeMissed(r),
            ["delaiDePrevenanceManque"] = r => r.DecisionLate || NoticeMissed(r),
            ["formationInitialeTerminee"] = r => r.Data?.InitialTrainingDone == true,
            ["certifies"] = r => r.Data?.CertificationDone == true,
            ["situationFinDeContrat.HiredByStructure"] = r => Ended(r) && Kept(r),
            ["situationFinDeContrat.Unknown"] = r => Ended(r) && !Kept(r),
        };
        foreach (var kind in Enum.GetNames<OutcomeKind>())
        {
            tests[$"situation6Mois.{kind}"] = r => OutcomeAt(r, FollowUpPoint.Month6) == kind;
            tests[$"situation12Mois.{kind}"] = r => OutcomeAt(r, FollowUpPoint.Month12) == kind;
        }
        return tests;
    }

    static bool In(Row r, OutcomeCell cell) =>
        (cell.Cohort is null || r.Cohort == cell.Cohort) && (cell.StructureKind is null || r.StructureKind == cell.StructureKind)
        && (cell.ContractType is null || r.Contract.Type.ToString() == cell.ContractType);

    static int Count(IEnumerable<Row> rows, OutcomeCell cell, string measure) =>
        rows.Where(r => In(r, cell) && Expected[measure](r)).Select(r => r.AdvisorId).Distinct().Count();

    /// <summary>The cube cell a group of a selection stands for.</summary>
    static OutcomeCell CellOf(OutcomesFilter filter, ReportGroup g) => g.Dimension switch
    {
        "ensemble" => new(filter.Cohort, filter.StructureKind, null),
        "cohorte" => new(g.Value, filter.StructureKind, null),
        "typeDeStructure" => new(filter.Cohort, g.Value, null),
        "typeDeContrat" => new(filter.Cohort, filter.StructureKind, g.Value),
        _ => throw new InvalidOperationException(g.Dimension),
    };

    /// <summary>Every selection the page offers (each cohort, each kind, both, neither), read through DetailAsync.</summary>
    async Task<Dictionary<OutcomeCell, IReadOnlyList<Cell>>> EverySelectionAsync(ReportQueries queries)
    {
        var all = await queries.DetailAsync(ReadScope.Everything, new OutcomesFilter(), Today);
        var shown = new Dictionary<OutcomeCell, IReadOnlyList<Cell>>();
        foreach (var cohort in all.Cohorts.Append(null))
            foreach (var kind in Kinds.Append(null))
            {
                var filter = new OutcomesFilter(cohort, kind);
                var detail = await queries.DetailAsync(ReadScope.Everything, filter, Today);
                Assert.Equal(all.Cohorts, detail.Cohorts);
                foreach (var g in detail.Groups)
                {
                    var cell = CellOf(filter, g);
                    // One cube: a cell reads the same in every selection that shows it.
                    if (shown.TryGetValue(cell, out var before)) Assert.Equal(before, g.Cells);
                    else shown[cell] = g.Cells;
                }
            }
        return shown;
    }

    [Fact]
    public async Task Every_shown_count_of_every_selection_is_the_number_of_distinct_advisors_counted_from_the_rows()
    {
        var queries = new ReportQueries(Source);
        var shown = await EverySelectionAsync(queries);
        Assert.Equal(Expected.Keys.Order(), shown[OutcomeCell.All].Select(c => c.Measure).Order());
        Assert.Equal(Rows.Select(r => r.Cohort).Distinct().Order(StringComparer.Ordinal),
            (await queries.DetailAsync(ReadScope.Everything, new OutcomesFilter(), Today)).Cohorts);

        var (numbers, hidden) = (0, 0);
        foreach (var (cell, cells) in shown)
            foreach (var c in cells)
            {
                var expected = Count(Rows, cell, c.Measure);
                if (c.Suppressed)
                {
                    Assert.Null(c.Advisors);
                    hidden++;
                }
                else
                {
                    Assert.True(expected == c.Advisors, $"{cell} {c.Measure}: {c.Advisors} shown, {expected} counted");
                    if (expected > 0) numbers++;
                }
            }
        // Enough of both for the comparison to mean something.
        Assert.True(numbers > 200, $"{numbers} non-zero counts shown");
        Assert.True(hidden > 200, $"{hidden} counts hidden");
        Assert.Equal(300, (await queries.DetailAsync(ReadScope.Everything, new OutcomesFilter(), Today)).Contracts);
    }

    [Fact]
    public async Task No_shown_cell_of_any_selection_gives_a_small_count_back_alone_or_by_subtraction()
    {
        var shown = await EverySelectionAsync(new ReportQueries(Source));
        bool Hidden(OutcomeCell cell, string measure) => shown.TryGetValue(cell, out var cells) && cells.Single(c => c.Measure == measure).Suppressed;

        var partners = 0;
        foreach (var (cell, cells) in shown)
        {
            var size = Count(Rows, cell, "conseillers");
            foreach (var c in cells)
            {
                var n = Count(Rows, cell, c.Measure);
                var small = n is > 0 and < 5 || size - n is > 0 and < 5 || (size < 5 && n > 0);
                if (small) Assert.True(c.Suppressed, $"{cell} {c.Measure}: {n} of {size} is shown");
                else if (c.Suppressed) partners++;
            }
        }
        // Some cells were hidden only to protect another one.
        Assert.True(partners > 0);

        // On every line of the cube (cells differing in one dimension, and the cell that rolls them up), a hidden cell
        // is never alone unless the roll-up is hidden too: else the roll-up minus the others gives it back.
        var lines = 0;
        foreach (var dimension in new Func<OutcomeCell, OutcomeCell?>[]
                 {
                     c => c.Cohort is null ? null : c with { Cohort = null },
                     c => c.StructureKind is null ? null : c with { StructureKind = null },
                     c => c.ContractType is null ? null : c with { ContractType = null },
                 })
            foreach (var line in shown.Keys.Where(c => dimension(c) is not null).GroupBy(c => dimension(c)!))
                foreach (var measure in Expected.Keys)
                {
                    if (!shown.ContainsKey(line.Key)) continue;
                    lines++;
                    var alone = line.Count(c => Hidden(c, measure)) == 1;
                    Assert.False(alone && !Hidden(line.Key, measure), $"{line.Key} {measure}: one hidden cell alone on its line");
                }
        Assert.True(lines > 1000, $"{lines} lines checked");
    }

    [Fact]
    public async Task The_api_report_shows_the_cube_s_cells_of_its_measures_and_keeps_its_shape()
    {
        var queries = new ReportQueries(Source);
        var summary = await queries.OutcomesAsync(ReadScope.Everything);
        var detail = await queries.DetailAsync(ReadScope.Everything, new OutcomesFilter(), Today);
        Assert.Equal(300, summary.Contracts);
        Assert.Equal(5, summary.Report.SuppressionThreshold);

        // The measures the API has always listed, in its order.
        string[] measures = ["conseillers", "cdiOuTitularisation", "renouvellements", "nonRenouvellements", "finsAnticipees", "periodesEssaiNonConcluantes",
            "delaiDePrevenanceTenu", "delaiDePrevenanceManque", "formationInitialeTerminee", "certifies",
            .. Enum.GetNames<OutcomeKind>().SelectMany(k => new[] { $"situation6Mois.{k}", $"situation12Mois.{k}" })];
        Assert.All(summary.Report.Groups, g => Assert.Equal(measures, g.Cells.Select(c => c.Measure)));
        string[] dimensions = ["ensemble", .. Enumerable.Repeat("typeDeStructure", Kinds.Length), .. Enumerable.Repeat("typeDeContrat", 4)];
        Assert.Equal(dimensions, summary.Report.Groups.Select(g => g.Dimension));
        Assert.Equal(Kinds.Order(StringComparer.Ordinal), summary.Report.Groups.Where(g => g.Dimension == "typeDeStructure").Select(g => g.Value));
        Assert.Equal(Enum.GetNames<ContractType>().Order(StringComparer.Ordinal), summary.Report.Groups.Where(g => g.Dimension == "typeDeContrat").Select(g => g.Value));

        // Each of its cells reads as the page's: the same count, hidden alike.
        foreach (var g in summary.Report.Groups)
        {
            var page = detail.Groups.Single(d => d.Dimension == g.Dimension && d.Value == g.Value);
            Assert.Equal(g.Cells, page.Cells.Where(c => measures.Contains(c.Measure)));
        }
        Assert.Equal(Rows.Select(r => r.AdvisorId).Distinct().Count(), summary.Report.Groups[0].Cells[0].Advisors);
    }

    [Fact]
    public async Task A_scope_of_structures_counts_their_contracts_only()
    {
        var queries = new ReportQueries(Source);
        var structure = Rows[0].StructureId;
        var mine = Rows.Where(r => r.StructureId == structure).Select(r => r with { }).ToList();
        var summary = await queries.OutcomesAsync(ReadScope.OfStructures([structure]));
        Assert.Equal(mine.Count, summary.Contracts);
        var overall = summary.Report.Groups[0].Cells;
        Assert.Equal(mine.Select(r => r.AdvisorId).Distinct().Count(), overall.Single(c => c.Measure == "conseillers").Advisors);
        // The cohort is the advisor's first contract in scope, and the shown counts are this structure's.
        foreach (var group in mine.GroupBy(r => r.AdvisorId))
        {
            var first = group.Min(r => r.Contract.Start);
            foreach (var r in group) r.Cohort = $"{first.Year}-T{(first.Month - 1) / 3 + 1}";
        }
        var detail = await queries.DetailAsync(ReadScope.OfStructures([structure]), new OutcomesFilter(), Today);
        foreach (var g in detail.Groups)
            foreach (var c in g.Cells.Where(c => !c.Suppressed))
                Assert.Equal(Count(mine, CellOf(new OutcomesFilter(), g), c.Measure), c.Advisors);
        Assert.Empty((await queries.OutcomesAsync(ReadScope.Nothing)).Report.Groups.Skip(1));
        Assert.Equal(0, (await queries.OutcomesAsync(ReadScope.Nothing)).Report.Groups[0].Cells[0].Advisors);
    }

    [Fact]
    public async Task A_lone_small_group_is_hidden_with_a_partner_and_a_count_one_short_of_its_group_is_hidden()
    {
        // A database of its own: seven advisors recruited early in 2025, six in one commune not retained, one in an association renewed.
        var connection = await TestCluster.CreateMigratedDatabaseAsync();
        try
        {
            await using var source = Database.CreateDataSource(connection);
            await using (var conn = await source.OpenConnectionAsync())
            {
                var commune = Guid.NewGuid();
                var association = Guid.NewGuid();
                await conn.ExecuteAsync("""
                    INSERT INTO structure (id, name, kind, legal_regime) VALUES (@commune, 'C', 'Commune', 'Public'), (@association, 'A', 'Association', 'Private');
                    INSERT INTO advisor (id, full_name, work_email) SELECT g, 'Anonyme', g || '@small.test' FROM (SELECT gen_random_uuid() g FROM generate_series(1, 7)) a;
                    INSERT INTO funded_post (id, structure_id, label)
                    SELECT a.id, CASE WHEN row_number() OVER (ORDER BY a.id) = 1 THEN @association ELSE @commune END, 'Poste ' || a.id FROM advisor a;
                    INSERT INTO contract (id, advisor_id, post_id, contract_type, legal_regime, start_date, end_date, effective_end, decision_kind, decided_on, decision_late)
                    SELECT gen_random_uuid(), a.id, p.id, 'Cdd', 'Public', DATE '2025-01-06', DATE '2026-01-05', DATE '2026-01-05',
                           CASE WHEN p.structure_id = @association THEN 'Renewal' ELSE 'NotRetained' END, DATE '2025-11-01', false
                      FROM advisor a JOIN funded_post p ON p.id = a.id;
                    """, new { commune, association });
            }
            var summary = await new ReportQueries(source).OutcomesAsync(ReadScope.Everything);
            Cell Of(string dimension, string value, string measure) =>
                summary.Report.Groups.Single(g => g.Dimension == dimension && g.Value == value).Cells.Single(c => c.Measure == measure);
            Assert.Equal(7, Of("ensemble", "tous", "conseillers").Advisors);
            Assert.Equal(7, Of("ensemble", "tous", "delaiDePrevenanceTenu").Advisors);
            // The association's one advisor is hidden, and so is the commune's 6, else 7 − 6 gives the 1 back.
            Assert.True(Of("typeDeStructure", "Association", "conseillers").Suppressed);
            Assert.True(Of("typeDeStructure", "Commune", "conseillers").Suppressed);
            // One renewal is hidden; so are the 6 not retained of 7, else 7 − 6 gives the renewal back.
            Assert.True(Of("ensemble", "tous", "renouvellements").Suppressed);
            Assert.True(Of("ensemble", "tous", "nonRenouvellements").Suppressed);
            Assert.Null(Of("ensemble", "tous", "nonRenouvellements").Advisors);
            // Nobody hired: but a zero in a group of one tells about that one person, so the association's zero is hidden;
            // the commune's zero is shown, so the overall zero is hidden with it (it would give the association's back).
            Assert.True(Of("typeDeStructure", "Association", "cdiOuTitularisation").Suppressed);
            Assert.Equal(0, Of("typeDeStructure", "Commune", "cdiOuTitularisation").Advisors);
            Assert.True(Of("ensemble", "tous", "cdiOuTitularisation").Suppressed);

            // The page's cohort: all seven recruited in the first quarter of 2025; the same cells hidden.
            var detail = await new ReportQueries(source).DetailAsync(ReadScope.Everything, new OutcomesFilter("2025-T1"), Today);
            Assert.Equal(["2025-T1"], detail.Cohorts);
            Assert.Equal(7, detail.Groups[0].Cells[0].Advisors);
            // Six contracts ended without being kept (the renewed one carries on): one short of seven, hidden.
            Assert.True(detail.Groups[0].Cells.Single(c => c.Measure == "situationFinDeContrat.Unknown").Suppressed);
            // Nobody kept: a zero hidden for the association's sake, as above.
            Assert.True(detail.Groups[0].Cells.Single(c => c.Measure == "situationFinDeContrat.HiredByStructure").Suppressed);
            Assert.True(detail.Groups.Single(g => g.Value == "Commune").Cells[0].Suppressed);
            var none = await new ReportQueries(source).DetailAsync(ReadScope.Everything, new OutcomesFilter("2019-T2"), Today);
            Assert.All(none.Groups[0].Cells, c => Assert.Equal(0, c.Advisors));
            Assert.Single(none.Groups);
        }
        finally
        {
            await TestCluster.DropDatabaseAsync(connection);
        }
    }
}

using System.Runtime.CompilerServices;
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

/// <summary>The report and how many contracts it counted (what the access log records).</summary>
public sealed record OutcomesSummary(OutcomesReport Report, int Contracts);

/// <summary>
/// What became of advisors: decisions, notice kept or missed, trainings, early ends, 6- and 12-month
/// outcomes. Contract facts come from the records (type, regime, end, termination, decision); trainings,
/// outcomes and a missed notice from each contract's workflow data.
/// </summary>
public sealed class ReportQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static ReportQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "outcome-records";

    public const int Threshold = 5;

    const string Facts = """
        SELECT c.id AS ContractId, c.advisor_id AS AdvisorId, s.kind AS StructureKind, c.legal_regime AS Regime, c.contract_type AS ContractType,
               coalesce(c.terminated_on, c.effective_end, c.end_date) AS ActualEnd, c.termination_reason AS TerminationReason,
               c.decision_kind AS Decision, coalesce(c.decision_late, false) AS DecisionLate, i.data::text AS Data
          FROM contract c
          JOIN funded_post p ON p.id = c.post_id
          JOIN structure s ON s.id = p.structure_id
          LEFT JOIN LATERAL (SELECT data FROM workflow_instance
                              WHERE definition_id = @def AND subject_id = c.id ORDER BY created_at DESC LIMIT 1) i ON true
         WHERE (@all OR p.structure_id = ANY(@structures))
        """;

    /// <summary>The report over every contract in scope, read as a stream (never a page, never truncated).</summary>
    public async Task<OutcomesSummary> OutcomesAsync(ReadScope scope, CancellationToken ct = default)
    {
        var facts = new List<Fact>();
        await foreach (var fact in FactsAsync(scope, ct)) facts.Add(fact);
        return new OutcomesSummary(Aggregate(facts), facts.Count);
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
            cancellationToken: ct))).Select(r => r.Fact()).ToList();
        return Page<OutcomeRecord>.From(rows.Select(f => new OutcomeRecord(f.AdvisorId, f.ContractId, f.ContractType, f.EndYear, f.Decision,
            f.DecisionLate, f.NoticeMissed, f.EarlyEnd, f.TrialFailed, f.TrainingCompleted, f.Certified, f.Outcome6, f.Outcome12)).ToList(),
            page.Limit, r => Cursor.Key(List, r.ContractId.ToString()));
    }

    async IAsyncEnumerable<Fact> FactsAsync(ReadScope scope, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await foreach (var row in conn.QueryUnbufferedAsync<FactRow>($"{Facts} ORDER BY c.id",
                           new { def = AdvisorContractWorkflow.DefinitionId, all = scope.AllStructures, structures = scope.Structures }).WithCancellation(ct))
            yield return row.Fact();
    }

    sealed record Fact(Guid AdvisorId, Guid ContractId, string StructureKind, string Regime, string ContractType, int? EndYear, string? Decision,
        bool DecisionLate, bool NoticeMissed, bool EarlyEnd, bool TrialFailed, bool TrainingCompleted, bool Certified, string? Outcome6, string? Outcome12);

    sealed record FactRow
    {
        public Guid ContractId { get; init; }
        public Guid AdvisorId { get; init; }
        public string StructureKind { get; init; } = "";
        public string Regime { get; init; } = "";
        public string ContractType { get; init; } = "";
        public DateOnly? ActualEnd { get; init; }
        public string? TerminationReason { get; init; }
        public string? Decision { get; init; }
        public bool DecisionLate { get; init; }
        public string? Data { get; init; }

        public Fact Fact()
        {
            var d = Data is null ? null : WorkflowJson.Deserialize<AdvisorContractData>(Data);
            var endedInTrial = TerminationReason == nameof(Domain.Model.TerminationReason.TrialFailed);
            return new Fact(AdvisorId, ContractId, StructureKind, Regime, ContractType, ActualEnd?.Year, Decision, DecisionLate,
                d?.NoticeDeadlineMissed ?? false, TerminationReason is not null && !endedInTrial, endedInTrial || d?.TrialFailed == true,
                d?.InitialTrainingDone ?? false, d?.CertificationDone ?? false,
                d?.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month6)?.Kind.ToString(),
                d?.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month12)?.Kind.ToString());
        }
    }

    static readonly (string Name, Func<Fact, bool> Test)[] Measures = BuildMeasures();

    static (string, Func<Fact, bool>)[] BuildMeasures()
    {
        var measures = new List<(string, Func<Fact, bool>)>
        {
            ("conseillers", _ => true),
            ("cdiOuTitularisation", f => f.Decision is nameof(DecisionKind.PermanentHireCdi) or nameof(DecisionKind.Titularisation)),
            ("renouvellements", f => f.Decision == nameof(DecisionKind.Renewal)),
            ("nonRenouvellements", f => f.Decision == nameof(DecisionKind.NotRetained)),
            ("finsAnticipees", f => f.EarlyEnd),
            ("periodesEssaiNonConcluantes", f => f.TrialFailed),
            ("delaiDePrevenanceTenu", f => f.Decision is not null && !f.DecisionLate && !f.NoticeMissed),
            ("delaiDePrevenanceManque", f => f.DecisionLate || f.NoticeMissed),
            ("formationInitialeTerminee", f => f.TrainingCompleted),
            ("certifies", f => f.Certified),
        };
        foreach (var kind in Enum.GetNames<OutcomeKind>())
        {
            measures.Add(($"situation6Mois.{kind}", f => f.Outcome6 == kind));
            measures.Add(($"situation12Mois.{kind}", f => f.Outcome12 == kind));
        }
        return [.. measures];
    }

    /// <summary>
    /// Counts of distinct advisors per group and measure, with the cells that could single someone out
    /// hidden: a count of 1 to 4, a count 1 to 4 short of its group's size (its complement), every cell
    /// of a group under 5 people; then, in each dimension, a second cell beside a lone hidden one, so that
    /// the overall figure minus the shown groups does not give the hidden one back.
    /// </summary>
    static OutcomesReport Aggregate(IReadOnlyList<Fact> facts)
    {
        var groups = new List<(string Dimension, string Value, int[] Counts)> { ("ensemble", "tous", Count(facts)) };
        // Two crossing breakdowns only: a roll-up of one of them (public/private is one of structure kinds)
        // would give back a hidden cell by subtraction.
        foreach (var (dimension, key) in new (string, Func<Fact, string>)[] { ("typeDeStructure", f => f.StructureKind), ("typeDeContrat", f => f.ContractType) })
            groups.AddRange(facts.GroupBy(key).OrderBy(g => g.Key).Select(g => (dimension, g.Key, Count(g.ToList()))));

        var hidden = groups.Select(g => g.Counts.Select(n => Small(n, g.Counts[0])).ToArray()).ToList();
        // Until nothing changes: hiding a partner (or the overall cell) can leave another dimension with a lone hidden cell.
        for (var changed = true; changed;)
        {
            changed = false;
            for (var m = 0; m < Measures.Length; m++)
                foreach (var dimension in groups.Skip(1).Select(g => g.Dimension).Distinct())
                {
                    var members = Enumerable.Range(0, groups.Count).Where(i => groups[i].Dimension == dimension).ToList();
                    if (members.Count(i => hidden[i][m]) != 1 || hidden[0][m]) continue;
                    var partner = members.Where(i => !hidden[i][m] && groups[i].Counts[m] > 0).OrderBy(i => groups[i].Counts[m]).Cast<int?>().FirstOrDefault();
                    hidden[partner ?? 0][m] = true;
                    changed = true;
                }
        }

        return new OutcomesReport(Threshold, groups.Select((g, i) => new ReportGroup(g.Dimension, g.Value,
            Measures.Select((measure, m) => new Cell(measure.Name, hidden[i][m] ? null : g.Counts[m], hidden[i][m])).ToList())).ToList());
    }

    static bool Small(int n, int total) => (n is > 0 and < Threshold) || (total - n is > 0 and < Threshold) || (total < Threshold && n > 0);

    static int[] Count(IReadOnlyList<Fact> facts) =>
        Measures.Select(m => facts.Where(m.Test).Select(f => f.AdvisorId).Distinct().Count()).ToArray();
}

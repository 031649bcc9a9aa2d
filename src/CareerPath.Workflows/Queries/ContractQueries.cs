using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>
/// A contract as people ask about it: its facts from the records (dates, amendments, end, decision),
/// and from its workflow only what the workflow keeps (state, trainings, outcomes, a missed notice).
/// </summary>
public sealed record ContractView(Guid Id, Guid? InstanceId, string? State, Guid AdvisorId, string AdvisorName, Guid PostId, Guid StructureId,
    string Type, string Regime, DateOnly Start, DateOnly? SignedEnd, DateOnly? End, Guid? PreviousContractId,
    IReadOnlyList<ContractAmendment> Amendments, EarlyTermination? EarlyTermination, Decision? Decision, DateOnly? NoticeDeadline, bool DecisionLate,
    bool NoticeDeadlineMissed, IReadOnlyList<TrainingAssignment> Trainings, IReadOnlyList<Outcome> Outcomes);

/// <summary>Who a contract belongs to and where it is held, and its running workflow (if any): what a per-record check and a signal need.</summary>
public sealed record ContractRef(Guid ContractId, Guid AdvisorId, Guid StructureId, Guid? InstanceId, string? State);

public sealed record ContractFilter(Guid? StructureId = null, Guid? AdvisorId = null);

/// <summary>Reads of contracts. A contract's structure is its post's; its advisor, contract.advisor_id; its workflow, the latest advisor-contract instance of it.</summary>
public sealed class ContractQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static ContractQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "contracts";

    const string Select = """
        SELECT c.id, c.advisor_id AS AdvisorId, a.full_name AS AdvisorName, c.post_id AS PostId, p.structure_id AS StructureId,
               c.contract_type AS Type, c.legal_regime AS Regime, c.start_date AS Start, c.end_date AS SignedEnd,
               coalesce(c.effective_end, c.end_date) AS EffectiveEnd, c.previous_contract_id AS PreviousContractId,
               c.terminated_on AS TerminatedOn, c.termination_reason AS TerminationReason, c.termination_note AS TerminationNote,
               c.decision_kind AS DecisionKind, c.decision_reason AS DecisionReason, c.decided_on AS DecidedOn,
               c.decision_notified_on AS DecisionNotifiedOn, c.decision_new_end AS DecisionNewEnd, c.notice_deadline AS NoticeDeadline, coalesce(c.decision_late, false) AS DecisionLate,
               i.id AS InstanceId, i.state, i.data::text AS Data
          FROM contract c
          JOIN advisor a ON a.id = c.advisor_id
          JOIN funded_post p ON p.id = c.post_id
          LEFT JOIN LATERAL (SELECT id, state, data FROM workflow_instance
                              WHERE definition_id = @def AND subject_id = c.id ORDER BY created_at DESC LIMIT 1) i ON true
        """;

    /// <summary>
    /// A page of the contracts in scope, by id (creation order); null when <see cref="PageRequest.After"/>
    /// is not a cursor of this list (the caller answers 400).
    /// </summary>
    public async Task<Page<ContractView>?> ListAsync(ReadScope scope, ContractFilter filter, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, List, out var id)) return null;
            after = id;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<ContractRow>(new CommandDefinition($"""
            {Select}
             WHERE (@all OR p.structure_id = ANY(@structures)) AND (@self::uuid IS NULL OR c.advisor_id = @self)
               AND (@structureId::uuid IS NULL OR p.structure_id = @structureId) AND (@advisorId::uuid IS NULL OR c.advisor_id = @advisorId)
               AND (@after::uuid IS NULL OR c.id > @after)
             ORDER BY c.id LIMIT @take
            """, new
        {
            def = AdvisorContractWorkflow.DefinitionId, all = scope.AllStructures, structures = scope.Structures, self = scope.Advisor,
            filter.StructureId, filter.AdvisorId, after, take = page.Take,
        }, cancellationToken: ct))).ToList();
        var views = await ViewsAsync(conn, rows, ct);
        return Page<ContractView>.From(views, page.Limit, v => Cursor.Key(List, v.Id.ToString()));
    }

    /// <summary>One contract, whoever may see it (the caller checks the answer's structure and advisor).</summary>
    public async Task<ContractView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<ContractRow>(new CommandDefinition($"{Select} WHERE c.id = @id",
            new { def = AdvisorContractWorkflow.DefinitionId, id }, cancellationToken: ct));
        return row is null ? null : (await ViewsAsync(conn, [row], ct))[0];
    }

    /// <summary>The contract's advisor, structure and latest workflow instance, for a per-record check before a signal.</summary>
    public async Task<ContractRef?> FindAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ContractRef>(new CommandDefinition("""
            SELECT c.id AS ContractId, c.advisor_id AS AdvisorId, p.structure_id AS StructureId, i.id AS InstanceId, i.state
              FROM contract c
              JOIN funded_post p ON p.id = c.post_id
              LEFT JOIN LATERAL (SELECT id, state FROM workflow_instance
                                  WHERE definition_id = @def AND subject_id = c.id ORDER BY created_at DESC LIMIT 1) i ON true
             WHERE c.id = @id
            """, new { def = AdvisorContractWorkflow.DefinitionId, id }, cancellationToken: ct));
    }

    static async Task<List<ContractView>> ViewsAsync(NpgsqlConnection conn, IReadOnlyList<ContractRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var amendments = (await conn.QueryAsync<AmendmentRow>(new CommandDefinition("""
            SELECT contract_id AS ContractId, id, effective_on AS EffectiveOn, new_end_date AS NewEnd, reason
              FROM contract_amendment WHERE contract_id = ANY(@ids) ORDER BY seq, id
            """, new { ids = rows.Select(r => r.Id).ToArray() }, cancellationToken: ct))).ToLookup(a => a.ContractId);
        return rows.Select(r => r.View(amendments[r.Id].Select(a => new ContractAmendment(a.Id, a.EffectiveOn, a.NewEnd, a.Reason)).ToList())).ToList();
    }

    sealed record AmendmentRow
    {
        public Guid ContractId { get; init; }
        public Guid Id { get; init; }
        public DateOnly EffectiveOn { get; init; }
        public DateOnly NewEnd { get; init; }
        public string Reason { get; init; } = "";
    }

    sealed record ContractRow
    {
        public Guid Id { get; init; }
        public Guid AdvisorId { get; init; }
        public string AdvisorName { get; init; } = "";
        public Guid PostId { get; init; }
        public Guid StructureId { get; init; }
        public string Type { get; init; } = "";
        public string Regime { get; init; } = "";
        public DateOnly Start { get; init; }
        public DateOnly? SignedEnd { get; init; }
        public DateOnly? EffectiveEnd { get; init; }
        public Guid? PreviousContractId { get; init; }
        public DateOnly? TerminatedOn { get; init; }
        public string? TerminationReason { get; init; }
        public string? TerminationNote { get; init; }
        public string? DecisionKind { get; init; }
        public string? DecisionReason { get; init; }
        public DateOnly? DecidedOn { get; init; }
        public DateOnly? DecisionNotifiedOn { get; init; }
        public DateOnly? DecisionNewEnd { get; init; }
        public DateOnly? NoticeDeadline { get; init; }
        public bool DecisionLate { get; init; }
        public Guid? InstanceId { get; init; }
        public string? State { get; init; }
        public string? Data { get; init; }

        public ContractView View(IReadOnlyList<ContractAmendment> amendments)
        {
            // Trainings, outcomes and a missed notice are the workflow's own data; every other fact is the record's.
            var d = Data is null ? null : WorkflowJson.Deserialize<AdvisorContractData>(Data);
            var termination = TerminatedOn is { } on && TerminationReason is { } reason
                ? new EarlyTermination(on, Enum.Parse<Domain.Model.TerminationReason>(reason), TerminationNote)
                : null;
            var decision = DecisionKind is { } kind && DecidedOn is { } decided
                ? new Decision(Id, Enum.Parse<Domain.Model.DecisionKind>(kind), DecisionReason ?? "", decided) { NewEnd = DecisionNewEnd, NotifiedOn = DecisionNotifiedOn }
                : null;
            return new ContractView(Id, InstanceId, State, AdvisorId, AdvisorName, PostId, StructureId, Type, Regime, Start, SignedEnd, EffectiveEnd,
                PreviousContractId, amendments, termination, decision, NoticeDeadline, DecisionLate, d?.NoticeDeadlineMissed ?? false,
                d?.Trainings ?? [], d?.Outcomes ?? []);
        }
    }
}

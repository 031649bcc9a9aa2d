using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
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

    const string Select = $"""
        SELECT {ContractRecords.StoredColumns}, a.full_name AS AdvisorName, i.id AS InstanceId, i.state, i.data::text AS Data
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
               -- An archived advisor's contracts leave HR managers' lists, as the advisor does (AdvisorQueries.ListAsync).
               AND (@all OR NOT EXISTS (SELECT 1 FROM advisor a WHERE a.id = c.advisor_id AND a.archived_on IS NOT NULL))
             ORDER BY c.id LIMIT @take
            """, new
        {
            def = AdvisorContractWorkflow.DefinitionId, all = scope.AllStructures, structures = scope.Structures, self = scope.Advisor,
            filter.StructureId, filter.AdvisorId, after, take = page.Take,
        }, cancellationToken: ct))).ToList();
        return Page<ContractView>.From(rows.Select(r => r.View()).ToList(), page.Limit, v => Cursor.Key(List, v.Id.ToString()));
    }

    /// <summary>One contract, whoever may see it (the caller checks the answer's structure and advisor).</summary>
    public async Task<ContractView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<ContractRow>(new CommandDefinition($"{Select} WHERE c.id = @id",
            new { def = AdvisorContractWorkflow.DefinitionId, id }, cancellationToken: ct));
        return row?.View();
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

    /// <summary>A stored contract, with what the list shows beside it: its advisor's name and its latest workflow instance.</summary>
    sealed class ContractRow : ContractRecords.StoredContract
    {
        public string AdvisorName { get; init; } = "";
        public Guid? InstanceId { get; init; }
        public string? State { get; init; }
        public string? Data { get; init; }

        public ContractView View()
        {
            // Trainings, outcomes and a missed notice are the workflow's own data; every other fact is the record's.
            var d = Data is null ? null : WorkflowJson.Deserialize<AdvisorContractData>(Data);
            var contract = Contract;
            var decision = Decision is { } r ? new Decision(Id, r.Kind, r.Reason, r.DecidedOn) { NewEnd = r.NewEnd, NotifiedOn = r.NotifiedOn } : null;
            return new ContractView(Id, InstanceId, State, AdvisorId, AdvisorName, PostId, StructureId, Type, Regime, Start, EndDate,
                EffectiveEnd ?? EndDate, PreviousContractId, contract.Amendments, contract.EarlyTermination, decision, NoticeDeadline,
                DecisionLate ?? false, d?.NoticeDeadlineMissed ?? false, d?.Trainings ?? [], d?.Outcomes ?? []);
        }
    }
}

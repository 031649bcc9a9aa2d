using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>The open human tasks of one contract (its latest advisor-contract instance), by kind.</summary>
public sealed class ContractTaskQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static ContractTaskQueries() => DapperTypes.Register();

    /// <summary>The contract's oldest open task of one of these kinds (e.g. the review, an outcome), or null.</summary>
    public async Task<TaskView?> OpenTaskAsync(Guid contractId, IReadOnlyCollection<string> kinds, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QueryFirstOrDefaultAsync<TaskView>(new CommandDefinition("""
            SELECT t.id, t.kind, t.title, t.assignee_role AS AssigneeRole, t.due_on AS DueOn, t.escalation_on AS EscalationOn, t.opened_at AS OpenedAt,
                   t.instance_id AS InstanceId, i.subject_id AS SubjectId, t.structure_id AS StructureId, c.advisor_id AS AdvisorId
              FROM human_task t
              JOIN workflow_instance i ON i.id = t.instance_id
              JOIN contract c ON c.id = i.subject_id
             WHERE i.definition_id = @def AND i.subject_id = @contractId AND t.status = 'Open' AND t.kind = ANY(@kinds)
             ORDER BY t.opened_at, t.id LIMIT 1
            """, new { def = AdvisorContractWorkflow.DefinitionId, contractId, kinds = kinds.ToArray() }, cancellationToken: ct));
    }
}

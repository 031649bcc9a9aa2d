using System.Data;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

public sealed record TaskView
{
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public string Title { get; init; } = "";
    public string AssigneeRole { get; init; } = "";
    public DateOnly DueOn { get; init; }
    public DateOnly? EscalationOn { get; init; }
    public DateTimeOffset OpenedAt { get; init; }
    public Guid InstanceId { get; init; }
    public Guid SubjectId { get; init; }
    public Guid? StructureId { get; init; }
    public Guid? AdvisorId { get; init; }
    /// <summary>What the person who opened it asked, in their words (a correction request's field and value); null for a workflow's task.</summary>
    public string? Request { get; init; }
}

/// <summary>What a task completion needs to know first: its kind, and the structure it belongs to (the per-record check).</summary>
public sealed record TaskRef(string Kind, Guid? StructureId);

/// <summary>Human tasks: the open ones of a scope, by due day; a contract's task names the contract's advisor.</summary>
public sealed class TaskQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static TaskQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "tasks";

    /// <summary>A page of open tasks by due day then id; null when the cursor is not one of this list.</summary>
    public async Task<Page<TaskView>?> ListOpenAsync(ReadScope scope, PageRequest page, CancellationToken ct = default)
    {
        DateOnly? afterDay = null;
        Guid? afterId = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeDay(page.After, List, out var day, out var key) || !Guid.TryParse(key, out var id)) return null;
            (afterDay, afterId) = (day, id);
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var args = new DynamicParameters(new
        {
            def = AdvisorContractWorkflow.DefinitionId, all = scope.AllStructures, structures = scope.Structures, afterId, take = page.Take,
        });
        args.Add("afterDay", afterDay, DbType.Date);
        var rows = (await conn.QueryAsync<TaskView>(new CommandDefinition("""
            SELECT t.id, t.kind, t.title, t.assignee_role AS AssigneeRole, t.due_on AS DueOn, t.escalation_on AS EscalationOn, t.opened_at AS OpenedAt,
                   t.instance_id AS InstanceId, i.subject_id AS SubjectId, t.structure_id AS StructureId, c.advisor_id AS AdvisorId,
                   t.request
              FROM human_task t
              JOIN workflow_instance i ON i.id = t.instance_id
              LEFT JOIN contract c ON i.definition_id = @def AND c.id = i.subject_id
             WHERE t.status = 'Open' AND (@all OR t.structure_id = ANY(@structures))
               AND (@afterDay::date IS NULL OR (t.due_on, t.id) > (@afterDay, @afterId))
             ORDER BY t.due_on, t.id LIMIT @take
            """, args, cancellationToken: ct))).ToList();
        return Page<TaskView>.From(rows, page.Limit, t => Cursor.Key(List, Cursor.DayKey(t.DueOn, t.Id.ToString())));
    }

    public async Task<TaskRef?> FindAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TaskRef>(new CommandDefinition(
            "SELECT kind, structure_id AS StructureId FROM human_task WHERE id = @id", new { id }, cancellationToken: ct));
    }
}

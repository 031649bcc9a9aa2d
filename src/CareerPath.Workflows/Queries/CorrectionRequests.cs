using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>The field an advisor asks to correct.</summary>
public enum CorrectedField { FullName, WorkEmail, ContractDates, Other }

/// <summary>
/// An advisor's request to correct their data (GDPR art. 16) as a human task for the HR managers of their latest
/// contract's structure. It is no step of the contract's workflow: it is opened and closed here, without a
/// transition, so it neither moves the contract nor waits for a state; the task list and the dashboard show it as
/// any task of that contract.
/// </summary>
public sealed class CorrectionRequests(NpgsqlDataSource db, TimeProvider time)
{
    static CorrectionRequests() => DapperTypes.Register();

    public static string Label(CorrectedField field) => field switch
    {
        CorrectedField.FullName => "nom",
        CorrectedField.WorkEmail => "adresse e-mail",
        CorrectedField.ContractDates => "dates de contrat",
        _ => "autre donnée",
    };

    public enum OpenResult { Opened, NoSuchAdvisor, NoContract }

    /// <summary>Opens the task; the caller has checked the value (text, length) and that the advisor is theirs.</summary>
    public async Task<(OpenResult Result, Guid TaskId)> OpenAsync(Guid advisorId, CorrectedField field, string value, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        var name = await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("SELECT full_name FROM advisor WHERE id = @advisorId",
            new { advisorId }, cancellationToken: ct));
        if (name is null) return (OpenResult.NoSuchAdvisor, Guid.Empty);
        // The latest contract (by start) and its latest instance: the HR managers of that post's structure are the ones who
        // hold the advisor's file now, and the dashboard lists a contract's tasks under that structure.
        var target = await conn.QuerySingleOrDefaultAsync<(Guid InstanceId, Guid StructureId)?>(new CommandDefinition("""
            SELECT i.id, p.structure_id
              FROM contract c
              JOIN funded_post p ON p.id = c.post_id
              JOIN LATERAL (SELECT id FROM workflow_instance WHERE definition_id = @def AND subject_id = c.id ORDER BY created_at DESC LIMIT 1) i ON true
             WHERE c.advisor_id = @advisorId
             ORDER BY c.start_date DESC, c.id DESC LIMIT 1
            """, new { def = AdvisorContractWorkflow.DefinitionId, advisorId }, cancellationToken: ct));
        if (target is not { } t) return (OpenResult.NoContract, Guid.Empty);
        var id = Guid.CreateVersion7(now);
        // GDPR art. 12-3: the controller answers "without undue delay and in any event within one month of receipt".
        var dueOn = WorkflowEngine.ParisDate(now).AddMonths(1);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO human_task (id, instance_id, kind, structure_id, assignee_role, title, due_on, opened_at, status, request)
            VALUES (@id, @instanceId, @kind, @structureId, @role, @title, @dueOn, @now, 'Open', @request)
            """, new
        {
            id, instanceId = t.InstanceId, kind = Tasks.CorrectionRequest, structureId = t.StructureId, role = Role.Hr,
            title = $"Demande de rectification de {name} : {Label(field)}", dueOn, now, request = $"{Label(field)} : {value}",
        }, cancellationToken: ct));
        return (OpenResult.Opened, id);
    }

    /// <summary>Closes an open correction request (the caller has checked it may); false when it was no longer open.</summary>
    public async Task<bool> CloseAsync(Guid taskId, string actor, string? note, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE human_task SET status = 'Completed', completed_at = @now, completed_by = @actor, outcome = 'Traitée', reason = @note
             WHERE id = @taskId AND kind = @kind AND status = 'Open'
            """, new { taskId, now = time.GetUtcNow(), actor, note, kind = Tasks.CorrectionRequest }, cancellationToken: ct)) == 1;
    }
}

using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using Dapper;
using Npgsql;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

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
}

/// <summary>What completes a task: a note for a review, a decision, a follow-up outcome, or the training dates.</summary>
public sealed record TaskCompletion(string? Note = null, DecisionRequest? Decision = null, OutcomeKind? Outcome = null, TrainingRequest? Training = null);

/// <summary>Human tasks: the open ones of the caller's structures, and their completion (one transition).</summary>
public static class TaskEndpoints
{
    public static void MapTasks(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/tasks").WithTags("Tâches");

        group.MapGet("/mine", async (NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            await using var conn = await db.OpenConnectionAsync(ct);
            // Tasks are for HR managers (and their lead); an advisor has none of their own.
            var tasks = caller.IsAdvisor ? [] : (await conn.QueryAsync<TaskView>("""
                SELECT id, kind, title, assignee_role AS AssigneeRole, due_on AS DueOn, escalation_on AS EscalationOn, opened_at AS OpenedAt,
                       instance_id AS InstanceId, (SELECT subject_id FROM workflow_instance i WHERE i.id = t.instance_id) AS SubjectId,
                       structure_id AS StructureId,
                       (SELECT (i.data->'advisor'->>'id')::uuid FROM workflow_instance i WHERE i.id = t.instance_id) AS AdvisorId
                  FROM human_task t
                 WHERE status = 'Open' AND (@all OR structure_id = ANY(@scope))
                 ORDER BY due_on, id LIMIT 2000
                """, new { all = caller.IsAdmin, scope = caller.StructureFilter ?? [] })).ToList();
            await log.RecordAsync(caller, "tasks.list", "advisor", null, tasks.Count, ct, tasks.Where(t => t.AdvisorId is not null).Select(t => t.AdvisorId!.Value).ToList());
            return Results.Ok(tasks);
        }).RequireAuthorization(Policies.PersonalRecords);

        group.MapPost("/{id:guid}/complete", async (Guid id, TaskCompletion body, NpgsqlDataSource db, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            TaskView? task;
            await using (var conn = await db.OpenConnectionAsync(ct))
                task = await conn.QuerySingleOrDefaultAsync<TaskView>("SELECT kind, structure_id AS StructureId FROM human_task WHERE id = @id", new { id });
            if (task is null || !caller.MaySeeStructure(task.StructureId)) return Problems.NotFound();
            var kind = task.Kind;

            var check = new Check().Text("note", body.Note, 2000, required: false);
            (string Trigger, JsonObject? Payload, string Outcome)? step = null;
            switch (kind)
            {
                case Tasks.Review:
                    step = (nameof(ContractTrigger.ReviewCompleted), null, "Réalisé");
                    break;
                case Tasks.Decision or Tasks.Escalation:
                    if (body.Decision is null) { check.Add("decision", "Cette tâche se clôt par une décision (kind, reason, newEnd pour un renouvellement)."); break; }
                    var d = body.Decision;
                    var decisionCheck = ContractEndpoints.CheckDecision(d);
                    if (!decisionCheck.Ok) return decisionCheck.Problem();
                    step = (nameof(ContractTrigger.Decide), ContractEndpoints.DecisionPayload(d.Kind!.Value, d.Reason, d.NewEnd, d.NotifiedOn), d.Kind!.Value.ToString());
                    break;
                case $"{Tasks.Outcome}-6" or $"{Tasks.Outcome}-12":
                    check.Defined("outcome", body.Outcome);
                    if (body.Outcome is { } o && Enum.IsDefined(o))
                        step = (nameof(ContractTrigger.OutcomeRecorded), new JsonObject { ["at"] = kind.EndsWith("-6") ? "Month6" : "Month12", ["kind"] = o.ToString() }, o.ToString());
                    break;
                case Tasks.ScheduleTraining:
                    if (body.Training is not { } t) { check.Add("training", "Cette tâche se clôt par les dates de la formation (start, end, hours)."); break; }
                    check.Date("training.start", t.Start).Date("training.end", t.End).Range("training.hours", t.Hours, 70, 420);
                    step = (nameof(ContractTrigger.TrainingScheduled), new JsonObject
                    {
                        ["start"] = IsoDate(t.Start), ["end"] = IsoDate(t.End), ["hours"] = t.Hours,
                    }, "Programmée");
                    break;
                default:
                    check.Add("kind", $"Une tâche « {kind} » ne se clôt pas par l'API.");
                    break;
            }
            if (!check.Ok || step is null) return check.Problem();
            var (trigger, payload, outcome) = step.Value;
            var result = await engine.CompleteTaskAsync(id, trigger, payload, caller.Actor, outcome, body.Note ?? body.Decision?.Reason, ct);
            return Results.Ok(new TransitionView(result.InstanceId, result.Seq, result.FromState, result.ToState, result.Duplicate));
        }).RequireAuthorization(Policies.Staff);
    }
}

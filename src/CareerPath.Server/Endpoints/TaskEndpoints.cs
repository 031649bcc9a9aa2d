using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

/// <summary>What completes a task: a note for a review, a decision, a follow-up outcome, or the training dates.</summary>
public sealed record TaskCompletion(string? Note = null, DecisionRequest? Decision = null, OutcomeKind? Outcome = null, TrainingRequest? Training = null);

/// <summary>Human tasks: the open ones of the caller's structures, and their completion (one transition).</summary>
public static class TaskEndpoints
{
    public static void MapTasks(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/tasks").WithTags("Tâches");

        group.MapGet("/mine", async Task<Results<Ok<Page<TaskView>>, ValidationProblem>> ([AsParameters] PageQuery paging, TaskQueries tasks, AccessLog log,
            HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            // Tasks are for HR managers (and their lead); an advisor has none of their own.
            var scope = caller.IsAdvisor ? ReadScope.Nothing : caller.Scope();
            if (await tasks.ListOpenAsync(scope, page, ct) is not { } list) return Common.InvalidCursor();
            await log.RecordAsync(caller, "tasks.list", "advisor", null, list.Items.Count, ct,
                list.Items.Where(t => t.AdvisorId is not null).Select(t => t.AdvisorId!.Value).ToList());
            return TypedResults.Ok(list);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("listMyTasks").WithSummary("Lister les tâches ouvertes de ses structures");

        group.MapPost("/{id:guid}/complete", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            TaskCompletion body, TaskQueries tasks, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var task = await tasks.FindAsync(id, ct);
            if (task is null || !caller.MaySeeStructure(task.StructureId)) return new NotFoundProblem();
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
            try
            {
                var result = await engine.CompleteTaskAsync(id, trigger, payload, caller.Actor, outcome, body.Note ?? body.Decision?.Reason, ct);
                return TypedResults.Ok(new TransitionView(result.InstanceId, result.Seq, result.FromState, result.ToState, result.Duplicate));
            }
            catch (TriggerNotPermittedException e)
            {
                return new ConflictProblem(e.Message);
            }
            catch (WorkflowConflictException)
            {
                return new ConflictProblem("Le dossier a été modifié en même temps par quelqu'un d'autre : relisez-le et recommencez.");
            }
        }).RequireAuthorization(Policies.Staff).WithName("completeTask").WithSummary("Clore une tâche (revue, décision, devenir, dates de formation)");
    }
}

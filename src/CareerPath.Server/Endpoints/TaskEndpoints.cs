using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

/// <summary>What completes a task: a note for a review, a decision, a follow-up outcome, or the training dates.</summary>
public sealed record TaskCompletion(string? Note = null, DecisionRequest? Decision = null, OutcomeKind? Outcome = null, TrainingRequest? Training = null);

/// <summary>What closes a task that stands for no workflow step (a correction request): an optional note of what was done.</summary>
public sealed record TaskClosure(string? Note = null);

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
            TaskCompletion body, ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.CompleteTaskAsync(http.Caller(), id, body, ActOptions.Default, ct)))
            .RequireAuthorization(Policies.Staff).WithName("completeTask").WithSummary("Clore une tâche (revue, décision, devenir, dates de formation)");

        // A correction request is no step of the contract's workflow: closing it fires no trigger and moves nothing (complete
        // would refuse it: its kind has no trigger).
        group.MapPost("/{id:guid}/close", async Task<Results<NoContent, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id, TaskClosure body,
            TaskQueries tasks, CorrectionRequests requests, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var task = await tasks.FindAsync(id, ct);
            if (task is null || !caller.MaySeeStructure(task.StructureId)) return new NotFoundProblem();
            var check = new Check().Text("note", body.Note, 2000, required: false);
            if (task.Kind != Tasks.CorrectionRequest) check.Add("kind", $"Une tâche « {task.Kind} » se clôt par POST /api/tasks/{{id}}/complete.");
            if (!check.Ok) return check.Problem();
            return await requests.CloseAsync(id, caller.Actor, body.Note?.Trim(), ct) ? TypedResults.NoContent() : new ConflictProblem("Cette tâche est déjà close.");
        }).RequireAuthorization(Policies.Staff).WithName("closeTask").WithSummary("Clore une demande de rectification (sans étape de workflow)");
    }
}

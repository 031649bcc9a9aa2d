using System.Text.Json.Nodes;
using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

public enum Exam { Ccp1, Pix }

public sealed record TrainingRequest(DateOnly? Start, DateOnly? End, int? Hours, string? Title = null);
public sealed record CompletionRequest(DateOnly? CompletedOn = null);
public sealed record ExamRequest(Exam? Exam, bool? Passed, DateOnly? On = null);
public sealed record ThematicModuleRequest(string? Title, int? Hours = null, DateOnly? On = null);

/// <summary>
/// Trainings of a contract: HR assigns the initial training and records exam results; the advisor
/// (or HR) marks a training done and records the thematic modules followed.
/// </summary>
public static class TrainingEndpoints
{
    public static void MapTrainings(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/contracts/{id:guid}").WithTags("Formations");

        group.MapPost("/trainings", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id, TrainingRequest body,
            ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.ScheduleTrainingAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.Staff).WithName("scheduleTraining").WithSummary("Programmer la formation initiale");

        group.MapPost("/trainings/initial/completion", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            CompletionRequest body, ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.CompleteTrainingAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.PersonalRecords).WithName("completeInitialTraining").WithSummary("Marquer la formation initiale comme terminée");

        group.MapPost("/exams", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id, ExamRequest body,
            ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.RecordExamAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.Staff).WithName("recordExam").WithSummary("Enregistrer le résultat d'un examen (CCP1, Pix)");

        group.MapPost("/thematic-modules", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            ThematicModuleRequest body, ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.RecordModuleAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.PersonalRecords).WithName("recordThematicModule").WithSummary("Enregistrer un module thématique suivi");
    }
}

using System.Text.Json.Nodes;
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
            ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("start", body.Start).Date("end", body.End).Range("hours", body.Hours, 70, 420).Text("title", body.Title, 200, required: false);
            if (body.Start is { } s && body.End is { } e && e < s) check.Add("end", "La fin précède le début.");
            if (!check.Ok) return check.Problem();
            return await ContractEndpoints.SignalAsync(contracts, engine, http, id, ContractTrigger.TrainingScheduled, new JsonObject
            {
                ["start"] = IsoDate(body.Start), ["end"] = IsoDate(body.End), ["hours"] = body.Hours, ["title"] = body.Title,
            }, staffOnly: true, ct);
        }).RequireAuthorization(Policies.Staff).WithName("scheduleTraining").WithSummary("Programmer la formation initiale");

        group.MapPost("/trainings/initial/completion", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            CompletionRequest body, ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("completedOn", body.CompletedOn, required: false);
            if (!check.Ok) return check.Problem();
            return await ContractEndpoints.SignalAsync(contracts, engine, http, id, ContractTrigger.TrainingCompleted,
                new JsonObject { ["completedOn"] = IsoDate(body.CompletedOn) }, staffOnly: false, ct);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("completeInitialTraining").WithSummary("Marquer la formation initiale comme terminée");

        group.MapPost("/exams", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id, ExamRequest body,
            ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Defined("exam", body.Exam).Required("passed", body.Passed).Date("on", body.On, required: false);
            if (!check.Ok) return check.Problem();
            return await ContractEndpoints.SignalAsync(contracts, engine, http, id, body.Passed == true ? ContractTrigger.ExamPassed : ContractTrigger.ExamFailed,
                new JsonObject { ["exam"] = body.Exam.ToString(), ["on"] = IsoDate(body.On) }, staffOnly: true, ct);
        }).RequireAuthorization(Policies.Staff).WithName("recordExam").WithSummary("Enregistrer le résultat d'un examen (CCP1, Pix)");

        group.MapPost("/thematic-modules", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            ThematicModuleRequest body, ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Text("title", body.Title, 200).Range("hours", body.Hours, 1, 200, required: false).Date("on", body.On, required: false);
            if (!check.Ok) return check.Problem();
            return await ContractEndpoints.SignalAsync(contracts, engine, http, id, ContractTrigger.ThematicModuleCompleted, new JsonObject
            {
                ["title"] = body.Title, ["hours"] = body.Hours, ["on"] = IsoDate(body.On),
            }, staffOnly: false, ct);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("recordThematicModule").WithSummary("Enregistrer un module thématique suivi");
    }
}

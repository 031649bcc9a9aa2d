using System.Text.Json.Nodes;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
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

        group.MapPost("/trainings", (Guid id, TrainingRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("start", body.Start).Date("end", body.End).Range("hours", body.Hours, 70, 420).Text("title", body.Title, 200, required: false);
            if (body.Start is { } s && body.End is { } e && e < s) check.Add("end", "La fin précède le début.");
            return check.Ok
                ? ContractEndpoints.SignalAsync(http, id, ContractTrigger.TrainingScheduled, new JsonObject
                {
                    ["start"] = IsoDate(body.Start), ["end"] = IsoDate(body.End), ["hours"] = body.Hours, ["title"] = body.Title,
                }, staffOnly: true, ct)
                : Task.FromResult(check.Problem());
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/trainings/initial/completion", (Guid id, CompletionRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("completedOn", body.CompletedOn, required: false);
            return check.Ok
                ? ContractEndpoints.SignalAsync(http, id, ContractTrigger.TrainingCompleted, new JsonObject { ["completedOn"] = IsoDate(body.CompletedOn) }, staffOnly: false, ct)
                : Task.FromResult(check.Problem());
        }).RequireAuthorization(Policies.PersonalRecords);

        group.MapPost("/exams", (Guid id, ExamRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Defined("exam", body.Exam).Required("passed", body.Passed).Date("on", body.On, required: false);
            return check.Ok
                ? ContractEndpoints.SignalAsync(http, id, body.Passed == true ? ContractTrigger.ExamPassed : ContractTrigger.ExamFailed,
                    new JsonObject { ["exam"] = body.Exam.ToString(), ["on"] = IsoDate(body.On) }, staffOnly: true, ct)
                : Task.FromResult(check.Problem());
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/thematic-modules", (Guid id, ThematicModuleRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Text("title", body.Title, 200).Range("hours", body.Hours, 1, 200, required: false).Date("on", body.On, required: false);
            return check.Ok
                ? ContractEndpoints.SignalAsync(http, id, ContractTrigger.ThematicModuleCompleted, new JsonObject
                {
                    ["title"] = body.Title, ["hours"] = body.Hours, ["on"] = IsoDate(body.On),
                }, staffOnly: false, ct)
                : Task.FromResult(check.Problem());
        }).RequireAuthorization(Policies.PersonalRecords);
    }
}

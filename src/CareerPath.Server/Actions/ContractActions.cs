using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Actions;

public enum FailureKind { NotFound, Invalid, Conflict }

/// <summary>Why an action did nothing: not found (or out of reach), invalid input (field → messages), or a conflict.</summary>
/// <param name="RuleId">For an input a rule refused (WorkflowInputException), the rule's id.</param>
public sealed record ActionFailure(FailureKind Kind, string Message, IReadOnlyDictionary<string, string[]> Errors, string? RuleId = null)
{
    public static readonly ActionFailure NotFound = new(FailureKind.NotFound, "Introuvable.", new Dictionary<string, string[]>());
    public static ActionFailure Conflict(string message) => new(FailureKind.Conflict, message, new Dictionary<string, string[]>());
    public const string ChangedMeanwhile = "Le dossier a été modifié entre-temps par quelqu'un d'autre : rien n'a été enregistré. Relisez les valeurs à jour et recommencez.";
}

/// <summary>What an action did: the transition (or, for a preview, the transition it would make), or why it did nothing.</summary>
public sealed record ActionOutcome(TransitionResult? Result, TransitionPreview? Preview, ActionFailure? Failure)
{
    public bool Ok => Failure is null;
    public static implicit operator ActionOutcome(ActionFailure failure) => new(null, null, failure);
}

/// <summary>How to run an action: once per idempotency key, only from the version the person saw, or as a preview that writes nothing.</summary>
/// <param name="Fingerprint">What the key came with (method, path, body hash): the same key with another request is refused.</param>
public sealed record ActOptions(string? IdempotencyKey = null, int? ExpectedVersion = null, bool Preview = false, string? Fingerprint = null)
{
    public static readonly ActOptions Default = new();
}

/// <summary>
/// The changes people make to a contract and its tasks — amend, renew, decide, end early, training,
/// exams, modules, task completions — checked and run the same way for the API and the pages: input
/// checked first (all errors at once), then the per-record check (out of reach = not found), then one
/// workflow transition.
/// </summary>
public sealed class ContractActions(ContractQueries contracts, TaskQueries tasks, WorkflowEngine engine)
{
    public Task<ActionOutcome> AmendAsync(Caller caller, Guid contractId, AmendmentRequest body, ActOptions options, CancellationToken ct)
    {
        var check = new Check().Date("newEnd", body.NewEnd).Text("reason", body.Reason, 2000).Date("effectiveOn", body.EffectiveOn, required: false);
        return check.Ok
            ? SignalAsync(caller, contractId, ContractTrigger.AmendContract, new JsonObject
            {
                ["newEnd"] = IsoDate(body.NewEnd), ["reason"] = body.Reason, ["effectiveOn"] = IsoDate(body.EffectiveOn),
            }, staffOnly: true, options, ct)
            : Task.FromResult<ActionOutcome>(check.Failure());
    }

    public Task<ActionOutcome> RenewAsync(Caller caller, Guid contractId, RenewalRequest body, ActOptions options, CancellationToken ct)
    {
        var check = new Check().Date("newEnd", body.NewEnd).Text("reason", body.Reason, 2000).Date("notifiedOn", body.NotifiedOn, required: false);
        return check.Ok
            ? SignalAsync(caller, contractId, ContractTrigger.Decide, DecisionPayload(DecisionKind.Renewal, body.Reason, body.NewEnd, body.NotifiedOn),
                staffOnly: true, options, ct)
            : Task.FromResult<ActionOutcome>(check.Failure());
    }

    public Task<ActionOutcome> DecideAsync(Caller caller, Guid contractId, DecisionRequest body, ActOptions options, CancellationToken ct)
    {
        var check = CheckDecision(body);
        return check.Ok
            ? SignalAsync(caller, contractId, ContractTrigger.Decide, DecisionPayload(body.Kind!.Value, body.Reason, body.NewEnd, body.NotifiedOn),
                staffOnly: true, options, ct)
            : Task.FromResult<ActionOutcome>(check.Failure());
    }

    public Task<ActionOutcome> EndEarlyAsync(Caller caller, Guid contractId, EarlyTerminationRequest body, ActOptions options, CancellationToken ct)
    {
        var check = new Check().Date("date", body.Date).Defined("reason", body.Reason).Text("note", body.Note, 2000, required: false);
        if (!check.Ok) return Task.FromResult<ActionOutcome>(check.Failure());
        // A failed trial period is its own transition: it ends the contract during the trial only.
        var trigger = body.Reason == TerminationReason.TrialFailed ? ContractTrigger.TrialFailed : ContractTrigger.EarlyTerminate;
        return SignalAsync(caller, contractId, trigger, new JsonObject
        {
            ["date"] = IsoDate(body.Date), ["reason"] = body.Reason.ToString(), ["note"] = body.Note,
        }, staffOnly: true, options, ct);
    }

    public Task<ActionOutcome> ScheduleTrainingAsync(Caller caller, Guid contractId, TrainingRequest body, ActOptions options, CancellationToken ct)
    {
        var check = new Check().Date("start", body.Start).Date("end", body.End).Range("hours", body.Hours, 70, 420).Text("title", body.Title, 200, required: false);
        if (body.Start is { } s && body.End is { } e && e < s) check.Add("end", "La fin précède le début.");
        return check.Ok
            ? SignalAsync(caller, contractId, ContractTrigger.TrainingScheduled, new JsonObject
            {
                ["start"] = IsoDate(body.Start), ["end"] = IsoDate(body.End), ["hours"] = body.Hours, ["title"] = body.Title,
            }, staffOnly: true, options, ct)
            : Task.FromResult<ActionOutcome>(check.Failure());
    }

    public Task<ActionOutcome> CompleteTrainingAsync(Caller caller, Guid contractId, CompletionRequest body, ActOptions options, CancellationToken ct)
    {
        var check = new Check().Date("completedOn", body.CompletedOn, required: false);
        return check.Ok
            ? SignalAsync(caller, contractId, ContractTrigger.TrainingCompleted, new JsonObject { ["completedOn"] = IsoDate(body.CompletedOn) },
                staffOnly: false, options, ct)
            : Task.FromResult<ActionOutcome>(check.Failure());
    }

    public Task<ActionOutcome> RecordExamAsync(Caller caller, Guid contractId, ExamRequest body, ActOptions options, CancellationToken ct)
    {
        var check = new Check().Defined("exam", body.Exam).Required("passed", body.Passed).Date("on", body.On, required: false);
        return check.Ok
            ? SignalAsync(caller, contractId, body.Passed == true ? ContractTrigger.ExamPassed : ContractTrigger.ExamFailed,
                new JsonObject { ["exam"] = body.Exam.ToString(), ["on"] = IsoDate(body.On) }, staffOnly: true, options, ct)
            : Task.FromResult<ActionOutcome>(check.Failure());
    }

    public Task<ActionOutcome> RecordModuleAsync(Caller caller, Guid contractId, ThematicModuleRequest body, ActOptions options, CancellationToken ct)
    {
        var check = new Check().Text("title", body.Title, 200).Range("hours", body.Hours, 1, 200, required: false).Date("on", body.On, required: false);
        return check.Ok
            ? SignalAsync(caller, contractId, ContractTrigger.ThematicModuleCompleted, new JsonObject
            {
                ["title"] = body.Title, ["hours"] = body.Hours, ["on"] = IsoDate(body.On),
            }, staffOnly: false, options, ct)
            : Task.FromResult<ActionOutcome>(check.Failure());
    }

    /// <summary>Closes a human task by what it stands for: a review, a decision, a follow-up outcome, the training dates.</summary>
    public async Task<ActionOutcome> CompleteTaskAsync(Caller caller, Guid taskId, TaskCompletion body, ActOptions options, CancellationToken ct)
    {
        var task = await tasks.FindAsync(taskId, ct);
        if (task is null || !caller.MaySeeStructure(task.StructureId)) return ActionFailure.NotFound;
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
                var decisionCheck = CheckDecision(d);
                if (!decisionCheck.Ok) return decisionCheck.Failure();
                step = (nameof(ContractTrigger.Decide), DecisionPayload(d.Kind!.Value, d.Reason, d.NewEnd, d.NotifiedOn), d.Kind!.Value.ToString());
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
                check.Add("kind", $"Une tâche « {kind} » ne se clôt pas ainsi.");
                break;
        }
        if (!check.Ok || step is null) return check.Failure();
        var (trigger, payload, outcome) = step.Value;
        return await RunAsync(() => engine.CompleteTaskAsync(taskId, trigger, payload, caller.Actor, outcome, body.Note ?? body.Decision?.Reason, ct,
            options.ExpectedVersion));
    }

    internal static Check CheckDecision(DecisionRequest body) => new Check()
        .Defined("kind", body.Kind).Text("reason", body.Reason, 2000)
        .Date("newEnd", body.NewEnd, required: body.Kind == DecisionKind.Renewal).Date("notifiedOn", body.NotifiedOn, required: false);

    static JsonObject DecisionPayload(DecisionKind kind, string? reason, DateOnly? newEnd, DateOnly? notifiedOn) => new()
    {
        ["kind"] = kind.ToString(), ["reason"] = reason, ["newEnd"] = IsoDate(newEnd), ["notifiedOn"] = IsoDate(notifiedOn),
    };

    public static bool MaySee(Caller caller, Guid structureId, Guid advisorId) =>
        caller.MaySeeStructure(structureId) || (caller.IsAdvisor && caller.AdvisorId == advisorId);

    /// <summary>
    /// One transition on a contract's workflow (or its preview), after checking the caller may act on
    /// it (else not found: a contract out of reach and one that does not exist look the same).
    /// </summary>
    async Task<ActionOutcome> SignalAsync(Caller caller, Guid contractId, ContractTrigger trigger, JsonObject payload, bool staffOnly,
        ActOptions options, CancellationToken ct)
    {
        var found = await contracts.FindAsync(contractId, ct);
        if (found is null || !(staffOnly ? caller.MaySeeStructure(found.StructureId) : MaySee(caller, found.StructureId, found.AdvisorId)))
            return ActionFailure.NotFound;
        if (found.InstanceId is not { } instanceId) return ActionFailure.Conflict("Ce contrat n'a pas de suivi en cours : aucune transition n'est possible.");
        foreach (var key in payload.Where(p => p.Value is null).Select(p => p.Key).ToList()) payload.Remove(key);
        if (options.IdempotencyKey is { Length: > 200 })
            return new Check().Add("Idempotency-Key", "L'en-tête Idempotency-Key compte 200 caractères au plus.").Failure();
        var request = new SignalRequest(instanceId, trigger.ToString(), payload, caller.Actor, options.IdempotencyKey, ExpectedVersion: options.ExpectedVersion,
            Fingerprint: options.Fingerprint);
        if (!options.Preview) return await RunAsync(() => engine.SignalAsync(request, ct));
        try
        {
            return new ActionOutcome(null, await engine.PreviewAsync(request, ct), null);
        }
        catch (Exception e) when (Refusal(e) is { } failure)
        {
            return failure;
        }
    }

    static async Task<ActionOutcome> RunAsync(Func<Task<TransitionResult>> transition)
    {
        try
        {
            return new ActionOutcome(await transition(), null, null);
        }
        catch (Exception e) when (Refusal(e) is { } failure)
        {
            return failure;
        }
    }

    /// <summary>What the engine's refusals mean to a person; anything else is an error of the server.</summary>
    static ActionFailure? Refusal(Exception e) => e switch
    {
        TriggerNotPermittedException => ActionFailure.Conflict(e.Message),
        WorkflowConflictException => ActionFailure.Conflict(ActionFailure.ChangedMeanwhile),
        WorkflowInputException input => new ActionFailure(FailureKind.Invalid, input.Message, new Dictionary<string, string[]>(), input.RuleId),
        _ => null,
    };
}

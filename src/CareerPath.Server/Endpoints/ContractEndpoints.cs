using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

public sealed record AmendmentRequest(DateOnly? NewEnd, string? Reason, DateOnly? EffectiveOn = null);
public sealed record RenewalRequest(DateOnly? NewEnd, string? Reason, DateOnly? NotifiedOn = null);
public sealed record DecisionRequest(DecisionKind? Kind, string? Reason, DateOnly? NewEnd = null, DateOnly? NotifiedOn = null);
public sealed record EarlyTerminationRequest(DateOnly? Date, TerminationReason? Reason, string? Note = null);
public sealed record TransitionView(Guid InstanceId, int Seq, string From, string To, bool Duplicate);

/// <summary>Contracts: create (starts the workflow), amend, renew, decide, end early. Each change is one workflow transition.</summary>
public static class ContractEndpoints
{
    public static void MapContracts(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/contracts").WithTags("Contrats");

        group.MapGet("/", async Task<Results<Ok<Page<ContractView>>, ValidationProblem>> (Guid? structureId, Guid? advisorId, [AsParameters] PageQuery paging,
            ContractQueries contracts, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            if (await contracts.ListAsync(caller.Scope(), new ContractFilter(structureId, advisorId), page, ct) is not { } list) return Common.InvalidCursor();
            await log.RecordAsync(caller, "contracts.list", "advisor", null, list.Items.Count, ct, list.Items.Select(c => c.AdvisorId).ToList());
            return TypedResults.Ok(list);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("listContracts").WithSummary("Lister les contrats");

        group.MapGet("/{id:guid}", async Task<Results<Ok<ContractView>, NotFoundProblem>> (Guid id, ContractQueries contracts, AccessLog log, HttpContext http,
            CancellationToken ct) =>
        {
            var caller = http.Caller();
            var contract = await contracts.GetAsync(id, ct);
            if (contract is null || !MaySee(caller, contract.StructureId, contract.AdvisorId)) return new NotFoundProblem();
            await log.RecordAsync(caller, "contracts.read", "contract", id, 1, ct, [contract.AdvisorId]);
            return TypedResults.Ok(contract);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("getContract").WithSummary("Lire un contrat");

        group.MapPost("/", async Task<Results<Created<Created>, Ok<Created>, ValidationProblem>> (NewContract body, ReferenceData records, PostQueries posts,
            HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (body.PostId is { } postId && !caller.IsAdmin && !caller.MaySeeStructure(await posts.StructureOfAsync(postId, ct)))
                return new Check().Add("postId", "Poste introuvable, ou hors de votre périmètre.").Problem();
            return Common.Answer(await records.CreateContractAsync(body, caller.Actor, ct), "/api/contracts");
        }).RequireAuthorization(Policies.Staff).WithName("createContract").WithSummary("Créer un contrat (démarre son suivi)");

        group.MapPost("/{id:guid}/amendments", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            AmendmentRequest body, ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("newEnd", body.NewEnd).Text("reason", body.Reason, 2000).Date("effectiveOn", body.EffectiveOn, required: false);
            if (!check.Ok) return check.Problem();
            return await SignalAsync(contracts, engine, http, id, ContractTrigger.AmendContract, new JsonObject
            {
                ["newEnd"] = IsoDate(body.NewEnd), ["reason"] = body.Reason, ["effectiveOn"] = IsoDate(body.EffectiveOn),
            }, staffOnly: true, ct);
        }).RequireAuthorization(Policies.Staff).WithName("amendContract").WithSummary("Enregistrer un avenant (nouvelle date de fin)");

        group.MapPost("/{id:guid}/renewal", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            RenewalRequest body, ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("newEnd", body.NewEnd).Text("reason", body.Reason, 2000).Date("notifiedOn", body.NotifiedOn, required: false);
            if (!check.Ok) return check.Problem();
            return await SignalAsync(contracts, engine, http, id, ContractTrigger.Decide,
                DecisionPayload(DecisionKind.Renewal, body.Reason, body.NewEnd, body.NotifiedOn), staffOnly: true, ct);
        }).RequireAuthorization(Policies.Staff).WithName("renewContract").WithSummary("Renouveler un contrat");

        group.MapPost("/{id:guid}/decision", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            DecisionRequest body, ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = CheckDecision(body);
            if (!check.Ok) return check.Problem();
            return await SignalAsync(contracts, engine, http, id, ContractTrigger.Decide,
                DecisionPayload(body.Kind!.Value, body.Reason, body.NewEnd, body.NotifiedOn), staffOnly: true, ct);
        }).RequireAuthorization(Policies.Staff).WithName("decideContract").WithSummary("Enregistrer la décision de fin de contrat");

        group.MapPost("/{id:guid}/early-termination", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            EarlyTerminationRequest body, ContractQueries contracts, WorkflowEngine engine, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("date", body.Date).Defined("reason", body.Reason).Text("note", body.Note, 2000, required: false);
            if (!check.Ok) return check.Problem();
            // A failed trial period is its own transition: it ends the contract during the trial only.
            var trigger = body.Reason == TerminationReason.TrialFailed ? ContractTrigger.TrialFailed : ContractTrigger.EarlyTerminate;
            return await SignalAsync(contracts, engine, http, id, trigger, new JsonObject
            {
                ["date"] = IsoDate(body.Date), ["reason"] = body.Reason.ToString(), ["note"] = body.Note,
            }, staffOnly: true, ct);
        }).RequireAuthorization(Policies.Staff).WithName("terminateContractEarly").WithSummary("Enregistrer une fin anticipée");
    }

    internal static Check CheckDecision(DecisionRequest body) => new Check()
        .Defined("kind", body.Kind).Text("reason", body.Reason, 2000)
        .Date("newEnd", body.NewEnd, required: body.Kind == DecisionKind.Renewal).Date("notifiedOn", body.NotifiedOn, required: false);

    internal static JsonObject DecisionPayload(DecisionKind kind, string? reason, DateOnly? newEnd, DateOnly? notifiedOn) => new()
    {
        ["kind"] = kind.ToString(), ["reason"] = reason, ["newEnd"] = IsoDate(newEnd), ["notifiedOn"] = IsoDate(notifiedOn),
    };

    internal static bool MaySee(Caller caller, Guid structureId, Guid advisorId) =>
        caller.MaySeeStructure(structureId) || (caller.IsAdvisor && caller.AdvisorId == advisorId);

    /// <summary>
    /// One transition on a contract's workflow, after checking the caller may act on it (else 404:
    /// a contract out of reach and one that does not exist look the same).
    /// </summary>
    internal static async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> SignalAsync(ContractQueries contracts,
        WorkflowEngine engine, HttpContext http, Guid contractId, ContractTrigger trigger, JsonObject payload, bool staffOnly, CancellationToken ct)
    {
        var caller = http.Caller();
        var found = await contracts.FindAsync(contractId, ct);
        if (found is null || !(staffOnly ? caller.MaySeeStructure(found.StructureId) : MaySee(caller, found.StructureId, found.AdvisorId))) return new NotFoundProblem();
        if (found.InstanceId is not { } instanceId) return new ConflictProblem("Ce contrat n'a pas de suivi en cours : aucune transition n'est possible.");
        foreach (var key in payload.Where(p => p.Value is null).Select(p => p.Key).ToList()) payload.Remove(key);
        if (http.Request.Headers["Idempotency-Key"].ToString().Length > 200)
            return new Check().Add("Idempotency-Key", "L'en-tête Idempotency-Key compte 200 caractères au plus.").Problem();
        try
        {
            var result = await engine.SignalAsync(new SignalRequest(instanceId, trigger.ToString(), payload, caller.Actor, http.IdempotencyKey()), ct);
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
    }
}

using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using Dapper;
using Npgsql;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

public sealed record AmendmentRequest(DateOnly? NewEnd, string? Reason, DateOnly? EffectiveOn = null);
public sealed record RenewalRequest(DateOnly? NewEnd, string? Reason, DateOnly? NotifiedOn = null);
public sealed record DecisionRequest(DecisionKind? Kind, string? Reason, DateOnly? NewEnd = null, DateOnly? NotifiedOn = null);
public sealed record EarlyTerminationRequest(DateOnly? Date, TerminationReason? Reason, string? Note = null);
public sealed record ContractView(Guid Id, Guid InstanceId, string State, Guid AdvisorId, string AdvisorName, Guid PostId, Guid StructureId,
    string Type, string Regime, DateOnly Start, DateOnly? SignedEnd, DateOnly? End, Guid? PreviousContractId,
    IReadOnlyList<ContractAmendment> Amendments, EarlyTermination? EarlyTermination, Decision? Decision, bool DecisionLate,
    bool NoticeDeadlineMissed, IReadOnlyList<TrainingAssignment> Trainings, IReadOnlyList<Outcome> Outcomes);
public sealed record TransitionView(Guid InstanceId, int Seq, string From, string To, bool Duplicate);

/// <summary>Contracts: create (starts the workflow), amend, renew, decide, end early. Each change is one workflow transition.</summary>
public static class ContractEndpoints
{
    public static void MapContracts(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/contracts").WithTags("Contrats");

        group.MapGet("/", async (Guid? structureId, Guid? advisorId, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            await using var conn = await db.OpenConnectionAsync(ct);
            var rows = (await conn.QueryAsync<(Guid Id, string State, string Data)>("""
                SELECT id, state, data::text FROM workflow_instance
                 WHERE definition_id = 'advisor-contract'
                   AND (@all OR structure_id = ANY(@scope)) AND (@self::text IS NULL OR data->'advisor'->>'id' = @self)
                   AND (@structureId::uuid IS NULL OR structure_id = @structureId) AND (@advisor::text IS NULL OR data->'advisor'->>'id' = @advisor)
                 ORDER BY created_at LIMIT 5000
                """, new
            {
                all = caller.IsAdmin || caller.IsAdvisor, scope = caller.StructureFilter ?? [], self = caller.IsAdvisor ? caller.AdvisorId?.ToString() : null,
                structureId, advisor = advisorId?.ToString(),
            })).Select(r => View(r.Id, r.State, r.Data)).ToList();
            await log.RecordAsync(caller, "contracts.list", "advisor", null, rows.Count, ct, rows.Select(r => r.AdvisorId).ToList());
            return Results.Ok(rows);
        }).RequireAuthorization(Policies.PersonalRecords);

        group.MapGet("/{id:guid}", async (Guid id, NpgsqlDataSource db, WorkflowEngine engine, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var found = await Common.FindContractAsync(db, id, ct);
            if (found is null || !MaySee(caller, found)) return Problems.NotFound();
            var row = (await engine.GetAsync(found.InstanceId, ct))!;
            await log.RecordAsync(caller, "contracts.read", "contract", id, 1, ct, [found.AdvisorId]);
            return Results.Ok(View(row.Id, row.State, row.Data));
        }).RequireAuthorization(Policies.PersonalRecords);

        group.MapPost("/", async (NewContract body, ReferenceData records, NpgsqlDataSource db, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (body.PostId is { } postId && !caller.IsAdmin)
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                var structure = await conn.QuerySingleOrDefaultAsync<Guid?>("SELECT structure_id FROM funded_post WHERE id = @postId", new { postId });
                if (!caller.MaySeeStructure(structure))
                    return new Check().Add("postId", "Poste introuvable, ou hors de votre périmètre.").Problem();
            }
            return Common.Answer(await records.CreateContractAsync(body, caller.Actor, ct), "/api/contracts");
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/{id:guid}/amendments", (Guid id, AmendmentRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("newEnd", body.NewEnd).Text("reason", body.Reason, 2000).Date("effectiveOn", body.EffectiveOn, required: false);
            return check.Ok
                ? SignalAsync(http, id, ContractTrigger.AmendContract, new JsonObject
                {
                    ["newEnd"] = IsoDate(body.NewEnd), ["reason"] = body.Reason, ["effectiveOn"] = IsoDate(body.EffectiveOn),
                }, staffOnly: true, ct)
                : Task.FromResult(check.Problem());
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/{id:guid}/renewal", (Guid id, RenewalRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("newEnd", body.NewEnd).Text("reason", body.Reason, 2000).Date("notifiedOn", body.NotifiedOn, required: false);
            return check.Ok
                ? SignalAsync(http, id, ContractTrigger.Decide, DecisionPayload(DecisionKind.Renewal, body.Reason, body.NewEnd, body.NotifiedOn), staffOnly: true, ct)
                : Task.FromResult(check.Problem());
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/{id:guid}/decision", (Guid id, DecisionRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = CheckDecision(body);
            return check.Ok
                ? SignalAsync(http, id, ContractTrigger.Decide, DecisionPayload(body.Kind!.Value, body.Reason, body.NewEnd, body.NotifiedOn), staffOnly: true, ct)
                : Task.FromResult(check.Problem());
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/{id:guid}/early-termination", (Guid id, EarlyTerminationRequest body, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Date("date", body.Date).Defined("reason", body.Reason).Text("note", body.Note, 2000, required: false);
            if (!check.Ok) return Task.FromResult(check.Problem());
            // A failed trial period is its own transition: it ends the contract during the trial only.
            var trigger = body.Reason == TerminationReason.TrialFailed ? ContractTrigger.TrialFailed : ContractTrigger.EarlyTerminate;
            return SignalAsync(http, id, trigger, new JsonObject
            {
                ["date"] = IsoDate(body.Date), ["reason"] = body.Reason.ToString(), ["note"] = body.Note,
            }, staffOnly: true, ct);
        }).RequireAuthorization(Policies.Staff);
    }

    internal static Check CheckDecision(DecisionRequest body) => new Check()
        .Defined("kind", body.Kind).Text("reason", body.Reason, 2000)
        .Date("newEnd", body.NewEnd, required: body.Kind == DecisionKind.Renewal).Date("notifiedOn", body.NotifiedOn, required: false);

    internal static JsonObject DecisionPayload(DecisionKind kind, string? reason, DateOnly? newEnd, DateOnly? notifiedOn) => new()
    {
        ["kind"] = kind.ToString(), ["reason"] = reason, ["newEnd"] = IsoDate(newEnd), ["notifiedOn"] = IsoDate(notifiedOn),
    };

    internal static bool MaySee(Caller caller, Common.ContractInstance contract) =>
        caller.MaySeeStructure(contract.StructureId) || (caller.IsAdvisor && caller.AdvisorId == contract.AdvisorId);

    /// <summary>
    /// One transition on a contract's instance, after checking the caller may act on it (else 404:
    /// a contract out of reach and one that does not exist look the same).
    /// </summary>
    internal static async Task<IResult> SignalAsync(HttpContext http, Guid contractId, ContractTrigger trigger, JsonObject payload, bool staffOnly, CancellationToken ct)
    {
        var caller = http.Caller();
        var db = http.RequestServices.GetRequiredService<NpgsqlDataSource>();
        var engine = http.RequestServices.GetRequiredService<WorkflowEngine>();
        var found = await Common.FindContractAsync(db, contractId, ct);
        if (found is null || !(staffOnly ? caller.MaySeeStructure(found.StructureId) : MaySee(caller, found))) return Problems.NotFound();
        foreach (var key in payload.Where(p => p.Value is null).Select(p => p.Key).ToList()) payload.Remove(key);
        if (http.Request.Headers["Idempotency-Key"].ToString().Length > 200)
            return Problems.BadRequest("L'en-tête Idempotency-Key compte 200 caractères au plus.");
        var result = await engine.SignalAsync(new SignalRequest(found.InstanceId, trigger.ToString(), payload, caller.Actor, http.IdempotencyKey()), ct);
        return Results.Ok(new TransitionView(result.InstanceId, result.Seq, result.FromState, result.ToState, result.Duplicate));
    }

    static ContractView View(Guid instanceId, string state, string json)
    {
        var d = Deserialize<AdvisorContractData>(json);
        var c = d.Contract;
        return new ContractView(c.Id, instanceId, state, d.Advisor.Id, d.Advisor.FullName, c.PostId, d.StructureId, c.Type.ToString(), c.Regime.ToString(),
            c.Start, c.End, c.EffectiveEnd, c.PreviousContractId, c.Amendments, c.EarlyTermination, d.Decision, d.DecisionLate,
            d.NoticeDeadlineMissed, d.Trainings, d.Outcomes);
    }
}

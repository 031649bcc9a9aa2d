using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Actions;
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

        group.MapGet("/{id:guid}", async Task<Results<Ok<ContractView>, NotFoundProblem, ForbiddenProblem, BadRequestProblem>> (Guid id, string? motif,
            ContractQueries contracts, AdvisorFiles files, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var contract = await contracts.GetAsync(id, ct);
            if (contract is null || !MaySee(caller, contract.StructureId, contract.AdvisorId)) return new NotFoundProblem();
            // A contract is its advisor's file: archived with it.
            var access = await files.CheckAsync(caller, contract.AdvisorId, motif, ct);
            if (Common.Refusal<ContractView>(access) is { } refused) return refused;
            await log.RecordAsync(caller, access.Action("contracts.read"), "contract", id, 1, ct, [contract.AdvisorId]);
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
            AmendmentRequest body, ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.AmendAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.Staff).WithName("amendContract").WithSummary("Enregistrer un avenant (nouvelle date de fin)");

        group.MapPost("/{id:guid}/renewal", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            RenewalRequest body, ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.RenewAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.Staff).WithName("renewContract").WithSummary("Renouveler un contrat");

        group.MapPost("/{id:guid}/decision", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            DecisionRequest body, ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.DecideAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.Staff).WithName("decideContract").WithSummary("Enregistrer la décision de fin de contrat");

        group.MapPost("/{id:guid}/early-termination", async Task<Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            EarlyTerminationRequest body, ContractActions actions, HttpContext http, CancellationToken ct) =>
            Common.Answer(await actions.EndEarlyAsync(http.Caller(), id, body, http.Act(), ct)))
            .RequireAuthorization(Policies.Staff).WithName("terminateContractEarly").WithSummary("Enregistrer une fin anticipée");
    }

    internal static bool MaySee(Caller caller, Guid structureId, Guid advisorId) => ContractActions.MaySee(caller, structureId, advisorId);
}

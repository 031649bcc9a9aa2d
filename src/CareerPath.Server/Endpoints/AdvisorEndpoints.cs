using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

public sealed record StructureChange(Guid? StructureId);

/// <summary>An advisor's request to correct one field of their data: which field, and the value they say is right.</summary>
public sealed record CorrectionRequest(CorrectedField? Field, string? Value);

/// <summary>The task the request opened for the advisor's HR managers.</summary>
public sealed record CorrectionOpened(Guid TaskId);

/// <summary>Advisors: their structure's HR managers and administrators; an advisor sees only their own record.</summary>
public static class AdvisorEndpoints
{
    public static void MapAdvisors(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/advisors").WithTags("Conseillers");

        group.MapGet("/", async Task<Results<Ok<Page<AdvisorSummary>>, ValidationProblem>> (Guid? structureId, [AsParameters] PageQuery paging,
            AdvisorQueries advisors, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            if (await advisors.ListAsync(caller.Scope(), structureId, page, ct) is not { } list) return Common.InvalidCursor();
            await log.RecordAsync(caller, "advisors.list", "advisor", null, list.Items.Count, ct, list.Items.Select(a => a.Id).ToList());
            return TypedResults.Ok(list);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("listAdvisors").WithSummary("Lister les conseillers");

        group.MapGet("/{id:guid}", async Task<Results<Ok<AdvisorView>, NotFoundProblem, ForbiddenProblem, BadRequestProblem>> (Guid id, string? motif,
            AdvisorQueries advisors, AdvisorFiles files, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var access = await files.CheckAsync(caller, id, motif, ct);
            if (Common.Refusal<AdvisorView>(access) is { } refused) return refused;
            // Their contracts: all of them for the advisor and administrators, those of the caller's structures for an HR manager.
            var advisor = await advisors.GetAsync(id, caller.Scope(), ct);
            if (advisor is null) return new NotFoundProblem();
            await log.RecordAsync(caller, access.Action("advisors.read"), "advisor", id, 1, ct);
            return TypedResults.Ok(advisor);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("getAdvisor").WithSummary("Lire la fiche d'un conseiller");

        // The right of access (GDPR art. 15): everything held about the advisor, for the advisor, their HR managers and
        // administrators (the checks of the read above). The export is itself a read, logged before it is built so that it
        // lists itself among the reads of their data.
        group.MapGet("/{id:guid}/export", async Task<Results<Ok<PersonalDataExport>, NotFoundProblem, ForbiddenProblem, BadRequestProblem>> (Guid id,
            string? motif, AdvisorFiles files, PersonalDataExports exports, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var access = await files.CheckAsync(caller, id, motif, ct);
            if (Common.Refusal<PersonalDataExport>(access) is { } refused) return refused;
            await log.RecordAsync(caller, access.Action("advisors.export"), "advisor", id, 1, ct);
            return await exports.ExportAsync(id, caller.Scope(), ct) is { } export ? TypedResults.Ok(export) : new NotFoundProblem();
        }).RequireAuthorization(Policies.PersonalRecords).WithName("exportAdvisorData").WithSummary("Exporter toutes les données d'un conseiller (droit d'accès)");

        // The right to rectification (GDPR art. 16): the advisor asks, their HR managers correct (a task, closed by POST /tasks/{id}/close).
        group.MapPost("/{id:guid}/correction-requests", async Task<Results<Created<CorrectionOpened>, NotFoundProblem, ForbiddenProblem, ValidationProblem, ConflictProblem>> (
            Guid id, CorrectionRequest body, AdvisorQueries advisors, CorrectionRequests requests, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeAdvisor(id, await advisors.StructuresAsync(id, ct))) return new NotFoundProblem();
            // The right is the person's: staff do not ask in their name.
            if (!(caller.IsAdvisor && caller.AdvisorId == id))
                return new ForbiddenProblem("Seul le conseiller demande la rectification de ses propres données.");
            var check = new Check().Defined("field", body.Field).Text("value", body.Value, 2000);
            if (!check.Ok) return check.Problem();
            var (result, taskId) = await requests.OpenAsync(id, body.Field!.Value, body.Value!.Trim(), ct);
            return result switch
            {
                CorrectionRequests.OpenResult.Opened => TypedResults.Created($"/api/tasks/{taskId}", new CorrectionOpened(taskId)),
                CorrectionRequests.OpenResult.NoContract => new ConflictProblem("Aucun contrat n'est enregistré : aucune structure ne peut traiter la demande."),
                _ => new NotFoundProblem(),
            };
        }).RequireAuthorization(Policies.PersonalRecords).WithName("requestAdvisorCorrection").WithSummary("Demander la rectification d'une donnée");

        // An advisor hired by another structure: an administrator moves the record, the earlier contracts
        // stay with the structure that held them (and their HR managers keep seeing those).
        group.MapPost("/{id:guid}/structure", async Task<Results<NoContent, NotFoundProblem, ValidationProblem>> (Guid id, StructureChange body,
            AdvisorCommands commands, ILogger<StructureChange> log, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Required("structureId", body.StructureId);
            if (!check.Ok) return check.Problem();
            switch (await commands.AttachToStructureAsync(id, body.StructureId!.Value, ct))
            {
                case AdvisorCommands.AttachResult.NoSuchStructure: return check.Add("structureId", "Structure introuvable.").Problem();
                case AdvisorCommands.AttachResult.NoSuchAdvisor: return new NotFoundProblem();
            }
            // Who moved whom where: an administrator's act on personal data, kept in the server's log.
            log.LogInformation("Advisor {Advisor} attached to structure {Structure} by {Actor}", id, body.StructureId, http.Caller().Actor);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.Admin).WithName("attachAdvisorToStructure").WithSummary("Rattacher un conseiller à une autre structure");

        group.MapPost("/", async Task<Results<Created<Created>, Ok<Created>, ValidationProblem>> (NewAdvisor body, ReferenceData records, HttpContext http,
            CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (body.StructureId is { } s && !caller.MaySeeStructure(s))
                return new Check().Add("structureId", "Structure introuvable, ou hors de votre périmètre.").Problem();
            return Common.Answer(await records.CreateAdvisorAsync(body, caller.Actor, ct), "/api/advisors");
        }).RequireAuthorization(Policies.Staff).WithName("createAdvisor").WithSummary("Enregistrer un conseiller");
    }
}

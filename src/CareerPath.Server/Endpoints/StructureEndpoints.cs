using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

public sealed record Created(Guid Id, bool IsNew);

/// <summary>Employer structures: an HR manager sees theirs, an administrator all and creates them.</summary>
public static class StructureEndpoints
{
    public static void MapStructures(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/structures").WithTags("Structures");

        group.MapGet("/", async Task<Results<Ok<Page<StructureView>>, ValidationProblem>> ([AsParameters] PageQuery paging, StructureQueries structures,
            AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            if (await structures.ListAsync(caller.Scope(), page, ct) is not { } list) return Common.InvalidCursor();
            await log.RecordAsync(caller, "structures.list", "structure", null, list.Items.Count, ct);
            return TypedResults.Ok(list);
        }).RequireAuthorization(Policies.Staff).WithName("listStructures").WithSummary("Lister les structures employeuses");

        group.MapGet("/{id:guid}", async Task<Results<Ok<StructureView>, NotFoundProblem>> (Guid id, StructureQueries structures, AccessLog log,
            HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeStructure(id) || await structures.GetAsync(id, ct) is not { } found) return new NotFoundProblem();
            await log.RecordAsync(caller, "structures.read", "structure", id, 1, ct);
            return TypedResults.Ok(found);
        }).RequireAuthorization(Policies.Staff).WithName("getStructure").WithSummary("Lire une structure");

        group.MapPost("/", async Task<Results<Created<Created>, Ok<Created>, ValidationProblem>> (NewStructure body, ReferenceData records, HttpContext http,
            CancellationToken ct) =>
            Common.Answer(await records.CreateStructureAsync(body, http.Caller().Actor, ct), "/api/structures"))
            .RequireAuthorization(Policies.Admin).WithName("createStructure").WithSummary("Créer une structure employeuse")
            .WithDescription("« departement » (facultatif) : le code INSEE du département de la structure (01 à 95, 2A, 2B, 971 à 974, 976), " +
                             "pour les comptes du programme par département et par région ; un autre code est refusé (400, « errors.departement »). " +
                             "Donné pour une structure déjà enregistrée sans département, il le complète (200).");
    }
}

using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

public sealed record TrancheReceipt(Guid? ConventionId, int? Seq, DateOnly? ReceivedOn);

/// <summary>Funded posts and their grant conventions, with the funding workflow's state.</summary>
public static class PostEndpoints
{
    public static void MapPosts(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/posts").WithTags("Postes et conventions");

        group.MapGet("/", async Task<Results<Ok<Page<PostView>>, ValidationProblem>> (Guid? structureId, [AsParameters] PageQuery paging, PostQueries posts,
            HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            // A structure outside the caller's scope lists nothing, as an unknown one would.
            var scope = structureId is not null && !caller.MaySeeStructure(structureId) ? ReadScope.Nothing : caller.Scope();
            return await posts.ListAsync(scope, structureId, page, ct) is { } list ? TypedResults.Ok(list) : Common.InvalidCursor();
        }).RequireAuthorization(Policies.Staff).WithName("listPosts").WithSummary("Lister les postes financés");

        group.MapGet("/{id:guid}", async Task<Results<Ok<PostView>, NotFoundProblem>> (Guid id, PostQueries posts, HttpContext http, CancellationToken ct) =>
            await posts.GetAsync(id, http.Caller().Scope(), ct) is { } found ? TypedResults.Ok(found) : new NotFoundProblem())
            .RequireAuthorization(Policies.Staff).WithName("getPost").WithSummary("Lire un poste et ses conventions");

        group.MapPost("/", async Task<Results<Created<Created>, Ok<Created>, ValidationProblem>> (NewPost body, ReferenceData records, HttpContext http,
            CancellationToken ct) =>
        {
            var caller = http.Caller();
            // A structure outside the caller's scope is answered as an unknown one.
            if (body.StructureId is { } s && !caller.MaySeeStructure(s))
                return new Check().Add("structureId", "Structure introuvable, ou hors de votre périmètre.").Problem();
            return Common.Answer(await records.CreatePostAsync(body, caller.Actor, ct), "/api/posts");
        }).RequireAuthorization(Policies.Staff).WithName("createPost").WithSummary("Créer un poste financé (démarre son suivi)");

        // A new State convention (a 2023 renewal): the post-funding workflow moves its timers to the new end.
        group.MapPost("/{id:guid}/conventions", async Task<Results<Created<Created>, Ok<Created>, ValidationProblem, NotFoundProblem>> (Guid id,
            NewConvention body, ReferenceData records, PostQueries posts, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeStructure(await posts.StructureOfAsync(id, ct))) return new NotFoundProblem();
            return Common.Answer(await records.RenewConventionAsync(id, body, caller.Actor, ct), $"/api/posts/{id}/conventions").Result switch
            {
                Created<Created> created => created,
                Ok<Created> same => same,
                var refused => (ValidationProblem)refused,
            };
        }).RequireAuthorization(Policies.Staff).WithName("addConvention").WithSummary("Ajouter une convention de financement (renouvellement)");

        // A tranche of the grant paid: recorded once (the same day again changes nothing), and the
        // post-funding workflow stops waiting for it, in the same transaction.
        group.MapPost("/{id:guid}/tranches/received", async Task<Results<Ok<TrancheView>, NotFoundProblem, ValidationProblem, ConflictProblem>> (Guid id,
            TrancheReceipt body, Actions.PostActions actions, HttpContext http, CancellationToken ct) =>
            await actions.ReceiveTrancheAsync(http.Caller(), id, body, ct) switch
            {
                { Received: { } received } => TypedResults.Ok(received),
                { Failure.Kind: Actions.FailureKind.NotFound } => new NotFoundProblem(),
                { Failure: { Kind: Actions.FailureKind.Conflict } f } => new ConflictProblem(f.Message),
                { Failure: var f } => Common.Invalid(f!.Errors.ToDictionary()),
            }).RequireAuthorization(Policies.Staff).WithName("receiveTranche").WithSummary("Enregistrer la réception d'une tranche de subvention");
    }
}

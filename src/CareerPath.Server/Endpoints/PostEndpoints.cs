using CareerPath.Server.Api;
using CareerPath.Server.Security;
using System.Text.Json.Nodes;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record TrancheView(int Seq, decimal AmountEur, DateOnly ExpectedOn, DateOnly? ReceivedOn);
public sealed record ConventionView(Guid Id, string Source, string Wave, decimal AmountEur, DateOnly Start, DateOnly End, IReadOnlyList<TrancheView> Tranches);
public sealed record TrancheReceipt(Guid? ConventionId, int? Seq, DateOnly? ReceivedOn);
public sealed record PostView(Guid Id, Guid StructureId, string Label, string? State, Guid? InstanceId, IReadOnlyList<ConventionView> Conventions);

/// <summary>Funded posts and their grant conventions, with the funding workflow's state.</summary>
public static class PostEndpoints
{
    public static void MapPosts(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/posts").WithTags("Postes et conventions");

        group.MapGet("/", async (Guid? structureId, NpgsqlDataSource db, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (structureId is not null && !caller.MaySeeStructure(structureId)) return Results.Ok(Array.Empty<PostView>());
            return Results.Ok(await ReadAsync(db, caller.StructureFilter, structureId, null, ct));
        }).RequireAuthorization(Policies.Staff);

        group.MapGet("/{id:guid}", async (Guid id, NpgsqlDataSource db, HttpContext http, CancellationToken ct) =>
        {
            var found = (await ReadAsync(db, http.Caller().StructureFilter, null, id, ct)).SingleOrDefault();
            return found is null ? Problems.NotFound() : Results.Ok(found);
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/", async (NewPost body, ReferenceData records, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            // A structure outside the caller's scope is answered as an unknown one.
            if (body.StructureId is { } s && !caller.MaySeeStructure(s))
                return new Check().Add("structureId", "Structure introuvable, ou hors de votre périmètre.").Problem();
            return Common.Answer(await records.CreatePostAsync(body, caller.Actor, ct), "/api/posts");
        }).RequireAuthorization(Policies.Staff);

        // A new State convention (a 2023 renewal): the post-funding workflow moves its timers to the new end.
        group.MapPost("/{id:guid}/conventions", async (Guid id, NewConvention body, ReferenceData records, NpgsqlDataSource db, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeStructure(await StructureOfAsync(db, id, ct))) return Problems.NotFound();
            return Common.Answer(await records.RenewConventionAsync(id, body, caller.Actor, ct), $"/api/posts/{id}/conventions");
        }).RequireAuthorization(Policies.Staff);

        // A tranche of the grant paid: recorded once (the same day again changes nothing), and the
        // post-funding workflow stops waiting for it, in the same transaction.
        group.MapPost("/{id:guid}/tranches/received", async (Guid id, TrancheReceipt body, NpgsqlDataSource db, WorkflowEngine engine, TimeProvider time,
            HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeStructure(await StructureOfAsync(db, id, ct))) return Problems.NotFound();
            var check = new Check().Required("conventionId", body.ConventionId).Range("seq", body.Seq, 1, 100).Date("receivedOn", body.ReceivedOn);
            if (body.ReceivedOn > WorkflowEngine.ParisDate(time.GetUtcNow())) check.Add("receivedOn", "Une tranche ne peut pas être reçue dans le futur.");
            if (!check.Ok) return check.Problem();
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            // The post's running instance first, locked: receipts of a post (and the sweeper, which skips a
            // locked instance) take their turn, so two tranches recorded at once do not conflict.
            var instance = await conn.QuerySingleOrDefaultAsync<Guid?>("""
                SELECT id FROM workflow_instance WHERE definition_id = @def AND subject_id = @id AND closed_at IS NULL
                 ORDER BY created_at DESC LIMIT 1 FOR UPDATE
                """, new { def = PostFundingWorkflow.DefinitionId, id }, tx);
            // One statement: of two people recording different days at once, one wins and the other is told.
            var updated = await conn.QuerySingleOrDefaultAsync<TrancheRow>("""
                UPDATE grant_tranche t SET received_on = @ReceivedOn, received_by = coalesce(t.received_by, @actor)
                  FROM grant_convention c
                 WHERE c.id = t.convention_id AND c.post_id = @id AND t.convention_id = @ConventionId AND t.seq = @Seq
                   AND (t.received_on IS NULL OR t.received_on = @ReceivedOn)
                RETURNING t.convention_id AS ConventionId, t.seq, t.amount_eur AS Amount, t.expected_on AS ExpectedOn, t.received_on AS ReceivedOn
                """, new { id, body.ConventionId, body.Seq, body.ReceivedOn, actor = caller.Actor }, tx);
            if (updated is not null)
            {
                if (instance is { } running)
                    await engine.SignalAsync(conn, tx, new SignalRequest(running, nameof(PostTrigger.TrancheReceived), new JsonObject
                    {
                        ["conventionId"] = body.ConventionId.ToString(), ["seq"] = body.Seq, ["receivedOn"] = Csv.Iso(body.ReceivedOn!.Value),
                    }, caller.Actor, $"tranche:{body.ConventionId}:{body.Seq}"), ct);
                await tx.CommitAsync(ct);
                return Results.Ok(new TrancheView(updated.Seq, updated.Amount, updated.ExpectedOn, updated.ReceivedOn));
            }
            var already = await conn.QuerySingleOrDefaultAsync<DateOnly?>("""
                SELECT t.received_on FROM grant_tranche t JOIN grant_convention c ON c.id = t.convention_id
                 WHERE c.post_id = @id AND t.convention_id = @ConventionId AND t.seq = @Seq
                """, new { id, body.ConventionId, body.Seq }, tx);
            return already is { } day
                ? Problems.Conflict($"Cette tranche est déjà reçue le {day:yyyy-MM-dd}.")
                : check.Add("seq", "Aucune tranche de ce numéro dans cette convention du poste.").Problem();
        }).RequireAuthorization(Policies.Staff);
    }

    static async Task<Guid?> StructureOfAsync(NpgsqlDataSource db, Guid postId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Guid?>("SELECT structure_id FROM funded_post WHERE id = @postId", new { postId });
    }

    static async Task<IReadOnlyList<PostView>> ReadAsync(NpgsqlDataSource db, Guid[]? scope, Guid? structureId, Guid? id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var posts = (await conn.QueryAsync<(Guid Id, Guid StructureId, string Label, string? State, Guid? InstanceId)>("""
            SELECT p.id, p.structure_id, p.label, i.state, i.id
              FROM funded_post p
              LEFT JOIN LATERAL (SELECT id, state FROM workflow_instance
                                  WHERE definition_id = @def AND subject_id = p.id ORDER BY created_at DESC LIMIT 1) i ON true
             WHERE (@all OR p.structure_id = ANY(@scope)) AND (@structureId::uuid IS NULL OR p.structure_id = @structureId)
               AND (@id::uuid IS NULL OR p.id = @id)
             ORDER BY p.label LIMIT 2000
            """, new { def = PostFundingWorkflow.DefinitionId, all = scope is null, scope = scope ?? [], structureId, id })).ToList();
        // The grants as every writer stores them (ReferenceData), then the workflow's state beside them.
        var stored = await ReferenceData.LoadPostsAsync(conn, null, posts.Select(p => p.Id).ToArray());
        return posts.Zip(stored).Select(x => new PostView(x.First.Id, x.First.StructureId, x.First.Label, x.First.State, x.First.InstanceId,
            x.Second.Conventions.Select(c => new ConventionView(c.Id, c.Source.ToString(), c.Wave.ToString(), c.Amount, c.Start, c.End,
                c.Tranches.Select((t, i) => new TrancheView(i + 1, t.Amount, t.ExpectedOn, t.ReceivedOn)).ToList())).ToList())).ToList();
    }

    sealed record TrancheRow
    {
        public Guid ConventionId { get; init; }
        public int Seq { get; init; }
        public decimal Amount { get; init; }
        public DateOnly ExpectedOn { get; init; }
        public DateOnly? ReceivedOn { get; init; }
    }
}

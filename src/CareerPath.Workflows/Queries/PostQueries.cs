using System.Data;
using System.Text.Json.Nodes;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

public sealed record TrancheView(int Seq, decimal AmountEur, DateOnly ExpectedOn, DateOnly? ReceivedOn);
public sealed record ConventionView(Guid Id, string Source, string Wave, decimal AmountEur, DateOnly Start, DateOnly End, IReadOnlyList<TrancheView> Tranches);
public sealed record PostView(Guid Id, Guid StructureId, string Label, string? State, Guid? InstanceId, IReadOnlyList<ConventionView> Conventions);

/// <summary>Funded posts with their grant conventions (as ReferenceData stores them) and their funding workflow's state.</summary>
public sealed class PostQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static PostQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "posts";

    /// <summary>A page of the posts in scope, by id (creation order); null when the cursor is not one of this list.</summary>
    public async Task<Page<PostView>?> ListAsync(ReadScope scope, Guid? structureId, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, List, out var id)) return null;
            after = id;
        }
        var rows = await ReadAsync(scope, structureId, null, after, page.Take, ct);
        return Page<PostView>.From(rows, page.Limit, p => Cursor.Key(List, p.Id.ToString()));
    }

    public async Task<PostView?> GetAsync(Guid id, ReadScope scope, CancellationToken ct = default) =>
        (await ReadAsync(scope, null, id, null, 1, ct)).SingleOrDefault();

    /// <summary>The structure of a post, for a per-record check (null: no such post).</summary>
    public async Task<Guid?> StructureOfAsync(Guid postId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("SELECT structure_id FROM funded_post WHERE id = @postId",
            new { postId }, cancellationToken: ct));
    }

    async Task<IReadOnlyList<PostView>> ReadAsync(ReadScope scope, Guid? structureId, Guid? id, Guid? after, int take, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var posts = (await conn.QueryAsync<(Guid Id, Guid StructureId, string Label, string? State, Guid? InstanceId)>(new CommandDefinition("""
            SELECT p.id, p.structure_id, p.label, i.state, i.id
              FROM funded_post p
              LEFT JOIN LATERAL (SELECT id, state FROM workflow_instance
                                  WHERE definition_id = @def AND subject_id = p.id ORDER BY created_at DESC LIMIT 1) i ON true
             WHERE (@all OR p.structure_id = ANY(@structures)) AND (@structureId::uuid IS NULL OR p.structure_id = @structureId)
               AND (@id::uuid IS NULL OR p.id = @id) AND (@after::uuid IS NULL OR p.id > @after)
             ORDER BY p.id LIMIT @take
            """, new { def = PostFundingWorkflow.DefinitionId, all = scope.AllStructures, structures = scope.Structures, structureId, id, after, take },
            cancellationToken: ct))).ToList();
        // The grants as every writer stores them (ReferenceData), then the workflow's state beside them.
        var stored = await ReferenceData.LoadPostsAsync(conn, null, posts.Select(p => p.Id).ToArray());
        return posts.Zip(stored).Select(x => new PostView(x.First.Id, x.First.StructureId, x.First.Label, x.First.State, x.First.InstanceId,
            x.Second.Conventions.Select(c => new ConventionView(c.Id, c.Source.ToString(), c.Wave.ToString(), c.Amount, c.Start, c.End,
                c.Tranches.Select((t, i) => new TrancheView(i + 1, t.Amount, t.ExpectedOn, t.ReceivedOn)).ToList())).ToList())).ToList();
    }
}

/// <summary>What became of a tranche receipt: recorded (or the same day again), already received another day, or no such tranche.</summary>
public sealed record TrancheReceiptResult(TrancheView? Tranche, DateOnly? AlreadyReceivedOn);

/// <summary>Receipts of a post's grant tranches: a record change and the funding workflow's signal, in one transaction.</summary>
public sealed class GrantTranches(NpgsqlDataSource db, WorkflowEngine engine)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static GrantTranches() => DapperTypes.Register();

    /// <summary>
    /// A tranche of the grant paid: recorded once (the same day again changes nothing), and the post-funding
    /// workflow stops waiting for it, in the same transaction.
    /// </summary>
    public async Task<TrancheReceiptResult> ReceiveAsync(Guid postId, Guid conventionId, int seq, DateOnly receivedOn, string actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The post's running instance first, locked: receipts of a post (and the sweeper, which skips a
        // locked instance) take their turn, so two tranches recorded at once do not conflict.
        var instance = await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM workflow_instance WHERE definition_id = @def AND subject_id = @postId AND closed_at IS NULL
             ORDER BY created_at DESC LIMIT 1 FOR UPDATE
            """, new { def = PostFundingWorkflow.DefinitionId, postId }, tx, cancellationToken: ct));
        var args = new DynamicParameters(new { postId, conventionId, seq, actor });
        args.Add("receivedOn", receivedOn, DbType.Date);
        // One statement: of two people recording different days at once, one wins and the other is told.
        var updated = await conn.QuerySingleOrDefaultAsync<TrancheRow>(new CommandDefinition("""
            UPDATE grant_tranche t SET received_on = @receivedOn, received_by = coalesce(t.received_by, @actor)
              FROM grant_convention c
             WHERE c.id = t.convention_id AND c.post_id = @postId AND t.convention_id = @conventionId AND t.seq = @seq
               AND (t.received_on IS NULL OR t.received_on = @receivedOn)
            RETURNING t.seq, t.amount_eur AS Amount, t.expected_on AS ExpectedOn, t.received_on AS ReceivedOn
            """, args, tx, cancellationToken: ct));
        if (updated is not null)
        {
            using var counted = EngineMetrics.Begin();
            if (instance is { } running)
                await engine.SignalAsync(conn, tx, new SignalRequest(running, nameof(PostTrigger.TrancheReceived), new JsonObject
                {
                    ["conventionId"] = conventionId.ToString(), ["seq"] = seq, ["receivedOn"] = WorkflowJson.IsoDate(receivedOn),
                }, actor, $"tranche:{conventionId}:{seq}"), ct);
            await tx.CommitAsync(ct);
            counted.Committed();
            return new TrancheReceiptResult(new TrancheView(updated.Seq, updated.Amount, updated.ExpectedOn, updated.ReceivedOn), null);
        }
        var already = await conn.QuerySingleOrDefaultAsync<DateOnly?>(new CommandDefinition("""
            SELECT t.received_on FROM grant_tranche t JOIN grant_convention c ON c.id = t.convention_id
             WHERE c.post_id = @postId AND t.convention_id = @conventionId AND t.seq = @seq
            """, new { postId, conventionId, seq }, tx, cancellationToken: ct));
        return new TrancheReceiptResult(null, already);
    }

    sealed record TrancheRow
    {
        public int Seq { get; init; }
        public decimal Amount { get; init; }
        public DateOnly ExpectedOn { get; init; }
        public DateOnly? ReceivedOn { get; init; }
    }
}

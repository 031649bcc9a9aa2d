using System.Text.Json.Nodes;
using CareerPath.Workflows.Storage;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record SweepResult(int Claimed, int Fired, int Ignored, int Failed);

/// <summary>
/// Fires due timers. Claims them in batches with FOR UPDATE SKIP LOCKED, so several nodes share
/// the work without waiting on each other, locks their instances (skipping one a signal holds right
/// now) and commits a whole batch at once. A timer whose transition throws becomes an incident and
/// the others go on; if the batch fails in PostgreSQL, it is redone one timer at a time, each in a savepoint.
/// </summary>
public sealed class Sweeper(WorkflowEngine engine, ILogger<Sweeper>? log = null)
{
    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;

    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// Transitions per round trip within a batch: the engine computes the next chunk while PostgreSQL writes this one.
    /// Each chunk costs a dozen statements, so chunks stay large enough for those to be noise.
    /// </summary>
    public int ChunkSize { get; init; } = WorkflowEngine.ChunkSize;

    sealed record DueTimer
    {
        public long Id { get; init; }
        public Guid InstanceId { get; init; }
        public string Name { get; init; } = "";
        public string Trigger { get; init; } = "";
        public DateOnly DueOn { get; init; }
    }

    /// <summary>
    /// One batch: the due timers (at the engine's current time) that no other node holds. The
    /// earliest pending timer of each instance fires in this round (its next one in a later round,
    /// so each instance's timers keep their order); all their transitions go to PostgreSQL in
    /// one commit, in chunks of <see cref="ChunkSize"/> (one round trip each, the next chunk computed
    /// while PostgreSQL writes the one before: <see cref="ChunkedWrites"/>). The effects that must read first (the audit chain, signals to
    /// other instances) follow for the whole batch, wave by wave; a transition that starts another
    /// instance follows one by one. If anything fails, the round is redone one timer at a time.
    /// </summary>
    public async Task<SweepResult> SweepOnceAsync(CancellationToken ct = default)
    {
        var now = engine.Time.GetUtcNow();
        await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        using var counted = EngineMetrics.Begin();
        var due = await ClaimAsync(conn, tx, now, ct);
        var rows = (await conn.QueryAsync<InstanceRow>(new CommandDefinition(
                $"{WorkflowEngine.SelectInstance} WHERE id = ANY(@ids) FOR UPDATE SKIP LOCKED",
                new { ids = due.Select(t => t.InstanceId).ToArray() }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Id);

        var records = await engine.ReadRecordsAsync(conn, tx, rows.Values.Where(r => r.ClosedAt is null).ToList(), ct);
        int fired = 0, ignored = 0, failed = 0;
        // Every transition's rows by kind, a statement per kind for each chunk of the batch, the next chunk computed while
        // PostgreSQL writes the one before; incidents (rare) as statements of their own, in their chunk.
        var chunks = new ChunkedWrites(conn, tx, ChunkSize);
        var oneByOne = new List<DueTimer>();
        try
        {
            foreach (var timer in due)
            {
                // A signal holds the instance right now: the timer waits for the next sweep.
                if (!rows.TryGetValue(timer.InstanceId, out var row)) continue;
                if (row.ClosedAt is not null)
                {
                    chunks.Writes.MarkTimer(timer.Id, "Ignored", now);
                    ignored++;
                    continue;
                }
                WorkflowEngine.PreparedTransition transition;
                try
                {
                    transition = engine.Prepare(row, Request(timer, row), 0, timer.Id, records.GetValueOrDefault(row.Id));
                }
                catch (TriggerNotPermittedException e)
                {
                    chunks.Writes.MarkTimer(timer.Id, "Ignored", now);
                    _log.LogWarning("Timer {Timer} ({Name}) of {Instance} ignored: {Message}", timer.Id, timer.Name, timer.InstanceId, e.Message);
                    ignored++;
                    continue;
                }
                catch (Exception e) when (!IsBroken(e))
                {
                    // Whatever the definition or its data throws: this timer becomes an incident, the others go on.
                    chunks.Writes.MarkTimer(timer.Id, "Failed", now);
                    chunks.AddCommand(Incidents.Command(timer.InstanceId, "timer", timer.Id.ToString(), $"{timer.Name}: {e.Message}", 1, now));
                    _log.LogError(e, "Timer {Timer} ({Name}) of {Instance} failed", timer.Id, timer.Name, timer.InstanceId);
                    failed++;
                    continue;
                }
                if (transition.StartsInstances)
                {
                    oneByOne.Add(timer);
                    continue;
                }
                await chunks.AddAsync(transition, ct);
                fired++;
            }
            await chunks.CompleteAsync(ct);
            // The audit chain and the signals to other instances, for the whole batch at once.
            await engine.ApplyReadingEffectsAsync(conn, tx, chunks.All, ct);
        }
        catch (Exception e) when (!IsBroken(e))
        {
            // PostgreSQL refused a row, an instance moved meanwhile, a signalled instance's definition threw or
            // started another instance: each timer in a savepoint of its own finds which, and the others go on.
            _log.LogWarning(e, "A batch of {Count} timers failed; sweeping them one at a time", due.Count);
            await chunks.DrainAsync();
            await tx.RollbackAsync(ct);
            return await SweepCarefullyAsync(ct);
        }
        finally
        {
            // A broken connection or a cancellation: no chunk may still be in flight when the connection is disposed.
            await chunks.DrainAsync();
        }
        var prepared = chunks.All;
        EngineMetrics.Transitions(prepared.Select(t => t.Row.DefinitionId), firedByTimer: true);
        foreach (var timer in oneByOne)
        {
            var r = await FireOneAsync(conn, tx, timer, now, ct);
            (fired, ignored, failed) = (fired + r.Fired, ignored + r.Ignored, failed + r.Failed);
        }
        await tx.CommitAsync(ct);
        counted.Committed();
        return new SweepResult(due.Count, fired, ignored, failed);
    }

    async Task<List<DueTimer>> ClaimAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now, CancellationToken ct) =>
        (await conn.QueryAsync<DueTimer>(new CommandDefinition("""
            SELECT id, instance_id AS InstanceId, name, trigger, due_on AS DueOn FROM workflow_timer t
             WHERE fired_at IS NULL AND due_at <= @now
               -- Only an instance's earliest pending timer: another sweeper holding the one before it
               -- (locked, still pending) keeps this one back, so an instance's timers fire in order.
               AND NOT EXISTS (SELECT 1 FROM workflow_timer e
                                WHERE e.instance_id = t.instance_id AND e.fired_at IS NULL
                                  AND (e.due_at, e.ordinal, e.id) < (t.due_at, t.ordinal, t.id))
             ORDER BY due_at, ordinal, id
             LIMIT @batch
             FOR UPDATE SKIP LOCKED
            """, new { now, batch = BatchSize }, tx, cancellationToken: ct))).ToList();

    /// <summary>Cancellation, or a connection that failed: nothing more can be written in this transaction.</summary>
    static bool IsBroken(Exception e) => e is OperationCanceledException || (e is NpgsqlException && e is not PostgresException);

    static SignalRequest Request(DueTimer timer, InstanceRow row) => new(row.Id, timer.Trigger,
        new JsonObject { ["timer"] = timer.Name, ["dueOn"] = timer.DueOn.ToString("yyyy-MM-dd") }, WorkflowEngine.TimerActor, $"timer:{timer.Id}");

    /// <summary>The slow, sure path: each timer in its own savepoint, two round trips each.</summary>
    async Task<SweepResult> SweepCarefullyAsync(CancellationToken ct)
    {
        var now = engine.Time.GetUtcNow();
        await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        using var counted = EngineMetrics.Begin();
        var due = await ClaimAsync(conn, tx, now, ct);
        int fired = 0, ignored = 0, failed = 0;
        foreach (var timer in due)
        {
            var r = await FireOneAsync(conn, tx, timer, now, ct);
            (fired, ignored, failed) = (fired + r.Fired, ignored + r.Ignored, failed + r.Failed);
        }
        await tx.CommitAsync(ct);
        counted.Committed();
        return new SweepResult(due.Count, fired, ignored, failed);
    }

    /// <summary>One timer in its own savepoint: a failure undoes this transition only.</summary>
    async Task<SweepResult> FireOneAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DueTimer timer, DateTimeOffset now, CancellationToken ct)
    {
        const string savepoint = "timer";
        InstanceRow? row;
        bool stillDue;
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            Sql.Add(batch, $"SAVEPOINT {savepoint}");
            Sql.Add(batch, $"{WorkflowEngine.SelectInstance} WHERE id = $1 FOR UPDATE SKIP LOCKED", timer.InstanceId);
            Sql.Add(batch, "SELECT fired_at IS NULL FROM workflow_timer WHERE id = $1", timer.Id);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            row = reader.Parse<InstanceRow>().FirstOrDefault();
            await reader.NextResultAsync(ct);
            stillDue = await reader.ReadAsync(ct) && reader.GetBoolean(0);
        }
        try
        {
            // An earlier timer of this batch moved the instance on and removed this one,
            // or a signal holds the instance right now: then it waits for the next sweep.
            if (!stillDue || row is null)
            {
                await tx.ReleaseAsync(savepoint, ct);
                return new(1, 0, 0, 0);
            }
            if (row.ClosedAt is not null)
            {
                await MarkAsync(conn, tx, timer.Id, "Ignored", now, savepoint);
                return new(1, 0, 1, 0);
            }
            await engine.ApplyAsync(conn, tx, row, Request(timer, row), 0, ct, new WorkflowEngine.TimerFiring(timer.Id, savepoint));
            return new(1, 1, 0, 0);
        }
        catch (TriggerNotPermittedException e)
        {
            await tx.RollbackAsync(savepoint, ct);
            await MarkAsync(conn, tx, timer.Id, "Ignored", now, savepoint);
            _log.LogWarning("Timer {Timer} ({Name}) of {Instance} ignored: {Message}", timer.Id, timer.Name, timer.InstanceId, e.Message);
            return new(1, 0, 1, 0);
        }
        catch (Exception e) when (e is WorkflowConflictException
            or PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
        {
            // A signal changed an instance this transition touches: the timer stays due for the next sweep.
            await tx.RollbackAsync(savepoint, ct);
            return new(1, 0, 0, 0);
        }
        catch (Exception e) when (!IsBroken(e))
        {
            await tx.RollbackAsync(savepoint, ct);
            await MarkAsync(conn, tx, timer.Id, "Failed", now, savepoint);
            await using var incident = new NpgsqlBatch(conn, tx) { BatchCommands = { Incidents.Command(timer.InstanceId, "timer", timer.Id.ToString(), $"{timer.Name}: {e.Message}", 1, now) } };
            await incident.ExecuteNonQueryAsync(ct);
            _log.LogError(e, "Timer {Timer} ({Name}) of {Instance} failed", timer.Id, timer.Name, timer.InstanceId);
            return new(1, 0, 0, 1);
        }
    }

    /// <summary>
    /// Sweeps until nothing is due: what a scheduled run does, and what tests call after moving the clock.
    /// With <paramref name="parallelism"/> above 1, as many loops share the burst (SKIP LOCKED keeps them
    /// apart), so that the engine and PostgreSQL work on both cores at once.
    /// </summary>
    public async Task<SweepResult> SweepAllDueAsync(CancellationToken ct = default, int parallelism = 1)
    {
        if (parallelism > 1)
        {
            var loops = await Task.WhenAll(Enumerable.Range(0, parallelism).Select(_ => Task.Run(() => SweepAllDueAsync(ct), ct)));
            return new SweepResult(loops.Sum(r => r.Claimed), loops.Sum(r => r.Fired), loops.Sum(r => r.Ignored), loops.Sum(r => r.Failed));
        }
        var total = new SweepResult(0, 0, 0, 0);
        while (true)
        {
            var r = await SweepOnceAsync(ct);
            total = new SweepResult(total.Claimed + r.Claimed, total.Fired + r.Fired, total.Ignored + r.Ignored, total.Failed + r.Failed);
            // Nothing claimed, or only timers that lost a race to a signal: try again on the next sweep.
            if (r.Fired + r.Ignored + r.Failed == 0) return total;
        }
    }

    static async Task MarkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string outcome, DateTimeOffset now, string savepoint)
    {
        // The same statement as a batch's marks (TransitionWrites), with one timer.
        var mark = new TransitionWrites();
        mark.MarkTimer(id, outcome, now);
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var command in mark.Commands()) batch.BatchCommands.Add(command);
        Sql.Add(batch, $"RELEASE SAVEPOINT {savepoint}");
        await batch.ExecuteNonQueryAsync();
    }
}

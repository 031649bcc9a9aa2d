using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record SweepResult(int Claimed, int Fired, int Ignored, int Failed);

/// <summary>
/// Fires due timers. Claims them in batches with FOR UPDATE SKIP LOCKED, so several nodes share
/// the work without waiting on each other, and commits a whole batch at once; each timer runs in
/// a savepoint so that one failure does not undo the others.
/// </summary>
public sealed class Sweeper(WorkflowEngine engine, ILogger<Sweeper>? log = null)
{
    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;

    public int BatchSize { get; init; } = 200;

    /// <summary>One batch: the due timers (at the engine's current time) that no other node holds.</summary>
    public async Task<SweepResult> SweepOnceAsync(CancellationToken ct = default)
    {
        var now = engine.Time.GetUtcNow();
        await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = (await conn.QueryAsync<(long Id, Guid InstanceId, string Name, string Trigger)>(new CommandDefinition("""
            SELECT id, instance_id, name, trigger FROM workflow_timer
             WHERE fired_at IS NULL AND due_at <= @now
             ORDER BY due_at, ordinal, id
             LIMIT @batch
             FOR UPDATE SKIP LOCKED
            """, new { now, batch = BatchSize }, tx, cancellationToken: ct))).ToList();
        int fired = 0, ignored = 0, failed = 0;
        foreach (var timer in due)
        {
            await tx.SaveAsync("timer", ct);
            try
            {
                // An earlier timer of this batch may have moved the instance on and removed this one.
                var marked = await conn.ExecuteAsync(
                    "UPDATE workflow_timer SET fired_at = @now, outcome = 'Fired' WHERE id = @id AND fired_at IS NULL",
                    new { now, id = timer.Id }, tx);
                if (marked == 0) { await tx.ReleaseAsync("timer", ct); continue; }
                var row = await WorkflowEngine.LoadAsync(conn, tx, timer.InstanceId, ct);
                if (row is null || row.ClosedAt is not null)
                {
                    await MarkAsync(conn, tx, timer.Id, "Ignored", now);
                    ignored++;
                }
                else
                {
                    await engine.ApplyAsync(conn, tx, row, new SignalRequest(row.Id, timer.Trigger,
                        new JsonObject { ["timer"] = timer.Name }, WorkflowEngine.TimerActor, $"timer:{timer.Id}"), 0, ct);
                    fired++;
                }
                await tx.ReleaseAsync("timer", ct);
            }
            catch (TriggerNotPermittedException e)
            {
                await tx.RollbackAsync("timer", ct);
                await MarkAsync(conn, tx, timer.Id, "Ignored", now);
                _log.LogWarning("Timer {Timer} ({Name}) of {Instance} ignored: {Message}", timer.Id, timer.Name, timer.InstanceId, e.Message);
                ignored++;
            }
            catch (WorkflowConflictException)
            {
                // A signal changed the instance meanwhile: the timer stays due for the next sweep.
                await tx.RollbackAsync("timer", ct);
            }
            catch (Exception e) when (e is WorkflowInputException or InvalidOperationException or PostgresException { SqlState: not PostgresErrorCodes.SerializationFailure })
            {
                await tx.RollbackAsync("timer", ct);
                await MarkAsync(conn, tx, timer.Id, "Failed", now);
                await Incidents.OpenAsync(conn, tx, timer.InstanceId, "timer", timer.Id.ToString(), $"{timer.Name}: {e.Message}", 1, now);
                _log.LogError(e, "Timer {Timer} ({Name}) of {Instance} failed", timer.Id, timer.Name, timer.InstanceId);
                failed++;
            }
        }
        await tx.CommitAsync(ct);
        return new SweepResult(due.Count, fired, ignored, failed);
    }

    /// <summary>Sweeps until nothing is due: what a scheduled run does, and what tests call after moving the clock.</summary>
    public async Task<SweepResult> SweepAllDueAsync(CancellationToken ct = default)
    {
        var total = new SweepResult(0, 0, 0, 0);
        while (true)
        {
            var r = await SweepOnceAsync(ct);
            total = new SweepResult(total.Claimed + r.Claimed, total.Fired + r.Fired, total.Ignored + r.Ignored, total.Failed + r.Failed);
            // Nothing claimed, or only timers that lost a race to a signal: try again on the next sweep.
            if (r.Fired + r.Ignored + r.Failed == 0) return total;
        }
    }

    static Task MarkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string outcome, DateTimeOffset now) =>
        conn.ExecuteAsync("UPDATE workflow_timer SET fired_at = @now, outcome = @outcome WHERE id = @id",
            new { now, outcome, id }, tx);
}

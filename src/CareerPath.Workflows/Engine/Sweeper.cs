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
/// the work without waiting on each other, and commits a whole batch at once. Each timer runs in a
/// savepoint, so one failure does not undo the others, and costs two round trips: one to lock its
/// instance (skipping an instance a signal holds right now), one for the whole transition.
/// </summary>
public sealed class Sweeper(WorkflowEngine engine, ILogger<Sweeper>? log = null)
{
    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;

    public int BatchSize { get; init; } = 500;

    sealed record DueTimer
    {
        public long Id { get; init; }
        public Guid InstanceId { get; init; }
        public string Name { get; init; } = "";
        public string Trigger { get; init; } = "";
        public DateOnly DueOn { get; init; }
    }

    /// <summary>One batch: the due timers (at the engine's current time) that no other node holds.</summary>
    public async Task<SweepResult> SweepOnceAsync(CancellationToken ct = default)
    {
        var now = engine.Time.GetUtcNow();
        await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = (await conn.QueryAsync<DueTimer>(new CommandDefinition("""
            SELECT id, instance_id AS InstanceId, name, trigger, due_on AS DueOn FROM workflow_timer
             WHERE fired_at IS NULL AND due_at <= @now
             ORDER BY due_at, ordinal, id
             LIMIT @batch
             FOR UPDATE SKIP LOCKED
            """, new { now, batch = BatchSize }, tx, cancellationToken: ct))).ToList();
        int fired = 0, ignored = 0, failed = 0;
        foreach (var timer in due)
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
                    continue;
                }
                if (row.ClosedAt is not null)
                {
                    await MarkAsync(conn, tx, timer.Id, "Ignored", now, savepoint);
                    ignored++;
                    continue;
                }
                await engine.ApplyAsync(conn, tx, row, new SignalRequest(row.Id, timer.Trigger,
                    new JsonObject { ["timer"] = timer.Name, ["dueOn"] = timer.DueOn.ToString("yyyy-MM-dd") }, WorkflowEngine.TimerActor, $"timer:{timer.Id}"), 0, ct,
                    new WorkflowEngine.TimerFiring(timer.Id, savepoint));
                fired++;
            }
            catch (TriggerNotPermittedException e)
            {
                await tx.RollbackAsync(savepoint, ct);
                await MarkAsync(conn, tx, timer.Id, "Ignored", now, savepoint);
                _log.LogWarning("Timer {Timer} ({Name}) of {Instance} ignored: {Message}", timer.Id, timer.Name, timer.InstanceId, e.Message);
                ignored++;
            }
            catch (Exception e) when (e is WorkflowConflictException
                or PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
            {
                // A signal changed an instance this transition touches: the timer stays due for the next sweep.
                await tx.RollbackAsync(savepoint, ct);
            }
            catch (Exception e) when (e is WorkflowInputException or InvalidOperationException or PostgresException)
            {
                await tx.RollbackAsync(savepoint, ct);
                await MarkAsync(conn, tx, timer.Id, "Failed", now, savepoint);
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

    static async Task MarkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string outcome, DateTimeOffset now, string savepoint)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        Sql.Add(batch, "UPDATE workflow_timer SET fired_at = $1, outcome = $2 WHERE id = $3", now, outcome, id);
        Sql.Add(batch, $"RELEASE SAVEPOINT {savepoint}");
        await batch.ExecuteNonQueryAsync();
    }
}

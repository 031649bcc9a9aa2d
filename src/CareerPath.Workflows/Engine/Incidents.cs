using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record IncidentRow
{
    public Guid Id { get; init; }
    public Guid? InstanceId { get; init; }
    public string Effect { get; init; } = "";
    public string EffectRef { get; init; } = "";
    public string Error { get; init; } = "";
    public int Attempts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public string? ResolvedBy { get; init; }
}

/// <summary>
/// An effect that failed after its retries, kept visible until an administrator retries it.
/// Retrying puts the effect back in its queue (an outbox message back to Pending, a timer back to due).
/// An SMTP outage ("smtp", no instance) is one incident for the whole outage: it closes itself when
/// delivery resumes; retrying it asks for a probe at the next delivery run.
/// </summary>
public static class Incidents
{
    /// <summary>The effect of an outage of the mail server (MailCircuit), as opposed to one message's ("outbox").</summary>
    public const string SmtpEffect = "smtp";

    public static Npgsql.NpgsqlBatchCommand Command(Guid? instanceId, string effect, string effectRef, string error, int attempts, DateTimeOffset now) =>
        Command(Guid.CreateVersion7(now), instanceId, effect, effectRef, error, attempts, now);

    /// <summary>The same, with an id the caller keeps (to link the incident to what it is about).</summary>
    public static Npgsql.NpgsqlBatchCommand Command(Guid id, Guid? instanceId, string effect, string effectRef, string error, int attempts, DateTimeOffset now) =>
        Storage.Sql.Command("""
            INSERT INTO incident (id, instance_id, effect, effect_ref, error, attempts, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, id, instanceId, effect, effectRef, error, attempts, now);

    public static async Task<IReadOnlyList<IncidentRow>> ListAsync(NpgsqlDataSource db, bool openOnly = true, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<IncidentRow>($"""
            SELECT id, instance_id AS InstanceId, effect, effect_ref AS EffectRef, error, attempts, created_at AS CreatedAt,
                   resolved_at AS ResolvedAt, resolved_by AS ResolvedBy
              FROM incident {(openOnly ? "WHERE resolved_at IS NULL" : "")} ORDER BY created_at
            """)).ToList();
    }

    /// <summary>Requeues the failed effect and closes the incident, in one transaction.</summary>
    public static async Task RetryAsync(NpgsqlDataSource db, Guid incidentId, string actor, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var incident = await conn.QuerySingleOrDefaultAsync<IncidentRow>("""
            SELECT id, instance_id AS InstanceId, effect, effect_ref AS EffectRef, error, attempts, created_at AS CreatedAt,
                   resolved_at AS ResolvedAt, resolved_by AS ResolvedBy
              FROM incident WHERE id = @incidentId FOR UPDATE
            """, new { incidentId }, tx) ?? throw new WorkflowNotFoundException($"L'incident {incidentId}");
        if (incident.ResolvedAt is not null) throw new WorkflowInputException($"L'incident {incidentId} est déjà résolu.");
        var requeued = incident.Effect switch
        {
            "timer" => await conn.ExecuteAsync(
                "UPDATE workflow_timer SET fired_at = NULL, outcome = NULL WHERE id = @id AND outcome = 'Failed'",
                new { id = long.Parse(incident.EffectRef) }, tx),
            "outbox" => await conn.ExecuteAsync(
                "UPDATE outbox_message SET status = 'Pending', attempts = 0, next_attempt_at = @now WHERE id = @id AND status = 'Failed'",
                new { id = Guid.Parse(incident.EffectRef), now }, tx),
            // The server may be back before the next probe: probe at the next run. If it is still down, the
            // outage, already longer than the threshold, gets a new incident at that probe.
            SmtpEffect => await conn.ExecuteAsync(
                "UPDATE mail_circuit SET next_probe_at = @now, incident_id = NULL WHERE id = 1 AND incident_id = @incidentId",
                new { incidentId, now }, tx),
            _ => throw new InvalidOperationException($"Unknown effect kind '{incident.Effect}'"),
        };
        if (requeued == 0) throw new WorkflowInputException($"L'effet de l'incident {incidentId} n'est plus en échec.");
        await conn.ExecuteAsync("UPDATE incident SET resolved_at = @now, resolved_by = @actor WHERE id = @incidentId",
            new { now, actor, incidentId }, tx);
        await tx.CommitAsync(ct);
    }
}

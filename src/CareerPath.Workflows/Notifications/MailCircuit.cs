using System.Globalization;
using CareerPath.Workflows.Engine;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Notifications;

public sealed record MailCircuitState
{
    public DateTimeOffset? UnreachableSince { get; init; }
    public DateTimeOffset? NextProbeAt { get; init; }
    public string? LastError { get; init; }
    public int FailedProbes { get; init; }
    public Guid? IncidentId { get; init; }
    public bool IsOpen => UnreachableSince is not null;
}

/// <summary>What a failed try did to the circuit: opened it (first failure of an outage), and/or opened the outage's incident.</summary>
public sealed record UnreachableOutcome(bool Opened, bool IncidentOpened, DateTimeOffset UnreachableSince);

/// <summary>
/// The mail server's state, shared by every node through the one row of <c>mail_circuit</c>. Closed: messages go.
/// Open (the server could not be reached): nobody sends, one node probes with one message per
/// <see cref="SmtpOptions.ProbeInterval"/>; after <see cref="SmtpOptions.OutageIncidentAfter"/> the outage becomes
/// one incident; the first message the server answers closes the circuit and resolves that incident.
/// Changes lock the row (FOR UPDATE), so of several nodes exactly one opens, and one closes.
/// </summary>
public static class MailCircuit
{
    const string Columns = """
        unreachable_since AS UnreachableSince, next_probe_at AS NextProbeAt, last_error AS LastError,
        failed_probes AS FailedProbes, incident_id AS IncidentId
        """;

    public static async Task<MailCircuitState> ReadAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<MailCircuitState>(new CommandDefinition($"SELECT {Columns} FROM mail_circuit WHERE id = 1", cancellationToken: ct));
    }

    /// <summary>True for the one caller (of all nodes) whose turn it is to probe; it moves the next probe on at once, even if its try dies with it.</summary>
    public static async Task<bool> TryClaimProbeAsync(NpgsqlDataSource db, DateTimeOffset now, TimeSpan interval, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE mail_circuit SET next_probe_at = @next
             WHERE id = 1 AND unreachable_since IS NOT NULL AND next_probe_at <= @now
            """, new { now, next = now + interval }, cancellationToken: ct)) == 1;
    }

    /// <summary>The server could not be reached: opens the circuit (or keeps it open), and opens the outage's incident once it has lasted long enough.</summary>
    public static async Task<UnreachableOutcome> RecordUnreachableAsync(NpgsqlConnection conn, DateTimeOffset now, string error, SmtpOptions options, CancellationToken ct = default)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        var state = await conn.QuerySingleAsync<MailCircuitState>(new CommandDefinition(
            $"SELECT {Columns} FROM mail_circuit WHERE id = 1 FOR UPDATE", transaction: tx, cancellationToken: ct));
        var since = state.UnreachableSince ?? now;
        var failed = state.FailedProbes + 1;
        var incidentId = state.IncidentId;
        var incidentOpened = false;
        if (incidentId is null && now - since >= options.OutageIncidentAfter)
        {
            incidentId = Guid.CreateVersion7(now);
            await using var batch = new NpgsqlBatch(conn, tx)
            {
                BatchCommands = { Incidents.Command(incidentId.Value, null, Incidents.SmtpEffect, "mail_circuit", Describe(error, since), failed, now) },
            };
            await batch.ExecuteNonQueryAsync(ct);
            incidentOpened = true;
        }
        else if (incidentId is not null)
        {
            // The open incident shows the latest failure and how many tries failed.
            await conn.ExecuteAsync(new CommandDefinition("UPDATE incident SET error = @error, attempts = @failed WHERE id = @incidentId AND resolved_at IS NULL",
                new { error = Describe(error, since), failed, incidentId }, tx, cancellationToken: ct));
        }
        // A try that failed after another node's probe claim keeps the later probe time.
        var next = state.NextProbeAt is { } claimed && claimed > now ? claimed : now + options.ProbeInterval;
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE mail_circuit SET unreachable_since = @since, next_probe_at = @next, last_error = @error, failed_probes = @failed, incident_id = @incidentId
             WHERE id = 1
            """, new { since, next, error, failed, incidentId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new UnreachableOutcome(state.UnreachableSince is null, incidentOpened, since);
    }

    /// <summary>
    /// The server answered: closes the circuit and resolves the outage's incident, in the caller's transaction
    /// (the one that records the message). Returns when the outage began, or null when the circuit was closed already.
    /// </summary>
    public static async Task<DateTimeOffset?> CloseAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now, CancellationToken ct = default)
    {
        var state = await conn.QuerySingleAsync<MailCircuitState>(new CommandDefinition(
            $"SELECT {Columns} FROM mail_circuit WHERE id = 1 FOR UPDATE", transaction: tx, cancellationToken: ct));
        if (!state.IsOpen) return null;
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE mail_circuit SET unreachable_since = NULL, next_probe_at = NULL, last_error = NULL, failed_probes = 0, incident_id = NULL WHERE id = 1
            """, transaction: tx, cancellationToken: ct));
        if (state.IncidentId is { } incidentId)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE incident SET resolved_at = @now, resolved_by = 'system' WHERE id = @incidentId AND resolved_at IS NULL",
                new { now, incidentId }, tx, cancellationToken: ct));
        return state.UnreachableSince;
    }

    static string Describe(string error, DateTimeOffset since) =>
        $"Serveur de messagerie injoignable depuis le {since.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC ; aucun e-mail n'est perdu, l'envoi reprendra de lui-même. Dernière erreur : {error}";
}

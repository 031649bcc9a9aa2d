using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>What became of an administrator's request to send a failed message again.</summary>
public enum ResendOutcome { Resent, NotFound, NotFailed }

/// <summary>
/// The administrator's list of the e-mails the workflows wrote, newest first, with their delivery status;
/// and sending a failed one again.
/// </summary>
public sealed class OutboxQueries(NpgsqlDataSource db)
{
    static OutboxQueries() => DapperTypes.Register();

    public static readonly IReadOnlySet<string> Statuses = new HashSet<string> { "Pending", "Sent", "Failed" };

    /// <summary>
    /// A page of messages, newest first by (created_at, id), optionally of one status; null when the cursor
    /// is not one of this list. A message written while a client pages lands before its first page, never in a later one.
    /// </summary>
    public async Task<Page<OutboxMessageView>?> ListAsync(string? status, PageRequest page, CancellationToken ct = default)
    {
        (DateTimeOffset At, Guid Id)? before = null;
        if (page.After is not null)
        {
            if (!TimeAndId.TryParse(Cursor.TryDecode(page.After, "outbox"), out var key)) return null;
            before = key;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<OutboxMessageView>(new CommandDefinition("""
            SELECT id, instance_id AS InstanceId, created_at AS CreatedAt, template_id AS TemplateId, recipient_role AS RecipientRole,
                   recipient_address AS RecipientAddress, status, attempts, next_attempt_at AS NextAttemptAt, sent_at AS SentAt, last_error AS LastError
              FROM outbox_message
             WHERE (@status::text IS NULL OR status = @status)
               AND (@beforeAt::timestamptz IS NULL OR (created_at, id) < (@beforeAt, @beforeId))
             ORDER BY created_at DESC, id DESC
             LIMIT @take
            """, new { status, beforeAt = before?.At, beforeId = before?.Id, take = page.Take }, cancellationToken: ct))).ToList();
        return Page<OutboxMessageView>.From(rows, page.Limit, m => Cursor.Key("outbox", TimeAndId.Format(m.CreatedAt, m.Id)));
    }

    /// <summary>
    /// Puts a failed message back in the queue, as new: Pending, due now, with the dispatcher's full set of
    /// attempts again (its last error stays until it is sent). The open incident the dispatcher raised when
    /// it gave up on the message is closed in the same transaction, by the same person: it is being dealt with.
    /// Only a Failed message: a pending one is already queued, and a sent one is not sent twice.
    /// </summary>
    public async Task<(ResendOutcome Outcome, string? Status)> ResendAsync(Guid id, string actor, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var status = await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT status FROM outbox_message WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct));
        if (status is null) return (ResendOutcome.NotFound, null);
        if (status != "Failed") return (ResendOutcome.NotFailed, status);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE outbox_message SET status = 'Pending', attempts = 0, next_attempt_at = @now WHERE id = @id
            """, new { id, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE incident SET resolved_at = @now, resolved_by = @actor
             WHERE effect = 'outbox' AND effect_ref = @ref AND resolved_at IS NULL
            """, new { now, actor, @ref = id.ToString() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (ResendOutcome.Resent, status);
    }
}

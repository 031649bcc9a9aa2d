using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>The administrator's list of the e-mails the workflows wrote, newest first, with their delivery status.</summary>
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
}

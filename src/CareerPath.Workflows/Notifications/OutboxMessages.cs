using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Notifications;

public sealed record OutboxMessageView
{
    public Guid Id { get; init; }
    public Guid? InstanceId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string TemplateId { get; init; } = "";
    public string RecipientRole { get; init; } = "";
    public string RecipientAddress { get; init; } = "";
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? LastError { get; init; }
}

/// <summary>The administrator's view of recent messages and their delivery status (the API endpoint maps this).</summary>
public static class OutboxMessages
{
    public static async Task<IReadOnlyList<OutboxMessageView>> RecentAsync(NpgsqlDataSource db, int limit = 100, string? status = null, CancellationToken ct = default)
    {
        DapperTypes.Register();
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OutboxMessageView>(new CommandDefinition("""
            SELECT id, instance_id AS InstanceId, created_at AS CreatedAt, template_id AS TemplateId, recipient_role AS RecipientRole,
                   recipient_address AS RecipientAddress, status, attempts, next_attempt_at AS NextAttemptAt, sent_at AS SentAt, last_error AS LastError
              FROM outbox_message
             WHERE @status IS NULL OR status = @status
             ORDER BY created_at DESC, id DESC
             LIMIT @limit
            """, new { status, limit = Math.Clamp(limit, 1, 1000) }, cancellationToken: ct))).ToList();
    }
}

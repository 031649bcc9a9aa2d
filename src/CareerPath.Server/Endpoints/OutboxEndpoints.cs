using CareerPath.Server.Security;
using Dapper;
using CareerPath.Workflows.Notifications;
using Npgsql;

namespace CareerPath.Server.Endpoints;

/// <summary>Administrators: the e-mails written by the workflows and their delivery status.</summary>
public static class OutboxEndpoints
{
    public static void MapOutbox(this RouteGroupBuilder api)
    {
        api.MapGet("/outbox", async (string? status, int? limit, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Range("limit", limit, 1, 1000, required: false);
            if (status is not null and not ("Pending" or "Sent" or "Failed")) check.Add("status", "Valeur inconnue : attendu Pending, Sent ou Failed.");
            if (!check.Ok) return check.Problem();
            var messages = await OutboxMessages.RecentAsync(db, limit ?? 100, status, ct);
            // The messages are about advisors (their names, addresses): the log says whose.
            await using var conn = await db.OpenConnectionAsync(ct);
            var advisors = (await conn.QueryAsync<Guid>("""
                SELECT DISTINCT (data->'advisor'->>'id')::uuid FROM workflow_instance
                 WHERE id = ANY(@ids) AND definition_id = 'advisor-contract'
                """, new { ids = messages.Where(m => m.InstanceId is not null).Select(m => m.InstanceId!.Value).Distinct().ToArray() })).ToList();
            await log.RecordAsync(http.Caller(), "outbox.list", "outbox", null, messages.Count, ct, advisors);
            return Results.Ok(messages);
        }).WithTags("Administration").RequireAuthorization(Policies.Admin);
    }
}

using System.Text.Json.Nodes;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record AuditEntryView(long Seq, DateTimeOffset At, string ActorRole, string Kind, JsonNode? Details, string PrevHash, string Hash);

/// <summary>
/// The hash-chained decision log, for union auditors and administrators. An auditor sees each entry
/// with pseudonyms in place of the ids (the hashes are of the stored text, so they check the chain
/// through the verification endpoint); decisions carry no name nor free text to begin with.
/// </summary>
public static class DecisionAuditEndpoints
{
    static readonly (string Field, char Prefix)[] Ids = [("advisorId", 'A'), ("contractId", 'C'), ("structureId", 'S')];

    public static void MapDecisionAudit(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit/decisions").WithTags("Journal des décisions").RequireAuthorization(Policies.Audit);

        group.MapGet("/", async (NpgsqlDataSource db, Pseudonyms pseudonyms, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var entries = await DecisionAuditLog.ReadAsync(db, ct);
            var p = await pseudonyms.ForRequestAsync(ct);
            await log.RecordAsync(caller, "audit.decisions", "decision", null, entries.Count, ct);
            return Results.Ok(entries.Select(e =>
            {
                var details = JsonNode.Parse(e.Details);
                if (!caller.IsAdmin && details is JsonObject o)
                    foreach (var (field, prefix) in Ids)
                        if (o[field]?.GetValue<string>() is { } text && Guid.TryParse(text, out var id)) o[field] = p(prefix, id);
                // The stored actor is a role already; only the role part is ever shown.
                return new AuditEntryView(e.Seq, e.At, WorkflowEngine.ActorRole(e.Actor), e.Kind, details, e.PrevHash, e.Hash);
            }));
        });

        group.MapGet("/verification", async (NpgsqlDataSource db, CancellationToken ct) => Results.Ok(await DecisionAuditLog.VerifyAsync(db, ct)));
    }
}

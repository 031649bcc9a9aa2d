using System.Text.Json.Nodes;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

/// <param name="At">the moment for an administrator; the month (yyyy-MM) for a union auditor.</param>
public sealed record AuditEntryView(long Seq, string At, string ActorRole, string Kind, JsonNode? Details, string PrevHash, string Hash);

/// <summary>
/// The hash-chained decision log, for union auditors and administrators. An auditor sees each entry
/// with pseudonyms in place of the advisor and contract ids, no structure, and months for days (the
/// hashes are of the stored text, so they check the chain through the verification endpoint);
/// decisions carry no name nor free text to begin with.
/// </summary>
public static class DecisionAuditEndpoints
{
    static readonly (string Field, char Prefix)[] Ids = [("advisorId", 'A'), ("contractId", 'C')];
    static readonly string[] Dates = ["decidedOn", "notifiedOn", "noticeDeadline", "newEnd"];

    public static void MapDecisionAudit(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit/decisions").WithTags("Journal des décisions").RequireAuthorization(Policies.Audit);

        group.MapGet("/", async Task<Results<Ok<Page<AuditEntryView>>, ValidationProblem>> ([AsParameters] PageQuery paging, DecisionAuditQueries audit,
            Pseudonyms pseudonyms, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            if (await audit.ListAsync(page, ct) is not { } entries) return Common.InvalidCursor();
            var p = await pseudonyms.ForRequestAsync(ct);
            var advisors = entries.Items.Select(e => JsonNode.Parse(e.Details)?["advisorId"]?.GetValue<string>())
                .Select(a => Guid.TryParse(a, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
            await log.RecordAsync(caller, "audit.decisions", "advisor", null, entries.Items.Count, ct, advisors);
            return TypedResults.Ok(new Page<AuditEntryView>(entries.Items.Select(e =>
            {
                var details = JsonNode.Parse(e.Details);
                if (!caller.IsAdmin && details is JsonObject o)
                {
                    // For a union: who is pseudonymised, the employer is left out (one decision in a small
                    // structure is one person) and days become months.
                    foreach (var (field, prefix) in Ids)
                        if (o[field]?.GetValue<string>() is { } text && Guid.TryParse(text, out var id)) o[field] = p(prefix, id);
                    o.Remove("structureId");
                    // The rule names the kind of employer (public, contrat de projet): it would split the counts.
                    o.Remove("noticeRule");
                    foreach (var field in Dates)
                        if (o[field]?.GetValue<string>() is { Length: 10 } day) o[field] = day[..7];
                }
                // The stored actor is a role already; only the role part is ever shown.
                var at = caller.IsAdmin ? e.At.ToString("O") : e.At.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
                return new AuditEntryView(e.Seq, at, WorkflowEngine.ActorRole(e.Actor), e.Kind, details, e.PrevHash, e.Hash);
            }).ToList(), entries.Next));
        }).WithName("listDecisionAudit").WithSummary("Lire le journal chaîné des décisions");

        group.MapGet("/verification", async Task<Ok<AuditVerification>> (DecisionAuditQueries audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.VerifyAsync(ct)))
            .WithName("verifyDecisionAudit").WithSummary("Vérifier l'intégrité du journal des décisions");
    }
}

using System.Text.Json.Nodes;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

/// <param name="At">the moment for an administrator; the month (yyyy-MM) for a union auditor.</param>
public sealed record AuditEntryView(long Seq, string At, string ActorRole, string Kind, JsonNode? Details, string PrevHash, string Hash);

/// <summary>
/// The hash-chained decision log, for union auditors and administrators, as <see cref="DecisionLog"/> gives it
/// (pseudonyms, months and no structure for an auditor); the page /journal-des-decisions reads the same.
/// </summary>
public static class DecisionAuditEndpoints
{
    public static void MapDecisionAudit(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit/decisions").WithTags("Journal des décisions").RequireAuthorization(Policies.Audit);

        group.MapGet("/", async Task<Results<Ok<Page<AuditEntryView>>, ValidationProblem>> ([AsParameters] PageQuery paging, DecisionLog decisions,
            AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            if (await decisions.ReadAsync(caller, page, ct) is not { } read) return Common.InvalidCursor();
            await log.RecordAsync(caller, "audit.decisions", "advisor", null, read.Entries.Items.Count, ct, read.Advisors);
            return TypedResults.Ok(read.Entries);
        }).WithName("listDecisionAudit").WithSummary("Lire le journal chaîné des décisions");

        group.MapGet("/verification", async Task<Ok<AuditVerification>> (DecisionLog decisions, CancellationToken ct) =>
            TypedResults.Ok(await decisions.VerifyAsync(ct)))
            .WithName("verifyDecisionAudit").WithSummary("Vérifier l'intégrité du journal des décisions");
    }
}

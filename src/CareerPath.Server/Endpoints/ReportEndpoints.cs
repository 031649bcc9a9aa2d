using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

/// <summary>
/// What became of advisors, as counts of people: the same report for every role that may read it
/// (auditors see all structures, HR managers theirs), with the cells that could single someone out
/// suppressed (ReportQueries). The page /resultats reads the same figures, cut by cohort and structure kind.
/// </summary>
public static class ReportEndpoints
{
    public static void MapReports(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/reports/outcomes").WithTags("Rapports").RequireAuthorization(Policies.Reports);

        group.MapGet("/", async Task<Ok<OutcomesReport>> (ReportQueries reports, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var summary = await reports.OutcomesAsync(AuditPages.OutcomesScope(caller), ct);
            await log.RecordAsync(caller, "reports.outcomes", "report", null, summary.Contracts, ct);
            return TypedResults.Ok(summary.Report);
        }).WithName("getOutcomesReport").WithSummary("Rapport du devenir des conseillers (effectifs, petites cases masquées)");

        group.MapGet("/export.csv", async Task<CsvStream> (ReportQueries reports, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var summary = await reports.OutcomesAsync(AuditPages.OutcomesScope(caller), ct);
            await log.RecordAsync(caller, "reports.outcomes.export", "report", null, summary.Contracts, ct);
            return Csv.Stream(["dimension", "value", "measure", "advisors"], summary.Report.Groups.SelectMany(g => g.Cells.Select(c => new[]
            {
                g.Dimension, g.Value, c.Measure, c.Suppressed ? $"<{ReportQueries.Threshold}" : c.Advisors?.ToString(),
            })).ToAsyncEnumerable(), "rapport-devenir.csv");
        }).WithName("exportOutcomesReport").WithSummary("Exporter le rapport du devenir en CSV");

        // One row per contract: for HR managers (their structures) and administrators only. Rows, even
        // pseudonymised, single out whoever is alone in a small group: a union auditor gets the counts.
        api.MapGet("/reports/outcomes/records", async Task<Results<Ok<Page<OutcomeRecord>>, ValidationProblem>> ([AsParameters] PageQuery paging,
            ReportQueries reports, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            var caller = http.Caller();
            if (await reports.RecordsAsync(AuditPages.OutcomesScope(caller), page, ct) is not { } list) return Common.InvalidCursor();
            await log.RecordAsync(caller, "reports.outcomes.records", "advisor", null, list.Items.Count, ct, list.Items.Select(f => f.AdvisorId).Distinct().ToArray());
            return TypedResults.Ok(list);
        }).WithTags("Rapports").RequireAuthorization(Policies.Staff).WithName("listOutcomeRecords").WithSummary("Lister le devenir contrat par contrat");
    }
}

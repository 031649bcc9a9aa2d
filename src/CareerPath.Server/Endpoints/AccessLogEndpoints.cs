using System.Globalization;
using System.Runtime.CompilerServices;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

/// <summary>Administrators read and export the log of personal-data reads.</summary>
public static class AccessLogEndpoints
{
    static readonly string[] Header = ["seq", "at", "userId", "userRole", "action", "subjectKind", "subjectId", "records", "subjectIds"];

    public static void MapAccessLog(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/access-log").WithTags("Administration").RequireAuthorization(Policies.Admin);

        group.MapGet("/", List).WithName("listAccessLog")
            .WithSummary("Lire le journal des accès aux données personnelles (page par page ; subjectId : qui a lu ce conseiller ? userId : qu'a lu ce compte ?)");
        group.MapGet("/export.csv", Export).WithName("exportAccessLog")
            .WithSummary("Exporter en CSV le journal des accès de la période (toutes les lignes)");
    }

    static async Task<Results<Ok<Page<AccessLogEntry>>, ValidationProblem>> List(DateOnly? from, DateOnly? to, Guid? subjectId, Guid? userId, [AsParameters] PageQuery paging,
        AccessLogStore store, TimeProvider time, AccessLog log, HttpContext http, CancellationToken ct)
    {
        var (filter, check) = Filter(from, to, subjectId, userId, time);
        if (!check.Ok) return check.Problem();
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        if (await store.ListAsync(filter!, page, ct) is not { } entries) return Common.InvalidCursor();
        await RecordListAsync(log, http.Caller(), filter!, entries.Items, ct);
        return TypedResults.Ok(entries);
    }

    static async Task<Results<CsvStream, ValidationProblem>> Export(DateOnly? from, DateOnly? to, Guid? subjectId, Guid? userId, AccessLogStore store, TimeProvider time,
        AccessLog log, HttpContext http, CancellationToken ct)
    {
        var (filter, check) = Filter(from, to, subjectId, userId, time);
        if (!check.Ok) return check.Problem();
        await RecordExportAsync(log, http.Caller(), filter!, ct);
        return CsvFile(filter!, store);
    }

    /// <summary>
    /// Reading the log is reading who read whom (accounts, advisors): itself logged, as every personal read.
    /// The page's twin writes the same line. The advisors named are those the lines are about.
    /// </summary>
    internal static Task RecordListAsync(AccessLog log, Caller caller, AccessLogFilter filter, IReadOnlyCollection<AccessLogEntry> entries, CancellationToken ct) =>
        log.RecordAsync(caller, "access-log.list", "access-log", filter.Subject, entries.Count, ct,
            [.. entries.SelectMany(e => e.SubjectIds ?? []).Concat(filter.Subject is { } s ? [s] : []).Distinct()]);

    /// <summary>
    /// The export, logged before it is streamed: its number of lines is not known yet, so records is 0
    /// ("the whole period"); the period and filters are the request's, and the line's time says when.
    /// </summary>
    internal static Task RecordExportAsync(AccessLog log, Caller caller, AccessLogFilter filter, CancellationToken ct) =>
        log.RecordAsync(caller, "access-log.export", "access-log", filter.Subject, 0, ct, filter.Subject is { } s ? [s] : null);

    /// <summary>The log of the period as a CSV file (the API's export and the access-log page's download).</summary>
    internal static CsvStream CsvFile(AccessLogFilter filter, AccessLogStore store) =>
        // Streamed as read: the export holds every entry of the period, whatever their number.
        Csv.Stream(Header, Rows(store.StreamAsync(filter)), "journal-des-acces.csv");

    static async IAsyncEnumerable<string?[]> Rows(IAsyncEnumerable<AccessLogEntry> entries, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in entries.WithCancellation(ct))
            yield return
            [
                e.Seq.ToString(CultureInfo.InvariantCulture), e.At.ToString("O"), e.UserId?.ToString(), e.UserRole, e.Action, e.SubjectKind, e.SubjectId?.ToString(),
                e.Records.ToString(CultureInfo.InvariantCulture), e.SubjectIds is null ? "" : string.Join(' ', e.SubjectIds),
            ];
    }

    /// <summary>The default period: the last 30 days (Paris days).</summary>
    public const int DefaultDays = 30;

    /// <summary>The period asked for (the last 30 days by default, Paris days) and the other filters, or the errors that say what is wrong with them.</summary>
    internal static (AccessLogFilter? Filter, Check Check) Filter(DateOnly? from, DateOnly? to, Guid? subjectId, Guid? userId, TimeProvider time)
    {
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        var f = from ?? today.AddDays(-DefaultDays);
        var t = to ?? today;
        var check = new Check().Date("from", f).Date("to", t);
        if (t < f) check.Add("to", "La fin de la période précède son début.");
        if (!check.Ok) return (null, check);
        return (new AccessLogFilter(Midnight(f), Midnight(t.AddDays(1)), subjectId, userId), check);
    }

    static DateTimeOffset Midnight(DateOnly day) => WorkflowEngine.DueInstant(day).AddHours(-8);
}

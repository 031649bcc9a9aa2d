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
            .WithSummary("Lire le journal des accès aux données personnelles (page par page ; subjectId : qui a lu ce conseiller ?)");
        group.MapGet("/export.csv", Export).WithName("exportAccessLog")
            .WithSummary("Exporter en CSV le journal des accès de la période (toutes les lignes)");
    }

    static async Task<Results<Ok<Page<AccessLogEntry>>, ValidationProblem>> List(DateOnly? from, DateOnly? to, Guid? subjectId, [AsParameters] PageQuery paging,
        AccessLogStore store, TimeProvider time, CancellationToken ct)
    {
        var (filter, problem) = Filter(from, to, subjectId, time);
        if (problem is not null) return problem;
        if (!paging.TryPage(out var page, out problem)) return problem!;
        return await store.ListAsync(filter!, page, ct) is { } entries ? TypedResults.Ok(entries) : Common.InvalidCursor();
    }

    static Results<CsvStream, ValidationProblem> Export(DateOnly? from, DateOnly? to, Guid? subjectId, AccessLogStore store, TimeProvider time)
    {
        var (filter, problem) = Filter(from, to, subjectId, time);
        if (problem is not null) return problem;
        // Streamed as read: the export holds every entry of the period, whatever their number.
        return Csv.Stream(Header, Rows(store.StreamAsync(filter!)), "journal-des-acces.csv");
    }

    static async IAsyncEnumerable<string?[]> Rows(IAsyncEnumerable<AccessLogEntry> entries, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in entries.WithCancellation(ct))
            yield return
            [
                e.Seq.ToString(CultureInfo.InvariantCulture), e.At.ToString("O"), e.UserId?.ToString(), e.UserRole, e.Action, e.SubjectKind, e.SubjectId?.ToString(),
                e.Records.ToString(CultureInfo.InvariantCulture), e.SubjectIds is null ? "" : string.Join(' ', e.SubjectIds),
            ];
    }

    /// <summary>The period asked for (the last 30 days by default, Paris days), or the 400 that says what is wrong with it.</summary>
    static (AccessLogFilter? Filter, ValidationProblem? Problem) Filter(DateOnly? from, DateOnly? to, Guid? subjectId, TimeProvider time)
    {
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        var f = from ?? today.AddDays(-30);
        var t = to ?? today;
        var check = new Check().Date("from", f).Date("to", t);
        if (t < f) check.Add("to", "La fin de la période précède son début.");
        if (!check.Ok) return (null, check.Problem());
        return (new AccessLogFilter(Midnight(f), Midnight(t.AddDays(1)), subjectId), null);
    }

    static DateTimeOffset Midnight(DateOnly day) => WorkflowEngine.DueInstant(day).AddHours(-8);
}

using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;

namespace CareerPath.Server.Endpoints;

/// <summary>Administrators read and export the log of personal-data reads.</summary>
public static class AccessLogEndpoints
{
    public static void MapAccessLog(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/access-log").WithTags("Administration").RequireAuthorization(Policies.Admin);

        group.MapGet("/", async (DateOnly? from, DateOnly? to, int? limit, Guid? subjectId, AccessLog log, TimeProvider time, CancellationToken ct) =>
        {
            var (range, problem) = Range(from, to, limit, time);
            return problem ?? Results.Ok(await log.ReadAsync(range.From, range.To, range.Limit, subjectId, ct));
        });

        group.MapGet("/export.csv", async (DateOnly? from, DateOnly? to, Guid? subjectId, AccessLog log, TimeProvider time, CancellationToken ct) =>
        {
            var (range, problem) = Range(from, to, 1_000_000, time);
            if (problem is not null) return problem;
            var entries = await log.ReadAsync(range.From, range.To, range.Limit, subjectId, ct);
            return Csv.File(["seq", "at", "userId", "userRole", "action", "subjectKind", "subjectId", "records", "subjectIds"], entries.Select(e => new[]
            {
                e.Seq.ToString(), e.At.ToString("O"), e.UserId?.ToString(), e.UserRole, e.Action, e.SubjectKind, e.SubjectId?.ToString(), e.Records.ToString(),
                e.SubjectIds is null ? "" : string.Join(' ', e.SubjectIds),
            }), "journal-des-acces.csv");
        });
    }

    static ((DateTimeOffset From, DateTimeOffset To, int Limit), IResult?) Range(DateOnly? from, DateOnly? to, int? limit, TimeProvider time)
    {
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        var f = from ?? today.AddDays(-30);
        var t = to ?? today;
        var check = new Check().Date("from", f).Date("to", t).Range("limit", limit, 1, 1_000_000, required: false);
        if (t < f) check.Add("to", "La fin de la période précède son début.");
        if (!check.Ok) return (default, check.Problem());
        return ((Midnight(f), Midnight(t.AddDays(1)), limit ?? 10_000), null);
    }

    static DateTimeOffset Midnight(DateOnly day) => WorkflowEngine.DueInstant(day).AddHours(-8);
}

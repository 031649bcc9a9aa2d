using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

public sealed record FeedCreated(Guid Id, string Url);

/// <summary>
/// A per-HR-manager iCalendar feed of their structures' deadlines, at a secret URL that a calendar
/// application polls without signing in. The secret is shown once; revoking it makes the URL answer 404.
/// </summary>
public static class CalendarEndpoints
{
    const string Prefix = "cal_";

    /// <summary>A new feed of the caller's: a secret kept only as its digest, and the URL that carries it (shown once; the API and the page call this).</summary>
    public static async Task<(Guid Id, string Url)> CreateFeedAsync(CalendarFeedQueries feeds, HttpContext http, CancellationToken ct)
    {
        var secret = Accounts.NewSecret(Prefix);
        var id = await feeds.CreateAsync(http.Caller().UserId, Accounts.Digest(secret), ct);
        return (id, $"{http.Request.Scheme}://{http.Request.Host}/calendar/{secret}.ics");
    }

    public static void MapCalendarFeeds(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/calendar-feeds").WithTags("Calendrier");

        group.MapPost("/", async Task<Created<FeedCreated>> (CalendarFeedQueries feeds, HttpContext http, CancellationToken ct) =>
        {
            var (id, url) = await CreateFeedAsync(feeds, http, ct);
            return TypedResults.Created($"/api/calendar-feeds/{id}", new FeedCreated(id, url));
        }).RequireAuthorization(Policies.Hr).WithName("createCalendarFeed").WithSummary("Créer une adresse secrète d'agenda (iCalendar)");

        group.MapGet("/", async Task<Results<Ok<Page<FeedView>>, ValidationProblem>> ([AsParameters] PageQuery paging, CalendarFeedQueries feeds,
            HttpContext http, CancellationToken ct) =>
        {
            if (!paging.TryPage(out var page, out var problem)) return problem!;
            return await feeds.ListAsync(http.Caller().UserId, page, ct) is { } list ? TypedResults.Ok(list) : Common.InvalidCursor();
        }).RequireAuthorization(Policies.Hr).WithName("listCalendarFeeds").WithSummary("Lister ses adresses d'agenda");

        group.MapDelete("/{id:guid}", async Task<Results<NoContent, NotFoundProblem>> (Guid id, CalendarFeedQueries feeds, HttpContext http, CancellationToken ct) =>
            await feeds.RevokeAsync(id, http.Caller().UserId, ct) ? TypedResults.NoContent() : new NotFoundProblem())
            .RequireAuthorization(Policies.Hr).WithName("revokeCalendarFeed").WithSummary("Révoquer une adresse d'agenda");
    }

    public static void MapCalendarFeed(this WebApplication app)
    {
        app.MapGet("/calendar/{secret}.ics", async Task<Results<ContentHttpResult, NotFoundProblem>> (string secret, CalendarFeedQueries feeds,
            DeadlineQueries deadlines, Accounts accounts, AccessLog log, TimeProvider time, CancellationToken ct) =>
        {
            if (!secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length > 100) return new NotFoundProblem();
            var userId = await feeds.OwnerAsync(Accounts.Digest(secret), ct);
            // The owner as they are now: a disabled account or a lost structure is reflected at the next poll.
            var principal = userId is { } id ? await accounts.PrincipalAsync(id, "calendar", ct) : null;
            if (principal is null) return new NotFoundProblem();
            var caller = Caller.From(principal);
            if (!caller.IsHr) return new NotFoundProblem();
            var today = WorkflowEngine.ParisDate(time.GetUtcNow());
            // Every deadline of the window, whatever their number; the log names everyone in them.
            await using var export = await deadlines.ExportAsync(caller.Scope(), new DeadlineFilter(null, today.AddDays(-30), today.AddYears(1), null, null), today, ct);
            await log.RecordAsync(caller, "calendar.read", "advisor", null, export.Count, ct, export.Advisors.ToList());
            var list = new List<DeadlineView>(export.Count);
            await foreach (var d in export.RowsAsync(ct)) list.Add(d);
            return TypedResults.Text(Render(list, time), "text/calendar; charset=utf-8");
        }).AllowAnonymous().WithTags("Calendrier").ExcludeFromDescription();
    }

    static string Render(IReadOnlyList<DeadlineView> deadlines, TimeProvider time)
    {
        var calendar = new Ical.Net.Calendar();
        calendar.AddProperty("X-WR-CALNAME", "CareerPath — échéances");
        var stamp = time.GetUtcNow();
        foreach (var d in deadlines)
        {
            // The UID is stable across polls: the same deadline updates the same event.
            calendar.Events.Add(CareerCalendar.AllDay($"{d.InstanceId}-{d.Kind}-{d.DueOn:yyyyMMdd}@{OutboxDispatcher.MessageIdDomain}",
                d.AdvisorName is null ? d.Label : $"{d.Label} — {d.AdvisorName}", d.Source == "timer" ? d.Explanation : d.Label, d.DueOn, stamp));
        }
        return CareerCalendar.Serialize(calendar);
    }
}

using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using Dapper;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record FeedCreated(Guid Id, string Url);
public sealed record FeedView(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// A per-HR-manager iCalendar feed of their structures' deadlines, at a secret URL that a calendar
/// application polls without signing in. The secret is shown once; revoking it makes the URL answer 404.
/// </summary>
public static class CalendarEndpoints
{
    const string Prefix = "cal_";

    public static void MapCalendarFeeds(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/calendar-feeds").WithTags("Calendrier");

        group.MapPost("/", async (NpgsqlDataSource db, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var secret = Accounts.NewSecret(Prefix);
            var id = Guid.CreateVersion7(time.GetUtcNow());
            await using var conn = await db.OpenConnectionAsync(ct);
            await conn.ExecuteAsync("INSERT INTO calendar_feed (id, user_id, token_hash, created_at) VALUES (@id, @UserId, @hash, @now)",
                new { id, http.Caller().UserId, hash = Accounts.Digest(secret), now = time.GetUtcNow() });
            var url = $"{http.Request.Scheme}://{http.Request.Host}/calendar/{secret}.ics";
            return Results.Created($"/api/calendar-feeds/{id}", new FeedCreated(id, url));
        }).RequireAuthorization(Policies.Hr);

        group.MapGet("/", async (NpgsqlDataSource db, HttpContext http, CancellationToken ct) =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            return Results.Ok(await conn.QueryAsync<FeedView>(
                "SELECT id, created_at AS CreatedAt, revoked_at AS RevokedAt FROM calendar_feed WHERE user_id = @UserId ORDER BY created_at",
                new { http.Caller().UserId }));
        }).RequireAuthorization(Policies.Hr);

        group.MapDelete("/{id:guid}", async (Guid id, NpgsqlDataSource db, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var changed = await conn.ExecuteAsync("UPDATE calendar_feed SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id AND user_id = @UserId",
                new { id, now = time.GetUtcNow(), http.Caller().UserId });
            return changed == 0 ? Problems.NotFound() : Results.NoContent();
        }).RequireAuthorization(Policies.Hr);
    }

    public static void MapCalendarFeed(this WebApplication app)
    {
        app.MapGet("/calendar/{secret}.ics", async (string secret, NpgsqlDataSource db, Accounts accounts, AccessLog log, TimeProvider time, CancellationToken ct) =>
        {
            if (!secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length > 100) return Problems.NotFound();
            Guid? userId;
            await using (var conn = await db.OpenConnectionAsync(ct))
                userId = await conn.QuerySingleOrDefaultAsync<Guid?>("SELECT user_id FROM calendar_feed WHERE token_hash = @hash AND revoked_at IS NULL",
                    new { hash = Accounts.Digest(secret) });
            // The owner as they are now: a disabled account or a lost structure is reflected at the next poll.
            var principal = userId is { } id ? await accounts.PrincipalAsync(id, "calendar", ct) : null;
            if (principal is null) return Problems.NotFound();
            var caller = Caller.From(principal);
            if (!caller.IsHr) return Problems.NotFound();
            var today = WorkflowEngine.ParisDate(time.GetUtcNow());
            var deadlines = await DeadlineEndpoints.ReadAsync(db, caller, new DeadlineFilter(null, today.AddDays(-30), today.AddYears(1), null, null), today, ct);
            await log.RecordAsync(caller, "calendar.read", "advisor", null, deadlines.Count, ct, DeadlineEndpoints.Advisors(deadlines));
            return Results.Text(Render(deadlines, time), "text/calendar; charset=utf-8");
        }).AllowAnonymous().WithTags("Calendrier").ExcludeFromDescription();
    }

    static string Render(IReadOnlyList<DeadlineView> deadlines, TimeProvider time)
    {
        var calendar = new Ical.Net.Calendar();
        calendar.AddProperty("X-WR-CALNAME", "CareerPath — échéances");
        var stamp = new CalDateTime(time.GetUtcNow().UtcDateTime);
        foreach (var d in deadlines)
        {
            calendar.Events.Add(new CalendarEvent
            {
                // Stable across polls: the same deadline updates the same event.
                Uid = $"{d.InstanceId}-{d.Kind}-{d.DueOn:yyyyMMdd}@careerpath",
                Summary = d.AdvisorName is null ? d.Label : $"{d.Label} — {d.AdvisorName}",
                Description = d.Source == "timer" ? d.Explanation : d.Label,
                DtStart = new CalDateTime(d.DueOn.Year, d.DueOn.Month, d.DueOn.Day),
                DtStamp = stamp,
            });
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Notifications;

/// <summary>
/// Once a week, one e-mail per HR manager: the deadlines of the next 30 days and the overdue tasks of
/// their structures. It goes through the outbox like any reminder; its dedupe key is the manager and
/// the ISO week, so running it twice in a week writes nothing more.
/// </summary>
public static class WeeklyDigest
{
    public const int HorizonDays = 30;

    sealed record Item
    {
        public string Hr { get; init; } = "";
        public string StructureName { get; init; } = "";
        public string DueOn { get; init; } = "";
        public string Text { get; init; } = "";
        public string? About { get; init; }
    }

    /// <returns>How many digests were written (0 when this week's were already there).</returns>
    public static async Task<int> WriteAsync(NpgsqlDataSource db, TimeProvider time, CancellationToken ct = default)
    {
        DapperTypes.Register();
        var now = time.GetUtcNow();
        var today = WorkflowEngine.ParisDate(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        var deadlines = (await conn.QueryAsync<Item>("""
            SELECT i.data->>'hrEmail' AS Hr, i.data->>'structureName' AS StructureName, t.due_on::text AS DueOn,
                   t.explanation->>'label' AS Text,
                   coalesce(i.data->'advisor'->>'fullName', i.data->'post'->>'label') AS About
              FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
             WHERE t.fired_at IS NULL AND i.closed_at IS NULL AND t.due_on BETWEEN @today AND @until
               AND coalesce(i.data->>'hrEmail', '') <> ''
             ORDER BY t.due_on, t.ordinal
            """, new { today, until = today.AddDays(HorizonDays) })).ToList();
        var overdue = (await conn.QueryAsync<Item>("""
            SELECT i.data->>'hrEmail' AS Hr, i.data->>'structureName' AS StructureName, h.due_on::text AS DueOn, h.title AS Text
              FROM human_task h JOIN workflow_instance i ON i.id = h.instance_id
             WHERE h.status = 'Open' AND h.due_on < @today AND coalesce(i.data->>'hrEmail', '') <> ''
             ORDER BY h.due_on
            """, new { today })).ToList();

        var week = $"{ISOWeek.GetYear(today.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(today.ToDateTime(TimeOnly.MinValue)):00}";
        var written = 0;
        foreach (var manager in deadlines.Concat(overdue).Select(i => (i.Hr, i.StructureName)).Distinct())
        {
            var data = MailData.Combine(null, new WeeklyDigestMail(manager.StructureName, today, "/deadlines",
                deadlines.Where(d => d.Hr == manager.Hr && d.StructureName == manager.StructureName)
                    .Select(d => new DigestDeadline(DateOnly.ParseExact(d.DueOn, "yyyy-MM-dd"), d.Text, d.About ?? "")).ToList(),
                overdue.Where(d => d.Hr == manager.Hr && d.StructureName == manager.StructureName)
                    .Select(d => new DigestTask(DateOnly.ParseExact(d.DueOn, "yyyy-MM-dd"), d.Text)).ToList()));
            written += await conn.ExecuteAsync("""
                INSERT INTO outbox_message (id, instance_id, created_at, recipient_role, recipient_address, template_id, data, dedupe_key, next_attempt_at)
                VALUES (@id, NULL, @now, @role, @address, @template, @data::jsonb, @dedupe, @now)
                ON CONFLICT (dedupe_key) DO NOTHING
                """, new
            {
                id = Guid.CreateVersion7(now), now, role = Role.Hr, address = manager.Hr, template = Templates.WeeklyDigest,
                data = data.ToJsonString(), dedupe = $"digest:{manager.Hr}:{manager.StructureName}:{week}",
            });
        }
        return written;
    }
}

using System.Text.Json.Nodes;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>An e-mail waiting in the outbox, as a scenario asserts it.</summary>
public sealed record OutboxRow(string Template, string Role, string Address, JsonObject Data)
{
    public string? this[string field] => Data[field]?.ToString();
}

/// <summary>What the engine wrote, read back with plain SQL so that a test does not trust the engine's own queries.</summary>
public static class EngineReads
{
    /// <summary>Timers that fired (or were ignored or failed), in the order the sweeper took them: name and due day.</summary>
    public static async Task<List<(string Name, string DueOn)>> FiredTimersAsync(this EngineHarness h, Guid instance) =>
        await h.QueryAsync<(string, string)>(
            "SELECT name, due_on::text FROM workflow_timer WHERE instance_id = @instance AND fired_at IS NOT NULL ORDER BY fired_at, id",
            new { instance });

    /// <summary>Timers still to fire, by due day then name.</summary>
    public static async Task<List<(string Name, string DueOn)>> PendingTimersAsync(this EngineHarness h, Guid instance) =>
        await h.QueryAsync<(string, string)>(
            "SELECT name, due_on::text FROM workflow_timer WHERE instance_id = @instance AND fired_at IS NULL ORDER BY due_on, name",
            new { instance });

    /// <summary>
    /// The instance's e-mails in the order they were written. Rows of one transaction share a timestamp;
    /// they are then ordered by template and role so that the order is stable.
    /// </summary>
    public static async Task<List<OutboxRow>> OutboxAsync(this EngineHarness h, Guid instance) =>
        (await h.QueryAsync<(string Template, string Role, string Address, string Data)>("""
            SELECT template_id, recipient_role, recipient_address, data::text FROM outbox_message
             WHERE instance_id = @instance ORDER BY created_at, template_id, recipient_role
            """, new { instance }))
        .Select(r => new OutboxRow(r.Template, r.Role, r.Address, JsonNode.Parse(r.Data)!.AsObject())).ToList();

    public static async Task<List<(string Kind, string Status, string Role)>> TasksAsync(this EngineHarness h, Guid instance) =>
        await h.QueryAsync<(string, string, string)>(
            "SELECT kind, status, assignee_role FROM human_task WHERE instance_id = @instance ORDER BY opened_at, kind",
            new { instance });

    public static async Task<int> CountAsync(this EngineHarness h, string sql, object? args = null) =>
        (await h.QueryAsync<int>(sql, args)).Single();

    /// <summary>
    /// Every row of every engine table as text: two equal snapshots mean that nothing at all was written in between.
    /// </summary>
    public static async Task<string> SnapshotAsync(this EngineHarness h)
    {
        var tables = new (string Table, string Order)[]
        {
            ("workflow_instance", "id"), ("workflow_journal", "instance_id, seq"), ("workflow_timer", "id"), ("human_task", "id"),
            ("outbox_message", "id"), ("decision_audit", "seq"), ("incident", "id"),
        };
        var parts = new List<string>();
        foreach (var (table, order) in tables)
            parts.Add($"{table}: " + (await h.QueryAsync<string>($"SELECT coalesce(jsonb_agg(t ORDER BY {order})::text, '[]') FROM {table} t")).Single());
        return string.Join("\n", parts);
    }
}

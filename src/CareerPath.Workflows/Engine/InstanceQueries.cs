using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record JournalEntry
{
    public int Seq { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = "";
    public string Trigger { get; init; } = "";
    public string? FromState { get; init; }
    public string ToState { get; init; } = "";
    public string? Reason { get; init; }
    public string? Payload { get; init; }
}

public sealed record TimerView
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Trigger { get; init; } = "";
    public DateOnly DueOn { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public string RuleId { get; init; } = "";
    public string ArmedInState { get; init; } = "";
    public DateTimeOffset? FiredAt { get; init; }
    public string? Outcome { get; init; }
    public string Explanation { get; init; } = "";

    /// <summary>The French sentence a person reads: what, when, by which rule and why.</summary>
    public string Description => DeadlineJson.Describe(Explanation);
}

public sealed record Timeline(InstanceRow Instance, IReadOnlyList<JournalEntry> Past, IReadOnlyList<TimerView> Fired, IReadOnlyList<TimerView> Coming);

/// <summary>Reads of an instance: its journal, its timers, its timeline.</summary>
public static class InstanceQueries
{
    public static async Task<IReadOnlyList<JournalEntry>> JournalAsync(NpgsqlDataSource db, Guid instanceId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await JournalAsync(conn, instanceId);
    }

    static async Task<IReadOnlyList<JournalEntry>> JournalAsync(NpgsqlConnection conn, Guid instanceId) =>
        (await conn.QueryAsync<JournalEntry>("""
            SELECT seq, at, actor, trigger, from_state AS FromState, to_state AS ToState, reason, payload::text AS Payload
              FROM workflow_journal WHERE instance_id = @instanceId ORDER BY seq
            """, new { instanceId })).ToList();

    public static async Task<IReadOnlyList<TimerView>> TimersAsync(NpgsqlDataSource db, Guid instanceId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await TimersAsync(conn, instanceId);
    }

    static async Task<IReadOnlyList<TimerView>> TimersAsync(NpgsqlConnection conn, Guid instanceId) =>
        (await conn.QueryAsync<TimerView>("""
            SELECT id, name, trigger, due_on AS DueOn, due_at AS DueAt, rule_id AS RuleId, armed_in_state AS ArmedInState,
                   fired_at AS FiredAt, outcome, explanation::text AS Explanation
              FROM workflow_timer WHERE instance_id = @instanceId ORDER BY due_at, ordinal, id
            """, new { instanceId })).ToList();

    public static async Task<Timeline?> TimelineAsync(NpgsqlDataSource db, Guid instanceId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var instance = await WorkflowEngine.LoadAsync(conn, null, instanceId, ct);
        if (instance is null) return null;
        var timers = await TimersAsync(conn, instanceId);
        return new Timeline(instance, await JournalAsync(conn, instanceId),
            timers.Where(t => t.FiredAt is not null).ToList(), timers.Where(t => t.FiredAt is null).ToList());
    }
}

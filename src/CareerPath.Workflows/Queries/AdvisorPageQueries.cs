using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>A workflow instance as a page needs it: its version (a form carries it back) and its timers with their stored explanations.</summary>
public sealed record InstanceDeadlines(Guid InstanceId, int Version, IReadOnlyList<TimerView> Timers);

/// <summary>
/// What the advisor pages read beside the timeline: each deadline's explanation as stored (a page shows
/// its rule, source, inputs and steps apart), and the instance's version for the forms.
/// </summary>
public sealed class AdvisorPageQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static AdvisorPageQueries() => DapperTypes.Register();

    /// <summary>The instances' versions and timers (by due date), in two queries whatever their number.</summary>
    public async Task<IReadOnlyDictionary<Guid, InstanceDeadlines>> DeadlinesAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken ct = default)
    {
        if (instanceIds.Count == 0) return new Dictionary<Guid, InstanceDeadlines>();
        var ids = instanceIds.Distinct().ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var versions = (await conn.QueryAsync<(Guid Id, int Version)>(new CommandDefinition(
            "SELECT id, version FROM workflow_instance WHERE id = ANY(@ids)", new { ids }, cancellationToken: ct))).ToList();
        // Each timer as the timeline's own TimerView, beside its instance's id (split at the timer's "id").
        var timers = (await conn.QueryAsync<Guid, TimerView, (Guid InstanceId, TimerView Timer)>(new CommandDefinition("""
            SELECT instance_id AS InstanceId, id, name, trigger, due_on AS DueOn, due_at AS DueAt, rule_id AS RuleId, armed_in_state AS ArmedInState,
                   fired_at AS FiredAt, outcome, explanation::text AS Explanation
              FROM workflow_timer WHERE instance_id = ANY(@ids) ORDER BY due_at, ordinal, id
            """, new { ids }, cancellationToken: ct), (instanceId, timer) => (instanceId, timer), splitOn: "id")).ToLookup(t => t.InstanceId, t => t.Timer);
        return versions.ToDictionary(v => v.Id, v => new InstanceDeadlines(v.Id, v.Version, timers[v.Id].ToList()));
    }

    /// <summary>The instance's version now (null: no such instance), for a form to carry.</summary>
    public async Task<int?> VersionAsync(Guid instanceId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT version FROM workflow_instance WHERE id = @instanceId", new { instanceId }, cancellationToken: ct));
    }
}

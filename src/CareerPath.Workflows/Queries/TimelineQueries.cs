using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

public sealed record TimelineStep(DateTimeOffset At, string Trigger, string? From, string To, string? Actor, string? Reason);
/// <param name="Label">The deadline in words, as the contract pages name it ("Fin de la période d'essai").</param>
public sealed record TimelineDeadline(string Name, string RuleId, DateOnly DueOn, string? Outcome, string Explanation, string Label);
public sealed record ContractTimeline(Guid ContractId, Guid InstanceId, string State, IReadOnlyList<TimelineStep> Past,
    IReadOnlyList<TimelineDeadline> Fired, IReadOnlyList<TimelineDeadline> Coming);

/// <summary>An advisor's timeline: for each of their contracts (by start date), its workflow's journal, the deadlines reached and those to come.</summary>
public sealed class TimelineQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static TimelineQueries() => DapperTypes.Register();

    /// <param name="scope">The contracts the caller may see (an HR manager: those of their structures' posts).</param>
    /// <param name="showActors">Who acted is shown to staff; an advisor sees what happened, not which colleague did it.</param>
    public async Task<IReadOnlyList<ContractTimeline>> ForAdvisorAsync(Guid advisorId, ReadScope scope, bool showActors, CancellationToken ct = default)
    {
        List<(Guid ContractId, Guid InstanceId)> instances;
        await using (var conn = await db.OpenConnectionAsync(ct))
            instances = (await conn.QueryAsync<(Guid, Guid)>(new CommandDefinition("""
                SELECT c.id, i.id
                  FROM contract c
                  JOIN funded_post p ON p.id = c.post_id
                  JOIN LATERAL (SELECT id FROM workflow_instance
                                 WHERE definition_id = @def AND subject_id = c.id ORDER BY created_at DESC LIMIT 1) i ON true
                 WHERE c.advisor_id = @advisorId AND (@all OR p.structure_id = ANY(@structures))
                 ORDER BY c.start_date, c.id
                """, new { def = AdvisorContractWorkflow.DefinitionId, advisorId, all = scope.AllStructures, structures = scope.Structures },
                cancellationToken: ct))).ToList();
        var result = new List<ContractTimeline>();
        foreach (var (contractId, instanceId) in instances)
        {
            var t = await InstanceQueries.TimelineAsync(db, instanceId, ct);
            if (t is null) continue;
            result.Add(new ContractTimeline(contractId, instanceId, t.Instance.State,
                t.Past.Select(j => new TimelineStep(j.At, j.Trigger, j.FromState, j.ToState, showActors ? j.Actor : null, j.Reason)).ToList(),
                t.Fired.Select(View).ToList(), t.Coming.Select(View).ToList()));
        }
        return result;
    }

    static TimelineDeadline View(TimerView t) => new(t.Name, t.RuleId, t.DueOn, t.Outcome, t.Description, DeadlineJson.Read(t.Explanation).Label);
}

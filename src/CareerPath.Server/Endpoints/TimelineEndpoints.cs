using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record TimelineStep(DateTimeOffset At, string Trigger, string? From, string To, string? Actor, string? Reason);
public sealed record TimelineDeadline(string Name, string RuleId, DateOnly DueOn, string? Outcome, string Explanation);
public sealed record ContractTimeline(Guid ContractId, Guid InstanceId, string State, IReadOnlyList<TimelineStep> Past,
    IReadOnlyList<TimelineDeadline> Fired, IReadOnlyList<TimelineDeadline> Coming);

/// <summary>An advisor's timeline: each contract's journal, the deadlines already reached and those to come, with their reasons.</summary>
public static class TimelineEndpoints
{
    public static void MapTimeline(this RouteGroupBuilder api)
    {
        api.MapGet("/advisors/{id:guid}/timeline", async (Guid id, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeAdvisor(id, await Common.AdvisorStructuresAsync(db, id, ct))) return Problems.NotFound();
            List<Guid> instances;
            await using (var conn = await db.OpenConnectionAsync(ct))
                // The advisor sees all of their contracts; an HR manager those of their structures only.
                instances = (await conn.QueryAsync<Guid>("""
                    SELECT id FROM workflow_instance
                     WHERE definition_id = 'advisor-contract' AND data->'advisor'->>'id' = @text
                       AND (@all OR structure_id = ANY(@scope)) ORDER BY created_at
                    """, new { text = id.ToString(), all = caller.IsAdmin || caller.IsAdvisor, scope = caller.StructureFilter ?? [] })).ToList();
            var result = new List<ContractTimeline>();
            foreach (var instanceId in instances)
            {
                var t = await InstanceQueries.TimelineAsync(db, instanceId, ct);
                if (t is null) continue;
                result.Add(new ContractTimeline(t.Instance.SubjectId, instanceId, t.Instance.State,
                    // Who acted is shown to staff; an advisor sees what happened, not which colleague did it.
                    t.Past.Select(j => new TimelineStep(j.At, j.Trigger, j.FromState, j.ToState, caller.IsAdvisor ? null : j.Actor, j.Reason)).ToList(),
                    t.Fired.Select(View).ToList(), t.Coming.Select(View).ToList()));
            }
            await log.RecordAsync(caller, "advisors.timeline", "advisor", id, result.Count, ct);
            return Results.Ok(result);
        }).WithTags("Conseillers").RequireAuthorization(Policies.PersonalRecords);
    }

    static TimelineDeadline View(TimerView t) => new(t.Name, t.RuleId, t.DueOn, t.Outcome, t.Description);
}

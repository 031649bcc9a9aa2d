using CareerPath.Workflows.Engine;
using Dapper;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>
/// Plays time forward for a settable clock (tests, the simulator, the demo seed): jumps to each
/// next due timer and sweeps, so every transition sees the day its timer was due, not the end of the jump.
/// </summary>
public sealed class ClockDriver(WorkflowEngine engine, Sweeper sweeper, Action<DateTimeOffset> setNow)
{
    public int TimersFired { get; private set; }

    public async Task RunUntilAsync(DateTimeOffset until, CancellationToken ct = default)
    {
        while (true)
        {
            await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
            var next = await conn.ExecuteScalarAsync<DateTimeOffset?>(
                "SELECT min(due_at) FROM workflow_timer WHERE fired_at IS NULL");
            await conn.CloseAsync();
            var now = engine.Time.GetUtcNow();
            if (next is null || next > until)
            {
                if (until > now) setNow(until);
                return;
            }
            if (next > now) setNow(next.Value);
            var result = await sweeper.SweepOnceAsync(ct);
            TimersFired += result.Fired;
            if (result.Claimed == 0 && next <= now)
                throw new InvalidOperationException($"A timer due at {next:O} cannot be claimed: another sweeper holds it.");
        }
    }
}

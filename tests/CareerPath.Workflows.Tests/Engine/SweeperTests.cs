using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;

namespace CareerPath.Workflows.Tests.Engine;

public sealed class SweeperTests
{
    const int Instances = 20;
    const int TicksEach = 3;

    [Fact]
    public async Task Many_due_timers_across_many_instances_fire_once_each_in_due_order()
    {
        var probe = new ProbeWorkflow();
        await using var h = await EngineHarness.CreateAsync("2024-01-02", [probe]);
        var instances = await StartInterleavedAsync(h);
        // Every timer is due by then; the sweeper takes them in batches smaller than the total.
        h.Clock.SetUtcNow(WorkflowEngine.DueInstant(EngineHarness.D("2024-12-31")));
        var log = new ListLogger();
        var sweeper = new Sweeper(h.Engine, log) { BatchSize = 7, ChunkSize = 3 };

        var result = await sweeper.SweepAllDueAsync();

        Assert.Equal((Instances * TicksEach, Instances * TicksEach, 0, 0), (result.Claimed, result.Fired, result.Ignored, result.Failed));
        // Every batch went in chunks, none fell back to one timer at a time.
        Assert.DoesNotContain(log.Messages, m => m.Contains("one at a time"));
        // Instance k's tick j is due on day 1 + j * Instances + k: the due order interleaves the instances.
        var expected = Enumerable.Range(0, TicksEach).SelectMany(j => instances.Select(i => (i, $"tick:{j}"))).ToList();
        Assert.Equal(expected, probe.Applied.ToList());
        await AssertEachTimerFiredOnceAsync(h, instances);
        Assert.Equal(0, (await new Sweeper(h.Engine).SweepAllDueAsync()).Claimed);
    }

    [Fact]
    public async Task Two_sweepers_running_at_once_fire_each_timer_exactly_once()
    {
        var probe = new ProbeWorkflow();
        await using var h = await EngineHarness.CreateAsync("2024-01-02", [probe]);
        // One timer per instance: two nodes never want the same instance row, so any double firing is the claim's fault.
        var instances = new List<Guid>();
        for (var k = 0; k < 60; k++)
            instances.Add(await ProbeWorkflow.StartAsync(h, [EngineHarness.D("2024-02-01").AddDays(k % 10)]));
        var now = WorkflowEngine.DueInstant(EngineHarness.D("2024-03-01"));
        h.Clock.SetUtcNow(now);
        // The second node: its own connections and clock, the same database.
        await using var other = h.Attach(now, [probe]);
        var claims = new List<int>[] { [], [] };

        await Task.WhenAll(
            SweepUntilIdleAsync(new Sweeper(h.Engine) { BatchSize = 5, ChunkSize = 2 }, claims[0]),
            SweepUntilIdleAsync(new Sweeper(other.Engine) { BatchSize = 5, ChunkSize = 2 }, claims[1]));

        Assert.Equal(60, claims.Sum(c => c.Sum()));
        Assert.Equal(60, probe.Applied.Count);
        Assert.Equal(60, probe.Applied.Distinct().Count());
        await AssertEachTimerFiredOnceAsync(h, instances, ticksEach: 1);
    }

    [Fact]
    public async Task Two_sweepers_sharing_instances_with_several_timers_fire_each_timer_exactly_once()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02", [new ProbeWorkflow()]);
        var instances = await StartInterleavedAsync(h);
        var now = WorkflowEngine.DueInstant(EngineHarness.D("2024-12-31"));
        h.Clock.SetUtcNow(now);
        await using var other = h.Attach(now, [new ProbeWorkflow()]);

        await Task.WhenAll(
            SweepUntilIdleAsync(new Sweeper(h.Engine) { BatchSize = 4, ChunkSize = 3 }, []),
            SweepUntilIdleAsync(new Sweeper(other.Engine) { BatchSize = 4, ChunkSize = 3 }, []));

        Assert.Empty(await Incidents.ListAsync(h.DataSource));
        await AssertEachTimerFiredOnceAsync(h, instances);
    }

    [Fact]
    public async Task A_chunk_that_PostgreSQL_refuses_undoes_the_chunks_written_before_it_and_the_batch_is_redone_one_timer_at_a_time()
    {
        var probe = new ProbeWorkflow();
        await using var h = await EngineHarness.CreateAsync("2024-01-02", [probe]);
        var instances = new List<Guid>();
        for (var k = 0; k < 12; k++)
            instances.Add(await ProbeWorkflow.StartAsync(h, [EngineHarness.D("2024-01-10")]));
        // The database refuses the journal row of the 11th instance's tick: its transition is in the fourth chunk of three,
        // sent after the first three were written in the same transaction.
        var poisoned = (await h.QueryAsync<Guid>("""
            SELECT instance_id FROM workflow_timer WHERE fired_at IS NULL ORDER BY due_at, ordinal, id OFFSET 10 LIMIT 1
            """)).Single();
        await using (var conn = await h.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync($$"""
                CREATE FUNCTION refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $f$
                BEGIN
                    IF NEW.instance_id = '{{poisoned}}' AND NEW.seq > 1 THEN RAISE EXCEPTION 'refused by the test'; END IF;
                    RETURN NEW;
                END $f$;
                CREATE TRIGGER refuse_poisoned BEFORE INSERT ON workflow_journal FOR EACH ROW EXECUTE FUNCTION refuse_poisoned();
                """);
        h.Clock.SetUtcNow(WorkflowEngine.DueInstant(EngineHarness.D("2024-01-10")));
        var log = new ListLogger();

        var result = await new Sweeper(h.Engine, log) { ChunkSize = 3 }.SweepOnceAsync();

        Assert.Contains(log.Messages, m => m.Contains("one at a time"));
        Assert.Equal((12, 11, 0, 1), (result.Claimed, result.Fired, result.Ignored, result.Failed));
        // The first attempt's three written chunks left nothing behind: each healthy timer made exactly one transition.
        Assert.Equal(11, await h.CountAsync("SELECT count(*)::int FROM workflow_timer WHERE outcome = 'Fired'"));
        Assert.Equal(0, await h.CountAsync("""
            SELECT count(*)::int FROM workflow_timer t
             WHERE t.outcome = 'Fired'
               AND (SELECT count(*) FROM workflow_journal j WHERE j.instance_id = t.instance_id AND j.idempotency_key = 'timer:' || t.id) <> 1
            """));
        foreach (var instance in instances.Where(i => i != poisoned))
            Assert.Equal(1, (await ProbeWorkflow.DataAsync(h, instance)).Fired);
        Assert.Equal(0, (await ProbeWorkflow.DataAsync(h, poisoned)).Fired);
        Assert.Equal(poisoned, Assert.Single(await Incidents.ListAsync(h.DataSource)).InstanceId);
    }

    /// <summary>Instance k gets its tick j on 2024-01-03 + (j * Instances + k) days.</summary>
    static async Task<List<Guid>> StartInterleavedAsync(EngineHarness h)
    {
        var instances = new List<Guid>();
        for (var k = 0; k < Instances; k++)
            instances.Add(await ProbeWorkflow.StartAsync(h,
                Enumerable.Range(0, TicksEach).Select(j => EngineHarness.D("2024-01-03").AddDays(j * Instances + k))));
        return instances;
    }

    /// <summary>What a scheduled job on one node does: sweep until it finds nothing left to claim.</summary>
    static async Task SweepUntilIdleAsync(Sweeper sweeper, List<int> claims)
    {
        while (true)
        {
            var result = await sweeper.SweepOnceAsync();
            if (result.Claimed == 0) return;
            claims.Add(result.Fired);
        }
    }

    static async Task AssertEachTimerFiredOnceAsync(EngineHarness h, List<Guid> instances, int ticksEach = TicksEach)
    {
        Assert.Equal(instances.Count * ticksEach, await h.CountAsync(
            "SELECT count(*)::int FROM workflow_timer WHERE fired_at IS NOT NULL AND outcome = 'Fired'"));
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM workflow_timer WHERE fired_at IS NULL OR outcome <> 'Fired'"));
        // One journal row per timer, keyed by it: no timer made two transitions.
        Assert.Equal(0, await h.CountAsync("""
            SELECT count(*)::int FROM workflow_timer t
             WHERE (SELECT count(*) FROM workflow_journal j WHERE j.instance_id = t.instance_id AND j.idempotency_key = 'timer:' || t.id) <> 1
            """));
        // And no update was lost: every instance counted each of its ticks.
        foreach (var instance in instances)
            Assert.Equal(ticksEach, (await ProbeWorkflow.DataAsync(h, instance)).Fired);
    }
}

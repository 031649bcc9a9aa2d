using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Engine;

/// <summary>
/// The set-based paths (issue 14): a sweep whose transitions audit and signal other instances, the batch of signals
/// and the batch of starts. Each is checked against what one-by-one would have left: every signal applied once, in
/// order, each instance's transitions reading the one before, the audit chain intact, refusals changing nothing.
/// </summary>
public sealed class BatchedTransitionsTests
{
    static readonly IWorkflowDefinition[] Definitions = [new RelayWorkflow(), new CounterWorkflow()];

    [Fact]
    public async Task A_sweep_whose_timers_all_signal_one_instance_applies_every_signal_in_turn_and_chains_every_decision()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02", Definitions);
        var counterSubject = Guid.NewGuid();
        var counter = await h.Engine.StartAsync(CounterWorkflow.Request(counterSubject));
        var relays = new List<Guid>();
        for (var k = 0; k < 6; k++)
            relays.Add(await h.Engine.StartAsync(RelayWorkflow.Request(counterSubject, EngineHarness.D("2024-01-10"), EngineHarness.D("2024-01-20"))));
        // A relay whose counter does not exist: its signal is dropped, its own transition stands.
        var orphan = await h.Engine.StartAsync(RelayWorkflow.Request(Guid.NewGuid(), EngineHarness.D("2024-01-10")));
        h.Clock.SetUtcNow(WorkflowEngine.DueInstant(EngineHarness.D("2024-01-31")));
        var log = new ListLogger();

        var result = await new Sweeper(h.Engine, log).SweepAllDueAsync();

        Assert.Equal((13, 13, 0, 0), (result.Claimed, result.Fired, result.Ignored, result.Failed));
        Assert.DoesNotContain(log.Messages, m => m.Contains("one at a time"));
        Assert.Empty(await Incidents.ListAsync(h.DataSource));
        var data = WorkflowJson.FromObject<CounterData>((await h.Engine.GetAsync(counter))!.DataObject);
        // Twelve signals to one instance in one sweep: each read the count the one before left.
        Assert.Equal(12, data.Count);
        Assert.Equal(relays.SelectMany(r => new[] { r.ToString(), r.ToString() }).Order(), data.From.Order());
        Assert.Equal(12, (await h.JournalAsync(counter)).Count(j => j.Trigger == nameof(CounterTrigger.Bump)));
        var keys = await h.QueryAsync<string>("SELECT idempotency_key FROM workflow_journal WHERE instance_id = @counter AND trigger = 'Bump'", new { counter });
        Assert.Equal(12, keys.Distinct().Count());
        // One decision per relay tick (13, the orphan's included), chained in one intact log.
        var audit = await DecisionAuditLog.VerifyAsync(h.DataSource);
        Assert.True(audit.Intact, audit.Problem);
        Assert.Equal(13, audit.Checked);
        Assert.Equal(1, (await h.JournalAsync(orphan)).Count(j => j.Trigger == nameof(RelayTrigger.Tick)));
    }

    [Fact]
    public async Task A_batch_of_signals_applies_the_permitted_ones_and_refuses_the_others_without_changing_them()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02", Definitions);
        var counterSubject = Guid.NewGuid();
        // Full after two bumps: the third relay's signal to it is refused by the counter, and only that signal.
        var counter = await h.Engine.StartAsync(CounterWorkflow.Request(counterSubject, capacity: 2));
        var relays = new List<Guid>();
        for (var k = 0; k < 3; k++) relays.Add(await h.Engine.StartAsync(RelayWorkflow.Request(counterSubject)));
        var finished = await h.Engine.StartAsync(RelayWorkflow.Request(counterSubject));
        await h.Engine.SignalAsync(new SignalRequest(finished, nameof(RelayTrigger.Finish), null, "test"));
        var before = await h.QueryAsync<string>("SELECT id::text || ':' || version FROM workflow_instance WHERE id = @finished", new { finished });
        var missing = Guid.NewGuid();

        var outcomes = await h.Engine.SignalManyAsync([
            new SignalRequest(relays[0], nameof(RelayTrigger.Poke), null, "hr:test"),
            new SignalRequest(finished, nameof(RelayTrigger.Poke), null, "hr:test"),
            new SignalRequest(relays[1], nameof(RelayTrigger.Poke), null, "hr:test"),
            new SignalRequest(missing, nameof(RelayTrigger.Poke), null, "hr:test"),
            new SignalRequest(relays[2], nameof(RelayTrigger.Poke), null, "hr:test"),
        ]);

        Assert.Equal([true, false, true, false, true], outcomes.Select(o => o.Applied));
        Assert.IsType<TriggerNotPermittedException>(outcomes[1].Refusal);
        Assert.IsType<WorkflowNotFoundException>(outcomes[3].Refusal);
        Assert.Equal(before, await h.QueryAsync<string>("SELECT id::text || ':' || version FROM workflow_instance WHERE id = @finished", new { finished }));
        var data = WorkflowJson.FromObject<CounterData>((await h.Engine.GetAsync(counter))!.DataObject);
        Assert.Equal((2, "Full"), (data.Count, await h.StateAsync(counter)));
        Assert.Equal([relays[0].ToString(), relays[1].ToString()], data.From);
        // Three relay decisions and the counter's own, in one intact chain.
        var audit = await DecisionAuditLog.VerifyAsync(h.DataSource);
        Assert.True(audit.Intact, audit.Problem);
        Assert.Equal(4, audit.Checked);
        await Assert.ThrowsAsync<ArgumentException>(() => h.Engine.SignalManyAsync([
            new SignalRequest(relays[0], nameof(RelayTrigger.Poke), null, "hr:test"), new SignalRequest(relays[0], nameof(RelayTrigger.Poke), null, "hr:test")]));
    }

    [Fact]
    public async Task A_batch_of_starts_leaves_each_instance_started_with_its_timers()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02", Definitions);
        var counterSubject = Guid.NewGuid();
        var ids = await h.Engine.StartManyAsync([
            CounterWorkflow.Request(counterSubject),
            RelayWorkflow.Request(counterSubject, EngineHarness.D("2024-02-01")),
            RelayWorkflow.Request(counterSubject, EngineHarness.D("2024-03-01"), EngineHarness.D("2024-04-01")),
        ]);

        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(["Counting", "Waiting", "Waiting"], await Task.WhenAll(ids.Select(h.StateAsync)));
        foreach (var id in ids) Assert.Equal([("Start", "Created", await h.StateAsync(id))], await h.JournalAsync(id));
        var timers = await h.QueryAsync<(Guid, string, DateOnly)>("SELECT instance_id, name, due_on FROM workflow_timer WHERE fired_at IS NULL ORDER BY due_on");
        Assert.Equal([(ids[1], "tick:0", EngineHarness.D("2024-02-01")), (ids[2], "tick:0", EngineHarness.D("2024-03-01")), (ids[2], "tick:1", EngineHarness.D("2024-04-01"))], timers);

        // The same instances run on as ones started alone would.
        h.Clock.SetUtcNow(WorkflowEngine.DueInstant(EngineHarness.D("2024-04-02")));
        Assert.Equal(3, (await h.Sweeper.SweepAllDueAsync()).Fired);
        Assert.Equal(3, WorkflowJson.FromObject<CounterData>((await h.Engine.GetAsync(ids[0]))!.DataObject).Count);
    }
}

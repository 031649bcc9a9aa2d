using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Engine;

public sealed class IncidentsTests
{
    [Fact]
    public async Task Failing_timer_becomes_an_incident_that_fires_once_retried_after_the_data_is_fixed()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02", [new ProbeWorkflow()]);
        var broken = await ProbeWorkflow.StartAsync(h, [EngineHarness.D("2024-01-10")], fail: true);
        var healthy = await ProbeWorkflow.StartAsync(h, [EngineHarness.D("2024-01-10")]);
        var timer = (await h.QueryAsync<long>("SELECT id FROM workflow_timer WHERE instance_id = @broken", new { broken })).Single();

        await h.RunUntilAsync("2024-01-10");

        // The failure is the broken instance's alone: the healthy one in the same batch fired.
        Assert.Equal(1, (await ProbeWorkflow.DataAsync(h, healthy)).Fired);
        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource));
        Assert.Equal((broken, "timer", timer.ToString(), 1), (incident.InstanceId, incident.Effect, incident.EffectRef, incident.Attempts));
        Assert.Contains("tick:0", incident.Error);
        Assert.Contains("La sonde échoue", incident.Error);
        Assert.Equal(WorkflowEngine.DueInstant(EngineHarness.D("2024-01-10")), incident.CreatedAt);
        Assert.Equal(["Failed"], await h.QueryAsync<string>("SELECT outcome FROM workflow_timer WHERE id = @timer", new { timer }));
        // Nothing of the failed transition remains: the instance is as it was after its start.
        Assert.Equal(1, (await h.Engine.GetAsync(broken))!.Version);
        Assert.Equal(0, (await ProbeWorkflow.DataAsync(h, broken)).Fired);

        await h.QueryAsync<int>("UPDATE workflow_instance SET data = jsonb_set(data, '{fail}', 'false') WHERE id = @broken RETURNING 1", new { broken });
        var retriedAt = h.Clock.GetUtcNow();
        await Incidents.RetryAsync(h.DataSource, incident.Id, "admin:test", retriedAt);

        var resolved = Assert.Single(await Incidents.ListAsync(h.DataSource, openOnly: false));
        Assert.Equal(("admin:test", retriedAt), (resolved.ResolvedBy, resolved.ResolvedAt));
        Assert.Empty(await Incidents.ListAsync(h.DataSource));
        Assert.Equal([("tick:0", "2024-01-10")], await h.PendingTimersAsync(broken));

        var sweep = await h.Sweeper.SweepAllDueAsync();

        Assert.Equal((1, 0), (sweep.Fired, sweep.Failed));
        Assert.Equal(1, (await ProbeWorkflow.DataAsync(h, broken)).Fired);
        Assert.Equal(["Fired"], await h.QueryAsync<string>("SELECT outcome FROM workflow_timer WHERE id = @timer", new { timer }));
        var last = (await InstanceQueries.JournalAsync(h.DataSource, broken))[^1];
        Assert.Equal(("Tick", "timer", $"timer:{timer}"), (last.Trigger, last.Actor, await h.QueryAsync<string>(
            "SELECT idempotency_key FROM workflow_journal WHERE instance_id = @broken AND seq = @seq", new { broken, seq = last.Seq }) is [var key] ? key : null));
    }

    [Fact]
    public async Task Retrying_a_resolved_incident_is_refused()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02", [new ProbeWorkflow()]);
        var broken = await ProbeWorkflow.StartAsync(h, [EngineHarness.D("2024-01-10")], fail: true);
        await h.RunUntilAsync("2024-01-10");
        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource));
        await Incidents.RetryAsync(h.DataSource, incident.Id, "admin:test", h.Clock.GetUtcNow());
        var before = await h.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            Incidents.RetryAsync(h.DataSource, incident.Id, "admin:other", h.Clock.GetUtcNow()));

        Assert.Contains("déjà résolu", refused.Message);
        Assert.Equal(before, await h.SnapshotAsync());
        // Still broken: the retried timer fails again, as a new incident.
        await h.Sweeper.SweepAllDueAsync();
        Assert.Equal(broken, Assert.Single(await Incidents.ListAsync(h.DataSource)).InstanceId);
    }
}

public sealed class UnexpectedFailureTests
{
    [Fact]
    public async Task A_timer_failing_with_any_exception_becomes_an_incident_and_does_not_block_the_sweeps_after_it()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02", [new ProbeWorkflow()]);
        var broken = await ProbeWorkflow.StartAsync(h, [EngineHarness.D("2024-01-10")], failUnexpectedly: true);
        var later = await ProbeWorkflow.StartAsync(h, [EngineHarness.D("2024-01-11")]);

        await h.RunUntilAsync("2024-01-12");

        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource));
        Assert.Equal(broken, incident.InstanceId);
        Assert.Contains("La sonde échoue autrement", incident.Error);
        // The broken timer sorts first, yet the next day's timer still fired.
        Assert.Equal(1, (await ProbeWorkflow.DataAsync(h, later)).Fired);
    }
}

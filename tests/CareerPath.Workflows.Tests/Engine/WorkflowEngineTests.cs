using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Engine;

public sealed class WorkflowEngineTests
{
    [Fact]
    public async Task One_idempotency_key_sent_twice_makes_one_transition()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRunningContractAsync(h);
        var amendment = new JsonObject { ["newEnd"] = "2026-03-31", ["reason"] = "Prolongation" };

        var first = await h.SignalAsync(contract, AmendContract, amendment.DeepClone().AsObject(), key: "amend-42");
        var second = await h.SignalAsync(contract, AmendContract, amendment.DeepClone().AsObject(), key: "amend-42");

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal((first.Seq, first.FromState, first.ToState), (second.Seq, second.FromState, second.ToState));
        Assert.Equal(1, await h.CountAsync("SELECT count(*)::int FROM workflow_journal WHERE instance_id = @contract AND idempotency_key = 'amend-42'", new { contract }));
        Assert.Equal(first.Seq, (await h.Engine.GetAsync(contract))!.Version);
        Assert.Single(ContractData(await h.Engine.GetAsync(contract)).Contract.Amendments);
    }

    [Fact]
    public async Task One_idempotency_key_sent_twice_at_the_same_time_makes_one_transition()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRunningContractAsync(h);
        var version = (await h.Engine.GetAsync(contract))!.Version;

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2026-03-31", ["reason"] = "Prolongation" }, key: "amend-42"))));

        // The loser of the race finds the winner's row under the same key: a duplicate, not a conflict.
        Assert.Equal([false, true], results.Select(r => r.Duplicate).Order());
        Assert.Equal(version + 1, (await h.Engine.GetAsync(contract))!.Version);
        Assert.Single(ContractData(await h.Engine.GetAsync(contract)).Contract.Amendments);
    }

    [Fact]
    public async Task Two_decisions_sent_at_the_same_time_one_wins_the_other_gets_a_conflict()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRunningContractAsync(h);
        var read = (await h.Engine.GetAsync(contract))!.Version;
        SignalRequest DecideAs(string kind) => new(contract, nameof(Decide),
            new JsonObject { ["kind"] = kind, ["reason"] = "Décision du comité" }, "hr:test", ExpectedVersion: read);

        var outcomes = await Task.WhenAll(new[] { DecideAs("PermanentHireCdi"), DecideAs("NotRetained") }
            .Select(request => Task.Run(() => OutcomeAsync(h.Engine.SignalAsync(request)))));

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        Assert.IsType<WorkflowConflictException>(Assert.Single(outcomes, o => o.Error is not null).Error);
        Assert.Equal(1, await h.CountAsync("SELECT count(*)::int FROM workflow_journal WHERE instance_id = @contract AND trigger = 'Decide'", new { contract }));
        Assert.Equal((read + 1, winner.ToState), ((await h.Engine.GetAsync(contract))!.Version, await h.StateAsync(contract)));
        Assert.Single(await DecisionAuditLog.ReadAsync(h.DataSource));
    }

    [Fact]
    public async Task Parallel_amendments_without_an_expected_version_each_succeed_or_conflict_and_none_is_lost()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRunningContractAsync(h);
        var initial = (await h.Engine.GetAsync(contract))!.Version;
        var journalBefore = (await h.JournalAsync(contract)).Count;

        var outcomes = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Task.Run(() => OutcomeAsync(
            h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = $"2026-02-{i:00}", ["reason"] = $"Avenant {i}" })))));

        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.IsType<WorkflowConflictException>(o.Error));
        var successes = outcomes.Count(o => o.Result is not null);
        Assert.InRange(successes, 1, 8);
        var after = (await h.Engine.GetAsync(contract))!;
        Assert.Equal(initial + successes, after.Version);
        Assert.Equal(journalBefore + successes, (await h.JournalAsync(contract)).Count);
        // Each success read the state the previous one left: every amendment that reported success is in the data.
        var recorded = ContractData(after).Contract.Amendments.Select(a => a.Reason).Order().ToList();
        Assert.Equal(successes, recorded.Count);
        Assert.Equal(
            (await InstanceQueries.JournalAsync(h.DataSource, contract)).Where(j => j.Trigger == nameof(AmendContract))
                .Select(j => JsonNode.Parse(j.Payload!)!["reason"]!.GetValue<string>()).Order(),
            recorded);
    }

    [Fact]
    public async Task Trigger_not_permitted_in_the_state_is_refused_and_writes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRecruitedContractAsync(h);
        var before = await h.SnapshotAsync();

        // Nothing to decide before the contract has started.
        var refused = await Assert.ThrowsAsync<TriggerNotPermittedException>(() =>
            h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Trop tôt" }));

        Assert.Equal(("Decide", "Recruited"), (refused.Trigger, refused.State));
        Assert.Contains("ContractStarted", refused.Message);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Unknown_trigger_is_refused_and_writes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRecruitedContractAsync(h);
        var before = await h.SnapshotAsync();

        var unknown = await Assert.ThrowsAsync<TriggerNotPermittedException>(() =>
            h.Engine.SignalAsync(new SignalRequest(contract, "NoSuchTrigger", null, "hr:test")));

        Assert.Equal(("NoSuchTrigger", "Recruited"), (unknown.Trigger, unknown.State));
        Assert.Contains("ContractStarted", unknown.Message);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Invalid_payload_is_refused_and_writes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRunningContractAsync(h);
        var before = await h.SnapshotAsync();

        var missing = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained" }));
        var malformed = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "le 31 mars", ["reason"] = "Prolongation" }));
        var renewalWithoutEnd = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "Renewal", ["reason"] = "Poste reconduit" }));

        Assert.Contains("« reason »", missing.Message);
        Assert.Contains("« newEnd »", malformed.Message);
        Assert.Equal("model.decision.new-end", renewalWithoutEnd.RuleId);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task A_new_engine_over_the_same_database_fires_the_timers_the_previous_one_armed()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartRecruitedContractAsync(h);
        Assert.Equal(("contract.start", "2024-01-15"), (await h.PendingTimersAsync(contract))[0]);

        // A restarted process: new connections, new definitions, a clock two weeks later. Nothing is held in memory.
        var later = WorkflowEngine.DueInstant(EngineHarness.D("2024-01-16"));
        await using var dataSource = CareerPath.Workflows.Storage.Database.CreateDataSource(h.ConnectionString);
        var engine = new WorkflowEngine(dataSource, new DefinitionRegistry([new AdvisorContractWorkflow(), new PostFundingWorkflow()]), new FakeTimeProvider(later));
        var result = await new Sweeper(engine).SweepAllDueAsync();

        Assert.Equal(1, result.Fired);
        Assert.Equal("TrialPeriod", (await engine.GetAsync(contract))!.State);
        var started = (await InstanceQueries.JournalAsync(dataSource, contract))[^1];
        Assert.Equal(("ContractStarted", WorkflowEngine.TimerActor, later), (started.Trigger, started.Actor, started.At));
        Assert.Equal([("contract.start", "2024-01-15")], await h.FiredTimersAsync(contract));
    }

    /// <summary>A public CDD starting 2024-01-15, without a post instance, recruited on 2024-01-02.</summary>
    static async Task<Guid> StartRecruitedContractAsync(EngineHarness h)
    {
        var facts = Scenario.Contract(Guid.NewGuid(), ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-01-14");
        return await Scenario.StartContractAsync(h, Scenario.ContractData(facts, Scenario.Post(facts.PostId, "2024-01-15")));
    }

    /// <summary>A public CDD without a post instance, in its trial period on 2024-01-16.</summary>
    static async Task<Guid> StartRunningContractAsync(EngineHarness h)
    {
        var contract = await StartRecruitedContractAsync(h);
        await h.RunUntilAsync("2024-01-16");
        Assert.Equal("TrialPeriod", await h.StateAsync(contract));
        return contract;
    }

    static AdvisorContractData ContractData(InstanceRow? row) => WorkflowJson.FromObject<AdvisorContractData>(row!.DataObject);

    static async Task<(TransitionResult? Result, Exception? Error)> OutcomeAsync(Task<TransitionResult> signal)
    {
        try { return (await signal, null); }
        catch (Exception e) { return (null, e); }
    }
}

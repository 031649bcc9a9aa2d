using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Engine;

public sealed class InstanceMigratorTests
{
    const string Definition = AdvisorContractWorkflow.DefinitionId;

    /// <summary>Every v1 state to the state of the same name in v2, except Active, now InService.</summary>
    static readonly Dictionary<string, string> FullMap =
        Enum.GetNames<ContractState>().ToDictionary(s => s, s => s == nameof(ContractState.Active) ? nameof(ContractStateV2.InService) : s);

    [Fact]
    public async Task Dry_run_lists_the_running_instances_and_their_moves_and_changes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (active, trial, recruited) = await StartThreeContractsAsync(h);
        await using var v2 = DeployV2(h);
        var before = await h.SnapshotAsync();

        var plan = await new InstanceMigrator(v2.Engine).MigrateAsync(Definition, 1, 2, FullMap, dryRun: true, "admin:test");

        Assert.Equal((Definition, 1, 2, true), (plan.DefinitionId, plan.FromVersion, plan.ToVersion, plan.DryRun));
        Assert.Equal(
            new[] { new InstanceMove(active, "Active", "InService"), new(trial, "TrialPeriod", "TrialPeriod"), new(recruited, "Recruited", "Recruited") }
                .OrderBy(m => m.InstanceId),
            plan.Moves.OrderBy(m => m.InstanceId));
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Migration_moves_running_instances_to_the_new_version_along_the_state_map()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (active, trial, recruited) = await StartThreeContractsAsync(h);
        var versions = (await h.QueryAsync<(Guid Id, int Version)>("SELECT id, version FROM workflow_instance")).ToDictionary(r => r.Id, r => r.Version);
        await using var v2 = DeployV2(h);

        var plan = await new InstanceMigrator(v2.Engine).MigrateAsync(Definition, 1, 2, FullMap, dryRun: false, "admin:test");

        Assert.False(plan.DryRun);
        Assert.Equal(3, plan.Moves.Count);
        var rows = (await h.QueryAsync<(Guid Id, string Definition, int DefinitionVersion, string State, int Version)>(
            "SELECT id, definition_id, definition_version, state, version FROM workflow_instance")).ToDictionary(r => r.Id);
        Assert.Equal((2, "InService", versions[active] + 1), (rows[active].DefinitionVersion, rows[active].State, rows[active].Version));
        Assert.Equal((2, "TrialPeriod", versions[trial] + 1), (rows[trial].DefinitionVersion, rows[trial].State, rows[trial].Version));
        Assert.Equal((2, "Recruited", versions[recruited] + 1), (rows[recruited].DefinitionVersion, rows[recruited].State, rows[recruited].Version));
        Assert.DoesNotContain(rows.Values, r => r.Definition == PostFundingWorkflow.DefinitionId && r.DefinitionVersion != 1);

        var migrated = (await InstanceQueries.JournalAsync(h.DataSource, active))[^1];
        Assert.Equal(("MigrateVersion", "Active", "InService", "admin:test"), (migrated.Trigger, migrated.FromState, migrated.ToState, migrated.Actor));
        Assert.Equal("advisor-contract v1 → v2", migrated.Reason);
        Assert.Equal(("MigrateVersion", "TrialPeriod", "TrialPeriod"), (await h.JournalAsync(trial))[^1]);

        // The timers are now v2's: only what its states arm, from the same dates.
        Assert.Equal([("contract.end", "2026-01-14")], await h.PendingTimersAsync(active));
        Assert.Equal([("trial.public", "2024-06-30")], await h.PendingTimersAsync(trial));
        Assert.Equal([("contract.start", "2024-06-03")], await h.PendingTimersAsync(recruited));

        // And v2 runs them from now on.
        await v2.RunUntilAsync("2024-07-01");
        Assert.Equal(("TrialEnded", "TrialPeriod", "InService"), (await h.JournalAsync(trial))[^1]);
        Assert.Equal(("ContractStarted", "Recruited", "TrialPeriod"), (await h.JournalAsync(recruited))[^1]);
    }

    [Fact]
    public async Task Unmapped_state_makes_the_migration_refuse_and_change_nothing()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await StartThreeContractsAsync(h);
        await using var v2 = DeployV2(h);
        var before = await h.SnapshotAsync();
        var partial = FullMap.Where(kv => kv.Key != nameof(ContractState.TrialPeriod)).ToDictionary();

        var refused = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            new InstanceMigrator(v2.Engine).MigrateAsync(Definition, 1, 2, partial, dryRun: false, "admin:test"));

        Assert.Contains("TrialPeriod", refused.Message);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task State_map_to_a_state_the_new_version_lacks_is_refused()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await StartThreeContractsAsync(h);
        await using var v2 = DeployV2(h);
        var before = await h.SnapshotAsync();
        var wrong = new Dictionary<string, string>(FullMap) { [nameof(ContractState.Active)] = "Active" };

        var refused = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            new InstanceMigrator(v2.Engine).MigrateAsync(Definition, 1, 2, wrong, dryRun: false, "admin:test"));

        Assert.Contains("Active", refused.Message);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    /// <summary>The same database seen by a process that knows both versions, as after deploying v2.</summary>
    static EngineHarness DeployV2(EngineHarness h) =>
        h.Attach(h.Clock.GetUtcNow(), [.. ShippedWorkflows.All, new AdvisorContractWorkflowV2()]);

    /// <summary>
    /// On 2024-04-15, under v1: a trained contract from 2024-01-15 in Active, a contract from 2024-04-01 in its trial
    /// (ends 2024-06-30: 3 months for 2 years), and one starting 2024-06-03, still Recruited.
    /// </summary>
    static async Task<(Guid Active, Guid Trial, Guid Recruited)> StartThreeContractsAsync(EngineHarness h)
    {
        var post = Scenario.Post(Guid.NewGuid(), "2024-01-15");
        await Scenario.StartPostAsync(h, post);
        var first = Scenario.Contract(post.Id, ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-01-14");
        var firstData = Scenario.ContractData(first, post);
        firstData.Trainings = Scenario.TrainingDone(first.AdvisorId, "2024-01-22", "2024-04-12");
        var active = await Scenario.StartContractAsync(h, firstData);
        var trial = await Scenario.StartContractAsync(h, Scenario.ContractData(
            Scenario.Contract(post.Id, ContractType.Cdd, LegalRegime.Public, "2024-04-01", "2026-03-31"), post));
        var recruited = await Scenario.StartContractAsync(h, Scenario.ContractData(
            Scenario.Contract(post.Id, ContractType.Cdd, LegalRegime.Public, "2024-06-03", "2025-06-02"), post));
        await h.RunUntilAsync("2024-04-15");
        Assert.Equal(["Active", "TrialPeriod", "Recruited"], [await h.StateAsync(active), await h.StateAsync(trial), await h.StateAsync(recruited)]);
        return (active, trial, recruited);
    }
}

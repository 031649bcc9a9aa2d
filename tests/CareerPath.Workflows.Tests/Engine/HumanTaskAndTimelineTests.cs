using System.Text.Json.Nodes;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Engine;

public sealed class HumanTaskAndTimelineTests
{
    sealed record TaskRow
    {
        public Guid Id { get; init; }
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public string? CompletedBy { get; init; }
        public string? Outcome { get; init; }
        public string? Reason { get; init; }
        public string DueOn { get; init; } = "";
        public string? EscalationOn { get; init; }
    }

    static Task<List<TaskRow>> TasksAsync(EngineHarness h, Guid instance) => h.QueryAsync<TaskRow>("""
        SELECT id, kind, status, completed_by AS CompletedBy, outcome, reason, due_on::text AS DueOn, escalation_on::text AS EscalationOn
          FROM human_task WHERE instance_id = @instance ORDER BY opened_at
        """, new { instance });

    [Fact]
    public async Task Completing_the_decision_task_records_actor_outcome_and_reason_and_takes_the_decision()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2025-09-16");
        var decision = Assert.Single(await TasksAsync(h, contract), t => t.Kind == "decision");
        Assert.Equal(("Open", "2025-11-14", "2025-11-14"), (decision.Status, decision.DueOn, decision.EscalationOn));

        var result = await h.Engine.CompleteTaskAsync(decision.Id, "Decide",
            new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Poste non reconduit" }, "hr:marie.dupont", "NotRetained", "Poste non reconduit");

        Assert.Equal("NotRetained", result.ToState);
        var done = Assert.Single(await TasksAsync(h, contract), t => t.Kind == "decision");
        Assert.Equal(("Completed", "hr:marie.dupont", "NotRetained", "Poste non reconduit"), (done.Status, done.CompletedBy, done.Outcome, done.Reason));
        await Assert.ThrowsAsync<WorkflowInputException>(() => h.Engine.CompleteTaskAsync(decision.Id, "Decide",
            new JsonObject { ["kind"] = "PermanentHireCdi", ["reason"] = "x" }, "hr:other", "PermanentHireCdi", "x"));
        Assert.Equal("NotRetained", await h.StateAsync(contract));
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => h.Engine.CompleteTaskAsync(Guid.NewGuid(), "Decide", null, "hr", "x", null));
    }

    [Fact]
    public async Task Timeline_lists_past_transitions_fired_timers_and_coming_milestones_with_their_explanations()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2024-05-02");

        var timeline = await InstanceQueries.TimelineAsync(h.DataSource, contract);

        Assert.NotNull(timeline);
        Assert.Equal(["Start", "ContractStarted", "TrainingStartDue", "TrialEnded"], timeline!.Past.Select(p => p.Trigger));
        Assert.Contains(timeline.Fired, t => t.RuleId == "trial.public" && t.DueOn == new DateOnly(2024, 4, 14));
        Assert.Equal(timeline.Coming.OrderBy(t => t.DueAt).Select(t => t.Id), timeline.Coming.Select(t => t.Id));
        var notice = Assert.Single(timeline.Coming, t => t.RuleId == "notice.public-contract");
        Assert.Equal(new DateOnly(2025, 11, 14), notice.DueOn);
        Assert.Contains("Décret n° 88-145", notice.Description);
        Assert.Contains("2 ans ou plus", notice.Description);
        Assert.Null(await InstanceQueries.TimelineAsync(h.DataSource, Guid.NewGuid()));
    }
}

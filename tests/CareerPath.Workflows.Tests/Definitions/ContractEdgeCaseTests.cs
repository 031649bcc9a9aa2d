using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Definitions;

public sealed class ContractEdgeCaseTests
{
    [Fact]
    public async Task Permanent_hire_at_the_contract_end_leaves_the_post_to_its_advisor_not_vacant()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (post, contract, _) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2025-09-16");
        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "PermanentHireCdi", ["reason"] = "Besoin permanent" });

        await h.RunUntilAsync("2026-03-01");

        Assert.Equal("Ended", await h.StateAsync(contract));
        Assert.NotEqual("Vacant", await h.StateAsync(post));
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM outbox_message WHERE template_id IN ('post-vacant', 'refill-deadline')"));
    }

    [Fact]
    public async Task Amendment_after_the_mid_contract_review_does_not_ask_for_the_review_again()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2025-01-20");
        Assert.Equal("MidContractReview", await h.StateAsync(contract));
        await h.SignalAsync(contract, ReviewCompleted);

        // Six more months move the midpoint to 14 April 2025, after the review was held.
        await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2026-07-14", ["reason"] = "Prolongation" });
        await h.RunUntilAsync("2025-05-02");

        Assert.NotEqual("MidContractReview", await h.StateAsync(contract));
        Assert.Equal(1, await h.CountAsync("SELECT count(*)::int FROM human_task WHERE instance_id = @contract AND kind = 'mid-contract-review'", new { contract }));
    }

    [Fact]
    public async Task Decision_log_records_the_role_of_who_decided_never_the_person()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2025-09-16");

        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Fin du projet" }, actor: "hr:marie.dupont@mairie-exemple.fr");

        var entry = Assert.Single(await DecisionAuditLog.ReadAsync(h.DataSource));
        Assert.Equal("hr", entry.Actor);
        Assert.DoesNotContain("marie", entry.Details);
        Assert.DoesNotContain("Fin du projet", entry.Details);
        Assert.Equal(1, await h.CountAsync("SELECT count(*)::int FROM workflow_journal WHERE actor = 'hr:marie.dupont@mairie-exemple.fr' AND trigger = 'Decide'"));
    }

    [Fact]
    public async Task Deciding_the_end_of_an_open_ended_contract_is_refused_clearly()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var post = Scenario.Post(Guid.NewGuid(), "2024-01-15");
        var contract = await Scenario.StartContractAsync(h, Scenario.ContractData(Scenario.Contract(post.Id, ContractType.Cdi, LegalRegime.Public, "2024-01-15", null), post));
        await h.RunUntilAsync("2024-05-01");
        var version = (await h.Engine.GetAsync(contract))!.Version;

        var error = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "x" }));

        Assert.Contains("CDI", error.Message);
        Assert.Equal(version, (await h.Engine.GetAsync(contract))!.Version);
    }

    [Fact]
    public async Task A_contract_ending_before_it_starts_is_refused_and_nothing_is_written()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var post = Scenario.Post(Guid.NewGuid(), "2024-01-15");
        var bad = Scenario.ContractData(Scenario.Contract(post.Id, ContractType.Cdd, LegalRegime.Public, "2024-06-01", "2024-01-31"), post);

        var error = await Assert.ThrowsAsync<WorkflowInputException>(() => Scenario.StartContractAsync(h, bad));

        Assert.Contains("précède son début", error.Message);
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM workflow_instance"));
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM workflow_timer"));
    }
}

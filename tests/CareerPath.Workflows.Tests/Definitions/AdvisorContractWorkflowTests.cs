using System.Text.Json.Nodes;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Definitions;

public sealed class AdvisorContractWorkflowTests
{
    [Fact]
    public async Task Public_cdd_from_recruitment_to_permanent_hire_and_follow_up()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (post, contract, _) = await Scenario.StartPublicCddAsync(h);

        Assert.Equal("Recruited", await h.StateAsync(contract));
        Assert.Equal("Occupied", await h.StateAsync(post));

        await h.RunUntilAsync("2024-01-20");
        Assert.Equal("TrialPeriod", await h.StateAsync(contract));

        await h.SignalAsync(contract, TrainingScheduled, Scenario.Training("2024-02-05", "2024-04-26"));
        await h.RunUntilAsync("2024-04-29");
        Assert.Equal("InitialTraining", await h.StateAsync(contract));
        await h.SignalAsync(contract, TrainingCompleted, new JsonObject { ["completedOn"] = "2024-04-26" });
        Assert.Equal("AwaitingCertification", await h.StateAsync(contract));
        await h.SignalAsync(contract, ExamPassed, new JsonObject { ["exam"] = "Pix" });
        Assert.Equal("AwaitingCertification", await h.StateAsync(contract));
        await h.SignalAsync(contract, ExamPassed, new JsonObject { ["exam"] = "Ccp1" });
        Assert.Equal("Active", await h.StateAsync(contract));

        await h.RunUntilAsync("2025-01-20");
        Assert.Equal("MidContractReview", await h.StateAsync(contract));
        await h.SignalAsync(contract, ReviewCompleted);
        Assert.Equal("Active", await h.StateAsync(contract));

        // 2 years of service: notice of 2 months before 14 January 2026, i.e. 14 November 2025 (a Friday);
        // reminders 60, 30 and 7 days before it.
        await h.RunUntilAsync("2025-09-16");
        Assert.Equal("DecisionPending", await h.StateAsync(contract));
        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "PermanentHireCdi", ["reason"] = "Besoin permanent" });
        Assert.Equal("Hired", await h.StateAsync(contract));

        await h.RunUntilAsync("2027-02-01");
        Assert.Equal("Closed", await h.StateAsync(contract));

        Assert.Equal(
        [
            ("Start", "Created", "Recruited"),
            ("ContractStarted", "Recruited", "TrialPeriod"),
            ("TrainingScheduled", "TrialPeriod", "TrialPeriod"),
            ("TrialEnded", "TrialPeriod", "InitialTraining"),
            ("TrainingCompleted", "InitialTraining", "AwaitingCertification"),
            ("ExamPassed", "AwaitingCertification", "AwaitingCertification"),
            ("ExamPassed", "AwaitingCertification", "Active"),
            ("MidContractReviewDue", "Active", "MidContractReview"),
            ("ReviewCompleted", "MidContractReview", "Active"),
            ("DecisionReminder", "Active", "DecisionPending"),
            ("Decide", "DecisionPending", "Hired"),
            ("ContractEnded", "Hired", "Ended"),
            ("FollowUpDue", "Ended", "FollowUp"),
            ("FinalFollowUpDue", "FollowUp", "Closed"),
        ], (await h.JournalAsync(contract)).Where(j => j.Trigger != "ThematicModuleDue").ToList());
    }
}

using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Definitions;

// Every date below is computed by hand from the rules, for a public CDD from 2024-01-15 to 2026-01-14
// (2 years of service) unless a test says otherwise:
//   trial (public, 2 years or more: capped at 3 months)      2024-01-15 + 3 months - 1 day = 2024-04-14
//   mid-contract review (midpoint of 730 days)                2025-01-14
//   notice (décret 88-145 art. 38-1, 2 years: 2 months)      2026-01-14 - 2 months = 2025-11-14 (Friday)
//   decision reminders 60/30/7 days before the notice        2025-09-15, 2025-10-15, 2025-11-07
//   follow-ups 6 and 12 months after the end                 2026-07-14 (Bastille Day) → 13th, 2027-01-14
public sealed class AdvisorContractWorkflowTests
{
    const string Advisor = "camille.martin@mairie-exemple.fr";
    const string Hr = Scenario.HrEmail;
    const string HrLead = Scenario.HrLeadEmail;

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

        // The training was scheduled before its start-due reminder (2024-02-15), so that timer never fired; the
        // first thematic-module deadline is the training start plus one year (2025-02-05); the decision came after
        // the first reminder, which removed the other reminders and the notice timer.
        Assert.Equal(
        [
            ("contract.start", "2024-01-15"),
            ("trial.public", "2024-04-14"),
            ("review.mid-contract", "2025-01-14"),
            ("training.thematic-modules:first-year", "2025-02-05"),
            ("decision.reminders:60", "2025-09-15"),
            ("contract.end", "2026-01-14"),
            ("followup.6-months", "2026-07-13"),
            ("followup.12-months", "2027-01-14"),
        ], await h.FiredTimersAsync(contract));

        var outbox = await h.OutboxAsync(contract);
        Assert.Equal(
        [
            ("welcome", "advisor", Advisor),
            ("milestones", "advisor", Advisor),            // training scheduled
            ("milestones", "advisor", Advisor),            // exams to take
            ("mid-contract-review", "hr", Hr),
            ("thematic-module-due", "advisor", Advisor),
            ("decision-reminder", "hr", Hr),
            ("decision-recorded", "advisor", Advisor),     // the decision, to the advisor and the HR lead
            ("decision-recorded", "hr-lead", HrLead),
            ("follow-up", "hr", Hr),
            ("follow-up", "hr", Hr),
        ], outbox.Select(o => (o.Template, o.Role, o.Address)).ToList());
        Assert.Equal(("2025-11-14", "false"), (outbox[6]["noticeDeadline"], outbox[6]["late"]));
        Assert.Equal("2024-01-15", outbox[0]["contractStart"]);
        Assert.Equal(("2024-02-05", "2024-04-26"), (outbox[1]["trainingStart"], outbox[1]["trainingEnd"]));
        // Training completed 2024-04-26 + 6 months = 2024-10-26, a Saturday: the previous working day.
        Assert.Equal("2024-10-25", outbox[2]["examDeadline"]);
        Assert.Equal("2025-01-14", outbox[3]["dueOn"]);
        Assert.Equal("2025-02-05", outbox[4]["dueOn"]);
        Assert.Equal(("2025-11-14", "notice.public-contract", "2026-01-14"), (outbox[5]["noticeDeadline"], outbox[5]["ruleId"], outbox[5]["contractEnd"]));
        Assert.Equal(("6", "12"), (outbox[8]["months"], outbox[9]["months"]));
        Assert.All(outbox, o => Assert.Equal("Camille Martin", o["advisorName"]));

        // The post heard of the permanent hire, so funding its end closes it.
        Assert.Equal("Closed", await h.StateAsync(post));
        Assert.Equal(["tranche-due", "funding-ending"], (await h.OutboxAsync(post)).Select(o => o.Template).ToList());
    }

    [Fact]
    public async Task Renewal_starts_a_new_contract_instance_and_closes_the_old_one_at_its_end()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (post, contract, data) = await StartTrainedPublicCddAsync(h);

        await h.RunUntilAsync("2025-01-20");
        await h.SignalAsync(contract, ReviewCompleted);
        await h.RunUntilAsync("2025-09-16");
        Assert.Equal("DecisionPending", await h.StateAsync(contract));

        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "Renewal", ["reason"] = "Poste reconduit", ["newEnd"] = "2027-01-14" });
        Assert.Equal("Renewed", await h.StateAsync(contract));

        var renewed = (await h.QueryAsync<(Guid Id, Guid Subject, Guid? Parent)>(
            "SELECT id, subject_id, parent_id FROM workflow_instance WHERE parent_id = @contract", new { contract })).Single();
        Assert.Equal(contract, renewed.Parent);
        var next = (await h.Engine.GetAsync(renewed.Id))!;
        Assert.Equal(("advisor-contract", "Recruited"), (next.DefinitionId, next.State));
        var nextData = WorkflowJson.FromObject<AdvisorContractData>(next.DataObject);
        Assert.Equal(renewed.Subject, nextData.Contract.Id);
        Assert.Equal(data.Contract.Id, nextData.Contract.PreviousContractId);
        Assert.Equal((EngineHarness.D("2026-01-15"), EngineHarness.D("2027-01-14")), (nextData.Contract.Start, nextData.Contract.End));
        Assert.True(nextData.InitialTrainingDone);
        // The renewal has its own record, linked to the contract before it, which keeps the decision.
        var records = await h.QueryAsync<(Guid Id, Guid? Previous, string? Decision, DateOnly? NewEnd)>(
            "SELECT id, previous_contract_id, decision_kind, decision_new_end FROM contract WHERE advisor_id = @advisor ORDER BY start_date",
            new { advisor = data.Contract.AdvisorId });
        Assert.Equal([(data.Contract.Id, null, "Renewal", EngineHarness.D("2027-01-14")), (renewed.Subject, data.Contract.Id, null, null)], records);
        // Signed for a later start, it shows its deadlines from now: its start first, then its notice and its end.
        var renewedTimers = await h.PendingTimersAsync(renewed.Id);
        Assert.Equal(("contract.start", "2026-01-15"), renewedTimers[0]);
        Assert.Contains(renewedTimers, t => t.Name.StartsWith("notice.public-contract"));
        Assert.Contains(("contract.end", "2027-01-14"), renewedTimers);

        // The decision is in the audit log, with the new end and no name.
        var audit = Assert.Single(await DecisionAuditLog.ReadAsync(h.DataSource));
        Assert.Equal((contract, "Renewal"), (audit.InstanceId, audit.Kind));
        var details = JsonNode.Parse(audit.Details)!;
        Assert.Equal(("2027-01-14", false, data.Contract.Id.ToString()),
            (details["newEnd"]!.GetValue<string>(), details["late"]!.GetValue<bool>(), details["contractId"]!.GetValue<string>()));
        Assert.DoesNotContain("Camille", audit.Details);

        // The post now belongs to the renewed contract.
        var postData = WorkflowJson.FromObject<PostFundingData>((await h.Engine.GetAsync(post!.Value))!.DataObject);
        Assert.Equal(renewed.Subject, postData.CurrentContractId);

        await h.RunUntilAsync("2026-01-16");
        Assert.Equal("Closed", await h.StateAsync(contract));
        Assert.NotNull((await h.Engine.GetAsync(contract))!.ClosedAt);
        Assert.Equal(
        [
            ("Start", "Created", "Recruited"),
            ("ContractStarted", "Recruited", "TrialPeriod"),
            ("TrialEnded", "TrialPeriod", "Active"),
            ("MidContractReviewDue", "Active", "MidContractReview"),
            ("ReviewCompleted", "MidContractReview", "Active"),
            ("ThematicModuleDue", "Active", "Active"),
            ("DecisionReminder", "Active", "DecisionPending"),
            ("Decide", "DecisionPending", "Renewed"),
            ("ContractEnded", "Renewed", "Closed"),
        ], await h.JournalAsync(contract));
        Assert.Equal(
        [
            ("contract.start", "2024-01-15"),
            ("trial.public", "2024-04-14"),
            ("review.mid-contract", "2025-01-14"),
            ("training.thematic-modules:first-year", "2025-01-22"),
            ("decision.reminders:60", "2025-09-15"),
            ("contract.end", "2026-01-14"),
        ], await h.FiredTimersAsync(contract));

        // Training done: no trial period and no training, straight to Active on the day after the old end.
        Assert.Equal([("Start", "Created", "Recruited"), ("ContractStarted", "Recruited", "Active")],
            (await h.JournalAsync(renewed.Id)).Where(j => j.Trigger != "ThematicModuleDue").ToList());
        Assert.Equal("Active", await h.StateAsync(renewed.Id));
        Assert.Equal([("contract.start", "2026-01-15")], (await h.FiredTimersAsync(renewed.Id)).Take(1));
        // 2026-01-15 → 2027-01-14 after 2 contiguous years: 3 years of service, notice 2 months → 2026-11-14, a Saturday → 13th.
        var pending = await h.PendingTimersAsync(renewed.Id);
        Assert.Contains(("review.mid-contract", "2026-07-16"), pending);
        Assert.Contains(("decision.reminders:60", "2026-09-14"), pending);
        Assert.Contains(("notice.public-contract", "2026-11-13"), pending);
        Assert.Contains(("contract.end", "2027-01-14"), pending);
        Assert.DoesNotContain(pending, t => t.Name.StartsWith("trial."));
    }

    [Fact]
    public async Task Renewed_contract_does_not_replay_the_thematic_deadline_its_predecessor_already_reminded()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await StartTrainedPublicCddAsync(h);
        await h.RunUntilAsync("2025-09-16");
        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "Renewal", ["reason"] = "Poste reconduit", ["newEnd"] = "2027-01-14" });
        var renewed = (await h.QueryAsync<Guid>("SELECT id FROM workflow_instance WHERE parent_id = @contract", new { contract })).Single();

        await h.RunUntilAsync("2026-01-16");

        // The first-year thematic deadline (training start 2024-01-22 + 1 year) fell during the first contract and was
        // reminded then; the renewed contract's first day must not remind it again as if it were due that day.
        Assert.Contains(("training.thematic-modules:first-year", "2025-01-22"), await h.FiredTimersAsync(contract));
        Assert.Empty((await h.OutboxAsync(renewed)).Where(o => o.Template == "thematic-module-due").Select(o => $"thematic-module-due, dueOn {o["dueOn"]}"));
        Assert.DoesNotContain(await h.FiredTimersAsync(renewed), t => t.DueOn.CompareTo("2026-01-15") < 0);
    }

    [Fact]
    public async Task Not_retained_contract_ends_at_its_term_then_follows_up_at_six_and_twelve_months()
    {
        // Contract 2024-01-15 → 2026-02-14 (2 years 1 month): notice 2 months → 2025-12-14, a Sunday → Friday 12th;
        // reminders 2025-10-13, 2025-11-12, 2025-12-05; review at the midpoint 2025-01-29; follow-ups 2026-08-14 and
        // 2027-02-14, a Sunday → 2027-02-12. No post-funding instance runs here: what the post makes of the contract's
        // end is Not_retained_contract_end_vacates_the_post_with_its_refill_deadline.
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, facts) = await StartNotRetainedScenarioAsync(h, withPost: false);

        await h.RunUntilAsync("2025-01-30");
        Assert.Equal("MidContractReview", await h.StateAsync(contract));
        await h.SignalAsync(contract, ReviewCompleted);
        await h.RunUntilAsync("2025-10-14");
        Assert.Equal("DecisionPending", await h.StateAsync(contract));
        Assert.Equal(
            [("decision.reminders:30", "2025-11-12"), ("decision.reminders:7", "2025-12-05"), ("notice.public-contract", "2025-12-12"), ("contract.end", "2026-02-14")],
            await h.PendingTimersAsync(contract));

        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Fin du besoin" });
        Assert.Equal("NotRetained", await h.StateAsync(contract));
        Assert.Equal([("contract.end", "2026-02-14")], await h.PendingTimersAsync(contract));

        await h.RunUntilAsync("2026-02-14");
        Assert.Equal("Ended", await h.StateAsync(contract));
        Assert.Equal([("followup.6-months", "2026-08-14")], await h.PendingTimersAsync(contract));

        await h.RunUntilAsync("2026-08-14");
        Assert.Equal("FollowUp", await h.StateAsync(contract));
        Assert.Contains(("outcome-6", "Open", "hr"), await h.TasksAsync(contract));
        await h.SignalAsync(contract, OutcomeRecorded, new JsonObject { ["at"] = "Month6", ["kind"] = "JobSeeker" });
        var outcome = Assert.Single(WorkflowJson.FromObject<AdvisorContractData>((await h.Engine.GetAsync(contract))!.DataObject).Outcomes);
        Assert.Equal((FollowUpPoint.Month6, OutcomeKind.JobSeeker, facts.Id), (outcome.At, outcome.Kind, outcome.ContractId));
        Assert.Contains(("outcome-6", "Completed", "hr"), await h.TasksAsync(contract));

        await h.RunUntilAsync("2027-02-12");
        Assert.Equal("Closed", await h.StateAsync(contract));

        Assert.Equal(
        [
            ("Start", "Created", "Recruited"),
            ("ContractStarted", "Recruited", "TrialPeriod"),
            ("TrialEnded", "TrialPeriod", "Active"),
            ("ThematicModuleDue", "Active", "Active"),
            ("MidContractReviewDue", "Active", "MidContractReview"),
            ("ReviewCompleted", "MidContractReview", "Active"),
            ("DecisionReminder", "Active", "DecisionPending"),
            ("Decide", "DecisionPending", "NotRetained"),
            ("ContractEnded", "NotRetained", "Ended"),
            ("FollowUpDue", "Ended", "FollowUp"),
            ("OutcomeRecorded", "FollowUp", "FollowUp"),
            ("FinalFollowUpDue", "FollowUp", "Closed"),
        ], await h.JournalAsync(contract));
        Assert.Equal(
        [
            ("contract.start", "2024-01-15"),
            ("trial.public", "2024-04-14"),
            ("training.thematic-modules:first-year", "2025-01-22"),
            ("review.mid-contract", "2025-01-29"),
            ("decision.reminders:60", "2025-10-13"),
            ("contract.end", "2026-02-14"),
            ("followup.6-months", "2026-08-14"),
            ("followup.12-months", "2027-02-12"),
        ], await h.FiredTimersAsync(contract));

        var outbox = await h.OutboxAsync(contract);
        Assert.Equal(
        [
            ("welcome", "advisor", Advisor),
            ("thematic-module-due", "advisor", Advisor),
            ("mid-contract-review", "hr", Hr),
            ("decision-reminder", "hr", Hr),
            ("decision-recorded", "advisor", Advisor),
            ("decision-recorded", "hr-lead", HrLead),
            ("follow-up", "hr", Hr),
            ("follow-up", "hr", Hr),
        ], outbox.Select(o => (o.Template, o.Role, o.Address)).ToList());
        Assert.Equal("2025-12-12", outbox[3]["noticeDeadline"]);
        Assert.Equal(("NotRetained", "2025-12-12"), (outbox[4]["decision"], outbox[4]["noticeDeadline"]));
        Assert.Equal(("6", "2026-02-14"), (outbox[6]["months"], outbox[6]["contractEnd"]));
        Assert.Equal("12", outbox[7]["months"]);
        Assert.Equal("NotRetained", Assert.Single(await DecisionAuditLog.ReadAsync(h.DataSource)).Kind);
    }

    [Fact]
    public async Task Not_retained_contract_end_vacates_the_post_with_its_refill_deadline()
    {
        // The same contract on a post funded by a 36-month convention (to 2027-01-07), still funded when the contract ends.
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (post, contract, _) = await StartNotRetainedScenarioAsync(h, withPost: true);
        await h.RunUntilAsync("2025-10-14");
        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Fin du besoin" });

        await h.RunUntilAsync("2026-02-14");

        Assert.Empty(await Incidents.ListAsync(h.DataSource));
        Assert.Equal("Ended", await h.StateAsync(contract));
        Assert.Equal("Vacant", await h.StateAsync(post!.Value));
        // Contract end 2026-02-14 + 3 months = 2026-05-14, Ascension Day → Wednesday 13th.
        var vacant = Assert.Single(await h.OutboxAsync(post!.Value), o => o.Template == "post-vacant");
        Assert.Equal(("hr", Hr, "2026-05-13"), (vacant.Role, vacant.Address, vacant["refillDeadline"]));
        Assert.Contains(("refill", "2026-05-13"), await h.PendingTimersAsync(post!.Value));
    }

    [Fact]
    public async Task Early_termination_from_active_ends_the_contract_on_its_date_and_moves_the_follow_ups()
    {
        // No post-funding instance: the post's side is Early_termination_vacates_the_post_from_the_termination_date.
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await StartTrainedPublicCddAsync(h, withPost: false);
        await h.RunUntilAsync("2025-01-20");
        await h.SignalAsync(contract, ReviewCompleted);
        await h.RunUntilAsync("2025-03-03");
        Assert.Equal("Active", await h.StateAsync(contract));
        Assert.Equal(
        [
            ("decision.reminders:60", "2025-09-15"), ("decision.reminders:30", "2025-10-15"), ("decision.reminders:7", "2025-11-07"),
            ("notice.public-contract", "2025-11-14"), ("contract.end", "2026-01-14"),
        ], await h.PendingTimersAsync(contract));

        var result = await h.SignalAsync(contract, EarlyTerminate, new JsonObject { ["date"] = "2025-02-28", ["reason"] = "Resignation" });

        Assert.Equal(("Active", "EarlyTerminated"), (result.FromState, result.ToState));
        var data = WorkflowJson.FromObject<AdvisorContractData>((await h.Engine.GetAsync(contract))!.DataObject);
        Assert.Equal(new EarlyTermination(EngineHarness.D("2025-02-28"), TerminationReason.Resignation), data.Contract.EarlyTermination);
        // Reminders, notice and contract end are gone; the follow-ups count from the termination date: 2025-08-28.
        Assert.Equal([("followup.6-months", "2025-08-28")], await h.PendingTimersAsync(contract));
        Assert.DoesNotContain(await h.TasksAsync(contract), t => t.Status == "Open");
        var journal = await InstanceQueries.JournalAsync(h.DataSource, contract);
        Assert.Contains("Fin anticipée le 2025-02-28", journal[^1].Reason);

        // 2025-02-28 + 12 months = 2026-02-28, a Saturday → Friday 27th.
        await h.RunUntilAsync("2026-03-02");
        Assert.Equal("Closed", await h.StateAsync(contract));
        Assert.Equal(
        [
            ("contract.start", "2024-01-15"),
            ("trial.public", "2024-04-14"),
            ("review.mid-contract", "2025-01-14"),
            ("training.thematic-modules:first-year", "2025-01-22"),
            ("followup.6-months", "2025-08-28"),
            ("followup.12-months", "2026-02-27"),
        ], await h.FiredTimersAsync(contract));
        Assert.Equal(
        [
            ("EarlyTerminate", "Active", "EarlyTerminated"),
            ("FollowUpDue", "EarlyTerminated", "FollowUp"),
            ("FinalFollowUpDue", "FollowUp", "Closed"),
        ], (await h.JournalAsync(contract))[^3..]);
        Assert.DoesNotContain(await h.OutboxAsync(contract), o => o.Template is "decision-reminder" or "decision-overdue");
    }

    [Fact]
    public async Task Early_termination_vacates_the_post_from_the_termination_date()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (post, contract, _) = await StartTrainedPublicCddAsync(h);
        await h.RunUntilAsync("2025-03-03");

        await h.SignalAsync(contract, EarlyTerminate, new JsonObject { ["date"] = "2025-02-28", ["reason"] = "Resignation" });

        Assert.Equal("EarlyTerminated", await h.StateAsync(contract));
        Assert.Equal("Vacant", await h.StateAsync(post!.Value));
        // Refill by 2025-02-28 + 3 months = 2025-05-28 (a Wednesday).
        Assert.Equal("2025-05-28", Assert.Single(await h.OutboxAsync(post!.Value), o => o.Template == "post-vacant")["refillDeadline"]);
    }

    [Fact]
    public async Task Early_termination_during_the_mid_contract_review_cancels_the_open_review_task()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await StartTrainedPublicCddAsync(h, withPost: false);
        await h.RunUntilAsync("2025-01-20");
        Assert.Equal([("mid-contract-review", "Open", "hr")], await h.TasksAsync(contract));

        await h.SignalAsync(contract, EarlyTerminate, new JsonObject { ["date"] = "2025-01-17", ["reason"] = "Dismissal" });

        Assert.Equal("EarlyTerminated", await h.StateAsync(contract));
        Assert.Equal([("mid-contract-review", "Cancelled", "hr")], await h.TasksAsync(contract));
    }

    [Fact]
    public async Task Failed_trial_ends_the_contract_then_follows_up_and_closes()
    {
        // No post-funding instance: a failed trial vacates the post like any early end (see the early-termination tests).
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Contract(Guid.NewGuid(), ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-01-14");
        var contract = await Scenario.StartContractAsync(h, Scenario.ContractData(facts, Scenario.Post(facts.PostId, "2024-01-15")));
        await h.RunUntilAsync("2024-03-01");
        Assert.Equal("TrialPeriod", await h.StateAsync(contract));

        await h.SignalAsync(contract, TrialFailed);

        Assert.Equal("TrialFailed", await h.StateAsync(contract));
        var data = WorkflowJson.FromObject<AdvisorContractData>((await h.Engine.GetAsync(contract))!.DataObject);
        Assert.True(data.TrialFailed);
        Assert.Equal(new EarlyTermination(EngineHarness.D("2024-03-01"), TerminationReason.TrialFailed), data.Contract.EarlyTermination);

        // Follow-ups: 2024-09-01 (Sunday) → 2024-08-30; 2025-03-01 (Saturday) → 2025-02-28.
        await h.RunUntilAsync("2025-03-03");
        Assert.Equal("Closed", await h.StateAsync(contract));
        Assert.Equal(
        [
            ("Start", "Created", "Recruited"),
            ("ContractStarted", "Recruited", "TrialPeriod"),
            ("TrainingStartDue", "TrialPeriod", "TrialPeriod"),
            ("TrialFailed", "TrialPeriod", "TrialFailed"),
            ("FollowUpDue", "TrialFailed", "FollowUp"),
            ("FinalFollowUpDue", "FollowUp", "Closed"),
        ], await h.JournalAsync(contract));
        Assert.Equal(
        [
            ("contract.start", "2024-01-15"),
            ("training.start-due", "2024-02-15"),
            ("followup.6-months", "2024-08-30"),
            ("followup.12-months", "2025-02-28"),
        ], await h.FiredTimersAsync(contract));
        Assert.Equal(
        [
            ("welcome", "advisor", Advisor),
            ("training-start", "hr", Hr),
            ("follow-up", "hr", Hr),
            ("follow-up", "hr", Hr),
        ], (await h.OutboxAsync(contract)).Select(o => (o.Template, o.Role, o.Address)).ToList());
    }

    [Fact]
    public async Task Missed_notice_deadline_is_journaled_and_escalated_to_the_hr_lead()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await StartTrainedPublicCddAsync(h);
        await h.RunUntilAsync("2025-01-20");
        await h.SignalAsync(contract, ReviewCompleted);

        await h.RunUntilAsync("2025-11-14");

        Assert.Equal("DecisionPending", await h.StateAsync(contract));
        var last = (await InstanceQueries.JournalAsync(h.DataSource, contract))[^1];
        Assert.Equal(("NoticeDeadline", "DecisionPending", "DecisionPending", "timer"), (last.Trigger, last.FromState, last.ToState, last.Actor));
        Assert.Contains("Délai de prévenance dépassé le 2025-11-14", last.Reason);

        var outbox = await h.OutboxAsync(contract);
        Assert.Equal(["2025-11-14", "2025-11-14", "2025-11-14"],
            outbox.Where(o => o.Template == "decision-reminder").Select(o => o["noticeDeadline"]));
        var overdue = Assert.Single(outbox, o => o.Template == "decision-overdue");
        Assert.Equal(("hr-lead", HrLead, "2025-11-14", "2026-01-14"), (overdue.Role, overdue.Address, overdue["noticeDeadline"], overdue["contractEnd"]));
        Assert.Equal("decision-overdue", outbox[^1].Template);

        Assert.Equal([("decision", "Open", "hr"), ("decision-escalation", "Open", "hr-lead")],
            (await h.TasksAsync(contract)).Where(t => t.Kind.StartsWith("decision")).ToList());
        Assert.True(WorkflowJson.FromObject<AdvisorContractData>((await h.Engine.GetAsync(contract))!.DataObject).NoticeDeadlineMissed);
        Assert.Equal(
        [
            ("decision.reminders:60", "2025-09-15"), ("decision.reminders:30", "2025-10-15"),
            ("decision.reminders:7", "2025-11-07"), ("notice.public-contract", "2025-11-14"),
        ], (await h.FiredTimersAsync(contract))[^4..]);
    }

    [Fact]
    public async Task Decision_after_notice_deadline_is_flagged_late()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await StartTrainedPublicCddAsync(h);
        await h.RunUntilAsync("2025-11-20");

        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Fin du besoin" });

        var details = JsonNode.Parse(Assert.Single(await DecisionAuditLog.ReadAsync(h.DataSource)).Details)!;
        Assert.True(details["late"]!.GetValue<bool>());
        Assert.Equal(("2025-11-20", "2025-11-14"), (details["notifiedOn"]!.GetValue<string>(), details["noticeDeadline"]!.GetValue<string>()));
        Assert.Contains("après le délai de prévenance", (await InstanceQueries.JournalAsync(h.DataSource, contract))[^1].Reason);
        // The escalation is settled by the decision.
        Assert.Contains(("decision-escalation", "Completed", "hr-lead"), await h.TasksAsync(contract));
    }

    [Fact]
    public async Task Decision_on_the_notice_deadline_is_not_late()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await StartTrainedPublicCddAsync(h);
        await h.RunUntilAsync("2025-11-13");

        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Fin du besoin", ["notifiedOn"] = "2025-11-14" });

        var details = JsonNode.Parse(Assert.Single(await DecisionAuditLog.ReadAsync(h.DataSource)).Details)!;
        Assert.False(details["late"]!.GetValue<bool>());
        Assert.Equal("2025-11-14", details["notifiedOn"]!.GetValue<string>());
        Assert.DoesNotContain(await h.OutboxAsync(contract), o => o.Template == "decision-overdue");
    }

    [Fact]
    public async Task Contract_amendment_extending_the_end_moves_every_dependent_timer()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await StartTrainedPublicCddAsync(h);
        await h.RunUntilAsync("2024-06-03");
        Assert.Equal("Active", await h.StateAsync(contract));
        Assert.Equal(
        [
            ("review.mid-contract", "2025-01-14"),
            ("training.thematic-modules:first-year", "2025-01-22"),
            ("decision.reminders:60", "2025-09-15"),
            ("decision.reminders:30", "2025-10-15"),
            ("decision.reminders:7", "2025-11-07"),
            ("notice.public-contract", "2025-11-14"),
            ("contract.end", "2026-01-14"),
        ], await h.PendingTimersAsync(contract));
        var firedBefore = await h.FiredTimersAsync(contract);

        var result = await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2026-07-14", ["reason"] = "Prolongation du financement" });

        Assert.Equal(("Active", "Active"), (result.FromState, result.ToState));
        // New end 2026-07-14: midpoint of 2024-01-15..2026-07-14 (911 days) is 2025-04-14; 2 years 6 months of service,
        // notice 2 months → 2026-05-14, Ascension Day → 13th; reminders 2026-03-14 (a Saturday → 13th), 2026-04-13, 2026-05-06.
        Assert.Equal(
        [
            ("training.thematic-modules:first-year", "2025-01-22"),
            ("review.mid-contract", "2025-04-14"),
            ("decision.reminders:60", "2026-03-13"),
            ("decision.reminders:30", "2026-04-13"),
            ("decision.reminders:7", "2026-05-06"),
            ("notice.public-contract", "2026-05-13"),
            ("contract.end", "2026-07-14"),
        ], await h.PendingTimersAsync(contract));
        // What already fired stays fired, once.
        Assert.Equal([("contract.start", "2024-01-15"), ("trial.public", "2024-04-14")], firedBefore);
        Assert.Equal(firedBefore, await h.FiredTimersAsync(contract));
        Assert.Equal(2, await h.CountAsync(
            "SELECT count(*)::int FROM workflow_timer WHERE instance_id = @contract AND name IN ('contract.start', 'trial.public')", new { contract }));
        Assert.Contains("Avenant : fin du contrat au 2026-07-14", (await InstanceQueries.JournalAsync(h.DataSource, contract))[^1].Reason);

        // And the moved timers fire on their new dates.
        await h.RunUntilAsync("2025-04-14");
        Assert.Equal("MidContractReview", await h.StateAsync(contract));
        Assert.Equal(("review.mid-contract", "2025-04-14"), (await h.FiredTimersAsync(contract))[^1]);
    }

    [Fact]
    public async Task Private_cdd_amendment_beyond_eighteen_months_is_refused_and_changes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartTrainedPrivateCddAsync(h);
        var before = await h.SnapshotAsync();

        // 2024-01-15 → 2025-08-14 would be 19 months.
        var refused = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2025-08-14", ["reason"] = "Prolongation" }));

        Assert.Contains("limits.private-cdd", refused.Message);
        Assert.Contains("18 mois", refused.Message);
        Assert.Equal("limits.private-cdd", refused.RuleId);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Third_renewal_of_a_private_cdd_is_refused_and_changes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var contract = await StartTrainedPrivateCddAsync(h);
        await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2025-02-14", ["reason"] = "Premier renouvellement" });
        await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2025-03-14", ["reason"] = "Second renouvellement" });
        var version = (await h.Engine.GetAsync(contract))!.Version;
        var journalRows = (await h.JournalAsync(contract)).Count;
        var timers = await h.PendingTimersAsync(contract);
        var before = await h.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<WorkflowInputException>(() =>
            h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2025-04-14", ["reason"] = "Troisième renouvellement" }));

        Assert.Contains("limits.private-cdd", refused.Message);
        Assert.Contains("L1243-13-1", refused.Message);
        Assert.Equal(version, (await h.Engine.GetAsync(contract))!.Version);
        Assert.Equal(journalRows, (await h.JournalAsync(contract)).Count);
        Assert.Equal(timers, await h.PendingTimersAsync(contract));
        Assert.Contains(("contract.end", "2025-03-14"), timers);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Recognised_disability_does_not_change_the_public_notice_period()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, withDisability, _) = await Scenario.StartPublicCddAsync(h, disabled: true);
        var (_, without, _) = await Scenario.StartPublicCddAsync(h);

        await h.RunUntilAsync("2024-01-16");

        // Décret 88-145 art. 38-1 doubles nothing for non-renewal (the capped doubling is art. 40's, for dismissal):
        // 2 years of service, 2 months before 2026-01-14, for both.
        var timers = await h.PendingTimersAsync(withDisability);
        Assert.Contains(("notice.public-contract", "2025-11-14"), timers);
        Assert.Contains(("decision.reminders:60", "2025-09-15"), timers);
        Assert.Equal(timers, await h.PendingTimersAsync(without));
    }

    /// <param name="withPost">Whether the post's own post-funding instance runs too (it hears the contract start and end).</param>
    static async Task<(Guid? Post, Guid Contract, AdvisorContractData Data)> StartTrainedPublicCddAsync(EngineHarness h, bool withPost = true)
    {
        var postFacts = Scenario.Post(Guid.NewGuid(), "2024-01-15");
        Guid? post = withPost ? await Scenario.StartPostAsync(h, postFacts) : null;
        var facts = Scenario.Contract(postFacts.Id, ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-01-14");
        var data = Scenario.ContractData(facts, postFacts);
        // Initial training from 2024-01-22: the first thematic-module deadline is 2025-01-22.
        data.Trainings = Scenario.TrainingDone(facts.AdvisorId, "2024-01-22", "2024-04-12");
        return (post, await Scenario.StartContractAsync(h, data), data);
    }

    /// <summary>A trained public CDD 2024-01-15 → 2026-02-14; its post is funded by a 36-month convention from 2024-01-08.</summary>
    static async Task<(Guid? Post, Guid Contract, Contract Facts)> StartNotRetainedScenarioAsync(EngineHarness h, bool withPost)
    {
        var postFacts = Scenario.RenewalPost(Guid.NewGuid(), "2024-01-08");
        Guid? post = withPost ? await Scenario.StartPostAsync(h, postFacts) : null;
        var facts = Scenario.Contract(postFacts.Id, ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-02-14");
        var data = Scenario.ContractData(facts, postFacts);
        data.Trainings = Scenario.TrainingDone(facts.AdvisorId, "2024-01-22", "2024-04-12");
        return (post, await Scenario.StartContractAsync(h, data), facts);
    }

    /// <summary>A private CDD 2024-01-15 → 2025-01-14 (12 months), trained, running (Active) on 2024-03-01.</summary>
    static async Task<Guid> StartTrainedPrivateCddAsync(EngineHarness h)
    {
        var postFacts = Scenario.Post(Guid.NewGuid(), "2024-01-15", LegalRegime.Private);
        await Scenario.StartPostAsync(h, postFacts);
        var facts = Scenario.Contract(postFacts.Id, ContractType.Cdd, LegalRegime.Private, "2024-01-15", "2025-01-14");
        var data = Scenario.ContractData(facts, postFacts);
        data.Trainings = Scenario.TrainingDone(facts.AdvisorId, "2024-01-22", "2024-04-12");
        var contract = await Scenario.StartContractAsync(h, data);
        await h.RunUntilAsync("2024-03-01");
        Assert.Equal("Active", await h.StateAsync(contract));
        return contract;
    }
}

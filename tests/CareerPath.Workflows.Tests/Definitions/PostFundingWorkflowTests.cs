using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using static CareerPath.Workflows.Definitions.PostTrigger;

namespace CareerPath.Workflows.Tests.Definitions;

// Unless a test says otherwise the post is funded by a first-wave public convention from 2024-02-01:
//   24 months → ends 2026-01-31, a Saturday: funding end on Friday 2026-01-30
//   alert 90 days before the end: 2025-11-02, a Sunday (and 1 November a holiday) → Friday 2025-10-31
//   recruitment deadline 3 months after the grant: 2024-05-01, May Day → Tuesday 2024-04-30
//   one tranche of 50 000 € at the start: 2024-02-01 (a Thursday)
public sealed class PostFundingWorkflowTests
{
    const string Hr = Scenario.HrEmail;
    const string HrLead = Scenario.HrLeadEmail;

    [Fact]
    public async Task Granted_post_starts_recruiting_at_convention_start_and_a_missed_recruitment_deadline_alerts_the_hr_lead()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Post(Guid.NewGuid(), "2024-02-01");
        var convention = facts.Conventions[0].Id;
        var post = await Scenario.StartPostAsync(h, facts);
        Assert.Equal("Granted", await h.StateAsync(post));
        Assert.Equal([("recruitment.grant-start", "2024-02-01")], await h.PendingTimersAsync(post));

        await h.RunUntilAsync("2024-02-01");
        Assert.Equal("Recruiting", await h.StateAsync(post));
        Assert.Equal(
            [("recruitment", "2024-04-30"), ("funding-alert", "2025-10-31"), ("funding-end", "2026-01-30")],
            await h.PendingTimersAsync(post));

        await h.RunUntilAsync("2024-05-02");
        var missed = (await InstanceQueries.JournalAsync(h.DataSource, post))[^1];
        Assert.Equal(("RecruitmentDeadline", "Recruiting", "Recruiting"), (missed.Trigger, missed.FromState, missed.ToState));
        Assert.Contains("Délai de recrutement dépassé", missed.Reason);
        Assert.True(WorkflowJson.FromObject<PostFundingData>((await h.Engine.GetAsync(post))!.DataObject).RecruitmentDeadlineMissed);

        // A contract starts on the post: the post hears it from the contract's instance.
        var contract = Scenario.Contract(facts.Id, ContractType.Cdd, LegalRegime.Public, "2024-06-03", "2025-06-02");
        await Scenario.StartContractAsync(h, Scenario.ContractData(contract, facts));
        Assert.Equal("Occupied", await h.StateAsync(post));
        Assert.Equal(contract.Id, WorkflowJson.FromObject<PostFundingData>((await h.Engine.GetAsync(post))!.DataObject).CurrentContractId);
        Assert.Equal([("funding-alert", "2025-10-31"), ("funding-end", "2026-01-30")], await h.PendingTimersAsync(post));

        Assert.Equal(
        [
            ("Start", "Created", "Granted"),
            ("ConventionStarted", "Granted", "Recruiting"),
            ("TrancheDue", "Recruiting", "Recruiting"),
            ("RecruitmentDeadline", "Recruiting", "Recruiting"),
            ("AdvisorHired", "Recruiting", "Occupied"),
        ], await h.JournalAsync(post));
        Assert.Equal(
            [("recruitment.grant-start", "2024-02-01"), ($"funding.tranches:{convention}:1", "2024-02-01"), ("recruitment", "2024-04-30")],
            await h.FiredTimersAsync(post));
        var outbox = await h.OutboxAsync(post);
        Assert.Equal([("tranche-due", "hr", Hr), ("recruitment-deadline", "hr-lead", HrLead)], outbox.Select(o => (o.Template, o.Role, o.Address)).ToList());
        Assert.All(outbox, o => Assert.Equal(("2026-01-31", facts.Id.ToString()), (o["fundingEnd"], o["postId"])));
    }

    [Fact]
    public async Task Ended_contract_vacates_the_post_and_a_missed_refill_deadline_alerts_the_hr_lead()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Post(Guid.NewGuid(), "2024-02-01");
        var post = await Scenario.StartPostAsync(h, facts);
        // Recruited before the convention starts: straight from Granted to Occupied.
        var first = Scenario.Contract(facts.Id, ContractType.Cdd, LegalRegime.Public, "2024-06-03", "2024-12-02");
        await Scenario.StartContractAsync(h, Scenario.ContractData(first, facts));
        Assert.Equal("Occupied", await h.StateAsync(post));

        await h.RunUntilAsync("2024-12-02");

        Assert.Empty(await Incidents.ListAsync(h.DataSource));
        Assert.Equal("Vacant", await h.StateAsync(post));
        // 2024-12-02 + 3 months = 2025-03-02, a Sunday → Friday 2025-02-28.
        var vacant = Assert.Single(await h.OutboxAsync(post), o => o.Template == "post-vacant");
        Assert.Equal(("hr", Hr, "2025-02-28"), (vacant.Role, vacant.Address, vacant["refillDeadline"]));
        Assert.Contains(("refill", "2025-02-28"), await h.PendingTimersAsync(post));

        await h.RunUntilAsync("2025-03-03");
        var refill = Assert.Single(await h.OutboxAsync(post), o => o.Template == "refill-deadline");
        Assert.Equal(("hr-lead", HrLead), (refill.Role, refill.Address));

        var second = Scenario.Contract(facts.Id, ContractType.Cdd, LegalRegime.Public, "2025-03-17", "2027-03-16");
        await Scenario.StartContractAsync(h, Scenario.ContractData(second, facts));
        Assert.Equal("Occupied", await h.StateAsync(post));
        Assert.Equal(
        [
            ("Start", "Created", "Granted"),
            ("AdvisorHired", "Granted", "Occupied"),
            ("TrancheDue", "Occupied", "Occupied"),
            ("ContractEnded", "Occupied", "Vacant"),
            ("RefillDeadline", "Vacant", "Vacant"),
            ("AdvisorHired", "Vacant", "Occupied"),
        ], await h.JournalAsync(post));
    }

    [Fact]
    public async Task Renewed_convention_during_the_funding_alert_renews_the_post_and_tells_the_running_contract()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Post(Guid.NewGuid(), "2024-02-01");
        var first = facts.Conventions[0].Id;
        var post = await Scenario.StartPostAsync(h, facts);
        var contractFacts = Scenario.Contract(facts.Id, ContractType.Cdd, LegalRegime.Public, "2024-02-01", "2027-01-31");
        var contractData = Scenario.ContractData(contractFacts, facts);
        contractData.Trainings = Scenario.TrainingDone(contractFacts.AdvisorId, "2024-02-12", "2024-05-03");
        var contract = await Scenario.StartContractAsync(h, contractData);

        await h.RunUntilAsync("2025-11-03");
        Assert.Equal("FundingEnding", await h.StateAsync(post));
        var ending = Assert.Single(await h.OutboxAsync(post), o => o.Template == "funding-ending");
        Assert.Equal(("hr", Hr, "2026-01-30"), (ending.Role, ending.Address, ending["fundingEnd"]));
        Assert.Equal([("funding-end", "2026-01-30")], await h.PendingTimersAsync(post));

        // The 2023 renewal convention: 36 months from 2026-02-01 to 2029-01-31, tranches on each anniversary of its start.
        var renewal = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, LegalRegime.Public, EngineHarness.D("2026-02-01"));
        var result = await h.SignalAsync(post, ConventionRenewed, new JsonObject { ["convention"] = WorkflowJson.ToObject(renewal) });

        Assert.Equal(("FundingEnding", "Renewed"), (result.FromState, result.ToState));
        var postData = WorkflowJson.FromObject<PostFundingData>((await h.Engine.GetAsync(post))!.DataObject);
        Assert.Equal([first, renewal.Id], postData.Post.Conventions.Select(c => c.Id));
        Assert.Equal(renewal.Id, postData.CurrentConvention!.Id);
        Assert.Contains("Nouvelle convention jusqu'au 2029-01-31", (await InstanceQueries.JournalAsync(h.DataSource, post))[^1].Reason);
        // The running contract got the new funding in the same transaction.
        var told = (await InstanceQueries.JournalAsync(h.DataSource, contract))[^1];
        Assert.Equal(("FundingChanged", $"instance:{post}"), (told.Trigger, told.Actor));
        Assert.Equal(told.FromState, told.ToState);
        var contractPost = WorkflowJson.FromObject<AdvisorContractData>((await h.Engine.GetAsync(contract))!.DataObject).Post!;
        Assert.Equal([first, renewal.Id], contractPost.Conventions.Select(c => c.Id));

        // Tranches 2026-02-01 (a Sunday → Friday 30 January), 2027-02-01 and 2028-02-01; alert 2028-11-02; end 2029-01-31.
        // The first convention's end no longer ends the funding.
        Assert.Equal(
        [
            ($"funding.tranches:{renewal.Id}:1", "2026-01-30"),
            ($"funding.tranches:{renewal.Id}:2", "2027-02-01"),
            ($"funding.tranches:{renewal.Id}:3", "2028-02-01"),
            ("funding-alert", "2028-11-02"),
            ("funding-end", "2029-01-31"),
        ], await h.PendingTimersAsync(post));

        await h.RunUntilAsync("2026-02-02");
        Assert.Equal("Renewed", await h.StateAsync(post));
        Assert.Equal(
        [
            ("Start", "Created", "Granted"),
            ("AdvisorHired", "Granted", "Occupied"),
            ("TrancheDue", "Occupied", "Occupied"),
            ("FundingEndingAlert", "Occupied", "FundingEnding"),
            ("ConventionRenewed", "FundingEnding", "Renewed"),
            ("TrancheDue", "Renewed", "Renewed"),
        ], await h.JournalAsync(post));
        Assert.Equal(
        [
            ($"funding.tranches:{first}:1", "2024-02-01"),
            ("funding-alert", "2025-10-31"),
            ($"funding.tranches:{renewal.Id}:1", "2026-01-30"),
        ], await h.FiredTimersAsync(post));
        Assert.Equal(["tranche-due", "funding-ending", "tranche-due"], (await h.OutboxAsync(post)).Select(o => o.Template));
        Assert.Equal("2029-01-31", (await h.OutboxAsync(post))[^1]["fundingEnd"]);
    }

    [Fact]
    public async Task Renewed_convention_renews_the_post_even_when_its_contract_no_longer_takes_funding_changes()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Post(Guid.NewGuid(), "2024-02-01");
        var post = await Scenario.StartPostAsync(h, facts);
        var contractFacts = Scenario.Contract(facts.Id, ContractType.Cdd, LegalRegime.Public, "2024-02-01", "2027-01-31");
        var contract = await Scenario.StartContractAsync(h, Scenario.ContractData(contractFacts, facts));
        await h.RunUntilAsync("2025-11-03");
        // The advisor has been told the contract will not be renewed; it runs on to its end.
        await h.Engine.SignalAsync(new SignalRequest(contract, nameof(ContractTrigger.Decide),
            new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Fin du besoin" }, "hr:test"));
        Assert.Equal(("FundingEnding", "NotRetained"), (await h.StateAsync(post), await h.StateAsync(contract)));
        var contractJournal = (await h.JournalAsync(contract)).Count;

        var renewal = StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, LegalRegime.Public, EngineHarness.D("2026-02-01"));
        await h.SignalAsync(post, ConventionRenewed, new JsonObject { ["convention"] = WorkflowJson.ToObject(renewal) });

        // A NotRetained contract does not take FundingChanged: the engine drops that signal, and the post is renewed.
        Assert.Equal("Renewed", await h.StateAsync(post));
        Assert.Equal(contractJournal, (await h.JournalAsync(contract)).Count);
    }

    [Fact]
    public async Task Renewed_convention_sent_twice_is_added_once()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Post(Guid.NewGuid(), "2023-12-01");
        var post = await Scenario.StartPostAsync(h, facts);
        var renewal = WorkflowJson.ToObject(StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, LegalRegime.Public, EngineHarness.D("2025-12-01")));

        await h.SignalAsync(post, ConventionRenewed, new JsonObject { ["convention"] = renewal.DeepClone() });
        await h.SignalAsync(post, ConventionRenewed, new JsonObject { ["convention"] = renewal.DeepClone() });

        // Before the alert the renewal is taken in place: the post keeps recruiting.
        Assert.Equal("Recruiting", await h.StateAsync(post));
        Assert.Equal(2, WorkflowJson.FromObject<PostFundingData>((await h.Engine.GetAsync(post))!.DataObject).Post.Conventions.Count);
    }

    [Fact]
    public async Task Funding_end_while_a_fixed_term_contract_runs_leaves_the_post_funding_ended_until_that_contract_ends()
    {
        // Convention 2024-01-15 → 2026-01-14 (alert 2025-10-16); the contract runs to 2026-06-30.
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Post(Guid.NewGuid(), "2024-01-15");
        var post = await Scenario.StartPostAsync(h, facts);
        var contractFacts = Scenario.Contract(facts.Id, ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-06-30");
        var contractData = Scenario.ContractData(contractFacts, facts);
        contractData.Trainings = Scenario.TrainingDone(contractFacts.AdvisorId, "2024-01-22", "2024-04-12");
        var contract = await Scenario.StartContractAsync(h, contractData);

        await h.RunUntilAsync("2026-01-14");

        Assert.Equal("FundingEnded", await h.StateAsync(post));
        Assert.Null((await h.Engine.GetAsync(post))!.ClosedAt);
        Assert.Empty(await h.PendingTimersAsync(post));
        var ended = (await InstanceQueries.JournalAsync(h.DataSource, post))[^1];
        Assert.Equal(("FundingEnd", "FundingEnding", "FundingEnded"), (ended.Trigger, ended.FromState, ended.ToState));
        Assert.Contains("Financement terminé", ended.Reason);

        await h.RunUntilAsync("2026-06-30");

        Assert.Equal("Ended", await h.StateAsync(contract));
        Assert.Equal("Closed", await h.StateAsync(post));
        Assert.NotNull((await h.Engine.GetAsync(post))!.ClosedAt);
        Assert.Null(WorkflowJson.FromObject<PostFundingData>((await h.Engine.GetAsync(post))!.DataObject).CurrentContractId);
        Assert.Equal(
        [
            ("FundingEndingAlert", "Occupied", "FundingEnding"),
            ("FundingEnd", "FundingEnding", "FundingEnded"),
            ("ContractEnded", "FundingEnded", "Closed"),
        ], (await h.JournalAsync(post))[^3..]);
        Assert.Equal(
            [($"funding.tranches:{facts.Conventions[0].Id}:1", "2024-01-15"), ("funding-alert", "2025-10-16"), ("funding-end", "2026-01-14")],
            await h.FiredTimersAsync(post));
    }

    [Fact]
    public async Task Funding_end_on_a_post_never_filled_closes_it()
    {
        // Convention 2023-12-01 → 2025-11-30, already running when the post is registered: recruiting at once.
        // Recruitment deadline 2024-03-01; alert 2025-11-30 - 90 days = 2025-09-01; end 2025-11-30, a Sunday → 28th.
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.Post(Guid.NewGuid(), "2023-12-01");
        var post = await Scenario.StartPostAsync(h, facts);
        Assert.Equal("Recruiting", await h.StateAsync(post));

        await h.RunUntilAsync("2025-12-01");

        Assert.Equal("Closed", await h.StateAsync(post));
        Assert.Equal(
        [
            ("Start", "Created", "Recruiting"),
            ("TrancheDue", "Recruiting", "Recruiting"),
            ("RecruitmentDeadline", "Recruiting", "Recruiting"),
            ("FundingEndingAlert", "Recruiting", "FundingEnding"),
            ("FundingEnd", "FundingEnding", "Closed"),
        ], await h.JournalAsync(post));
        Assert.Equal(
        [
            ($"funding.tranches:{facts.Conventions[0].Id}:1", "2023-12-01"),
            ("recruitment", "2024-03-01"),
            ("funding-alert", "2025-09-01"),
            ("funding-end", "2025-11-28"),
        ], await h.FiredTimersAsync(post));
        var outbox = await h.OutboxAsync(post);
        Assert.Equal(["tranche-due", "recruitment-deadline", "funding-ending"], outbox.Select(o => o.Template));
        Assert.Equal("2025-11-28", outbox[2]["fundingEnd"]);
    }

    [Fact]
    public async Task Tranche_due_reminders_go_out_on_each_tranche_date()
    {
        // A 2023-wave convention from 2024-01-08: tranches on 2024-01-08, 2025-01-08 and 2026-01-08.
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var facts = Scenario.RenewalPost(Guid.NewGuid(), "2024-01-08");
        var post = await Scenario.StartPostAsync(h, facts);

        await h.RunUntilAsync("2026-01-09");

        var sentOn = await h.QueryAsync<string>("""
            SELECT (created_at AT TIME ZONE 'Europe/Paris')::date::text FROM outbox_message
             WHERE instance_id = @post AND template_id = 'tranche-due' ORDER BY created_at
            """, new { post });
        Assert.Equal(["2024-01-08", "2025-01-08", "2026-01-08"], sentOn);
        var id = facts.Conventions[0].Id;
        Assert.Equal(
            [$"{post}:tranche-due:hr:funding.tranches:{id}:1", $"{post}:tranche-due:hr:funding.tranches:{id}:2", $"{post}:tranche-due:hr:funding.tranches:{id}:3"],
            await h.QueryAsync<string>("SELECT dedupe_key FROM outbox_message WHERE instance_id = @post AND template_id = 'tranche-due' ORDER BY created_at", new { post }));
    }
}

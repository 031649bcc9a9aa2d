using System.Text.Json.Nodes;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Storage;

/// <summary>
/// Migration 0005 fills the records of a database from before them (contract rows written once at creation,
/// renewals without a row, amendments, early ends and decisions only in the instances' data): nothing is lost,
/// and the running contracts are planned again from the records at the next sweep.
/// </summary>
public sealed class RecordsBackfillTests
{
    [Fact]
    public async Task The_backfill_rebuilds_the_records_an_older_database_never_wrote()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        var (_, other, _) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2024-01-16");
        await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2026-03-31", ["reason"] = "Prolongation", ["effectiveOn"] = "2024-02-01" });
        await h.SignalAsync(other, EarlyTerminate, new JsonObject { ["date"] = "2024-06-30", ["reason"] = "MutualAgreement" });
        await h.RunUntilAsync("2025-12-01");
        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "Renewal", ["reason"] = "Poste reconduit", ["newEnd"] = "2027-03-31" });
        var expected = await RecordsAsync(h);
        Assert.Equal(3, expected.Count);
        var renewal = (await h.QueryAsync<Guid>("SELECT id FROM workflow_instance WHERE parent_id = @contract", new { contract })).Single();
        var renewalTimers = await h.PendingTimersAsync(renewal);
        Assert.Contains(renewalTimers, t => t.Name.StartsWith("notice.public-contract"));

        // What a database written before the records looked like: the rows as created, no renewal row, no amendment
        // rows, and each instance carrying its own copy of the earlier contracts.
        await using (var conn = await h.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                DELETE FROM contract_amendment;
                DELETE FROM contract WHERE previous_contract_id IS NOT NULL;
                UPDATE contract SET terminated_on = NULL, termination_reason = NULL, termination_note = NULL, effective_end = NULL,
                       decision_kind = NULL, decision_reason = NULL, decided_on = NULL, decision_notified_on = NULL,
                       decision_new_end = NULL, notice_deadline = NULL, decision_late = NULL;
                UPDATE workflow_instance SET data = jsonb_set(data - 'decisionDueOn', '{earlierContracts}', '[]'::jsonb) WHERE definition_id = 'advisor-contract';
                -- and deadlines planned by the rules of the time, a month off.
                UPDATE workflow_timer SET due_on = due_on + 31, due_at = due_at + interval '31 days'
                 WHERE rule_id = 'notice.public-contract' AND fired_at IS NULL;
                """);
        Assert.NotEqual(renewalTimers, await h.PendingTimersAsync(renewal));
        Assert.Equal(2, (await RecordsAsync(h)).Count);

        await using (var conn = await h.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync(SchemaMigrator.Embedded.Single(m => m.Name.Contains("backfill")).Sql);

        // Everything, the decision's notice deadline included (from its entry in the audit log).
        Assert.Equal(expected, await RecordsAsync(h));
        Assert.Contains(expected, r => r.NoticeDeadline is not null);
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM workflow_instance WHERE data ? 'earlierContracts'"));
        var check = await RecordsCheck.RunAsync(h.DataSource);
        Assert.True(check.Differences.Count == 0, check.ToString());
        Assert.Equal((3, 1, 1), (check.Contracts, check.Amendments, check.Renewals));

        // The running contract (the renewal, signed for a later start) is planned again at the next sweep, from the records.
        Assert.Equal([renewal], await h.QueryAsync<Guid>("SELECT instance_id FROM workflow_timer WHERE name = 'records.replan' AND fired_at IS NULL"));
        await h.Sweeper.SweepAllDueAsync();
        Assert.Equal(renewalTimers, await h.PendingTimersAsync(renewal));
        Assert.Contains(await h.JournalAsync(renewal), j => j.Trigger == "CareerChanged");
    }

    sealed record Row
    {
        public Guid Id { get; init; }
        public Guid? PreviousContractId { get; init; }
        public DateOnly? EndDate { get; init; }
        public DateOnly? EffectiveEnd { get; init; }
        public DateOnly? TerminatedOn { get; init; }
        public string? TerminationReason { get; init; }
        public string? DecisionKind { get; init; }
        public DateOnly? DecisionNewEnd { get; init; }
        public DateOnly? NoticeDeadline { get; init; }
        public bool? DecisionLate { get; init; }
        public long Amendments { get; init; }
    }

    static async Task<List<Row>> RecordsAsync(EngineHarness h) => await h.QueryAsync<Row>("""
        SELECT id, previous_contract_id AS PreviousContractId, end_date AS EndDate, effective_end AS EffectiveEnd, terminated_on AS TerminatedOn,
               termination_reason AS TerminationReason, decision_kind AS DecisionKind, decision_new_end AS DecisionNewEnd,
               notice_deadline AS NoticeDeadline, decision_late AS DecisionLate,
               (SELECT count(*) FROM contract_amendment a WHERE a.contract_id = c.id) AS Amendments
          FROM contract c ORDER BY start_date, id
        """);
}

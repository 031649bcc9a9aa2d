using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Records;

/// <summary>The records are written by the engine in each transition: the check finds them equal to the instances, and finds what differs.</summary>
public sealed class RecordsCheckTests
{
    /// <summary>
    /// Equality of every record with its instance holds at any size, so the program is small: 100 advisors of seed 7
    /// (the simulate command's program) already make 109 contracts with 9 renewals in career chains and 6 early ends.
    /// Larger runs are the benchmarks' (the simulate command checks the records too).
    /// </summary>
    const int Advisors = 100;

    [Fact]
    public async Task A_simulated_program_leaves_every_record_equal_to_its_instance()
    {
        var cs = await TestCluster.CreateMigratedDatabaseAsync();
        try
        {
            await using var db = Database.CreateDataSource(cs);
            var model = ProgramModel.Generate(Advisors, 7, new DateOnly(2021, 4, 1), 540);
            await model.InsertReferenceDataAsync(db);
            var clock = new SimulatedClock(WorkflowEngine.DueInstant(model.Advisors.Min(a => a.Post.Conventions[0].Start).AddDays(-2)));
            await new ProgramRunner(model, new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock), clock).RunAsync();

            var report = await RecordsCheck.RunAsync(db);

            Assert.True(report.Differences.Count == 0, report.ToString());
            Assert.True(report.Contracts > Advisors, report.ToString()); // renewals are contracts of their own
            Assert.True(report.Renewals > 0, report.ToString());
            await using var conn = await db.OpenConnectionAsync();
            // Every renewal decided has its own record, linked to the contract before it.
            Assert.Equal(report.Renewals, await conn.ExecuteScalarAsync<int>("""
                SELECT count(*)::int FROM contract c JOIN contract next ON next.previous_contract_id = c.id WHERE c.decision_kind = 'Renewal'
                """));
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM contract WHERE effective_end IS DISTINCT FROM end_date AND contract_type <> 'Cdi' AND NOT EXISTS (SELECT 1 FROM contract_amendment a WHERE a.contract_id = contract.id)"));
            // An advisor's other contracts have the records as their one home: no instance keeps a copy of them, at any depth
            // (a computed view of the data, serialised with it, once did, and made half of every instance's JSON).
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM workflow_instance WHERE jsonb_path_exists(data, '$.**.earlierContracts')"));
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM workflow_instance WHERE data ? 'facts' OR data ? 'initialTraining' OR data ? 'currentConvention'"));
        }
        finally
        {
            await TestCluster.DropDatabaseAsync(cs);
        }
    }

    [Fact]
    public async Task Two_amendments_of_the_same_day_are_read_back_in_the_order_they_were_signed()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, data) = await Scenario.StartPublicCddAsync(h);
        // The clock stands still: both amendments get ids of the same millisecond, whose order says nothing.
        await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2026-03-31", ["reason"] = "Prolongation", ["effectiveOn"] = "2024-02-01" });
        await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2026-02-27", ["reason"] = "Correction", ["effectiveOn"] = "2024-02-01" });

        await using var conn = await h.DataSource.OpenConnectionAsync();
        var career = await ContractRecords.CareersAsync(conn, null, [data.Contract.AdvisorId], default);
        Assert.Equal(EngineHarness.D("2026-02-27"), career[data.Contract.AdvisorId].Single().Contract.EffectiveEnd);
        var check = await RecordsCheck.RunAsync(h.DataSource);
        Assert.True(check.Differences.Count == 0, check.ToString());
    }

    [Fact]
    public async Task Amendments_early_ends_and_decisions_reach_the_records_and_a_changed_record_is_reported()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, data) = await Scenario.StartPublicCddAsync(h);
        var (_, other, otherData) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2024-01-16");

        await h.SignalAsync(contract, AmendContract, new JsonObject { ["newEnd"] = "2026-03-31", ["reason"] = "Prolongation du projet", ["effectiveOn"] = "2024-02-01" });
        await h.SignalAsync(other, EarlyTerminate, new JsonObject { ["date"] = "2024-06-30", ["reason"] = "Resignation", ["note"] = "Départ en région" });
        await h.RunUntilAsync("2025-10-01");
        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "NotRetained", ["reason"] = "Fin du projet", ["notifiedOn"] = "2025-10-01" });

        var row = (await h.QueryAsync<(DateOnly? EffectiveEnd, string? Decision, DateOnly? Notified, DateOnly? Deadline, bool? Late)>(
            "SELECT effective_end, decision_kind, decision_notified_on, notice_deadline, decision_late FROM contract WHERE id = @id", new { id = data.Contract.Id })).Single();
        Assert.Equal((EngineHarness.D("2026-03-31"), "NotRetained", EngineHarness.D("2025-10-01"), EngineHarness.D("2026-01-30"), false), row);
        Assert.Equal(("2024-06-30", "Resignation", "Départ en région"), (await h.QueryAsync<(string, string, string)>(
            "SELECT terminated_on::text, termination_reason, termination_note FROM contract WHERE id = @id", new { id = otherData.Contract.Id })).Single());
        Assert.Single(await h.QueryAsync<Guid>("SELECT id FROM contract_amendment WHERE contract_id = @id", new { id = data.Contract.Id }));

        var clean = await RecordsCheck.RunAsync(h.DataSource);
        Assert.True(clean.Differences.Count == 0, clean.ToString());
        Assert.Equal((2, 1), (clean.Contracts, clean.Amendments));

        // A record changed behind the engine's back, an amendment lost: both are reported, by contract and field.
        await using (var conn = await h.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE contract SET effective_end = '2026-01-14' WHERE id = @id", new { id = data.Contract.Id });
            await conn.ExecuteAsync("DELETE FROM contract_amendment WHERE contract_id = @id", new { id = data.Contract.Id });
        }
        var dirty = await RecordsCheck.RunAsync(h.DataSource);
        var difference = Assert.Single(dirty.Differences);
        Assert.Contains(data.Contract.Id.ToString(), difference);
        Assert.Contains("effective end: instance 2026-03-31, record 2026-01-14", difference);
        Assert.Contains("no record", difference);
    }
}

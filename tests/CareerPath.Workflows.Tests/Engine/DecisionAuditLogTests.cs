using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Tests.Infrastructure;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Engine;

public sealed class DecisionAuditLogTests
{
    [Fact]
    public async Task Chain_of_several_decisions_verifies_intact()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var decided = await DecideThreeContractsAsync(h);

        var entries = await DecisionAuditLog.ReadAsync(h.DataSource);
        var verification = await DecisionAuditLog.VerifyAsync(h.DataSource);

        Assert.True(verification.Intact);
        Assert.Equal((3L, (long?)null, (string?)null), (verification.Checked, verification.FirstBrokenSeq, verification.Problem));
        Assert.Equal([1L, 2L, 3L], entries.Select(e => e.Seq));
        Assert.Equal(decided, entries.Select(e => (e.InstanceId, e.Kind)));
        Assert.Equal(DecisionAuditLog.Genesis, entries[0].PrevHash);
        Assert.Equal(entries[0].Hash, entries[1].PrevHash);
        Assert.Equal(entries[1].Hash, entries[2].PrevHash);
    }

    [Fact]
    public async Task Tampering_with_one_decision_is_reported_at_its_seq()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await DecideThreeContractsAsync(h);
        var before = (await DecisionAuditLog.ReadAsync(h.DataSource))[1].Details;

        // Someone rewrites after the fact whether a decision was notified in time.
        await h.QueryAsync<int>("UPDATE decision_audit SET details = replace(details, '\"late\":false', '\"late\":true') WHERE seq = 2 RETURNING 1");
        Assert.NotEqual(before, (await DecisionAuditLog.ReadAsync(h.DataSource))[1].Details);

        var verification = await DecisionAuditLog.VerifyAsync(h.DataSource);

        Assert.False(verification.Intact);
        Assert.Equal(2, verification.FirstBrokenSeq);
        Assert.Contains("modifié", verification.Problem);
    }

    [Fact]
    public async Task Deleting_a_decision_is_reported()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await DecideThreeContractsAsync(h);

        await h.QueryAsync<int>("DELETE FROM decision_audit WHERE seq = 2 RETURNING 1");
        var verification = await DecisionAuditLog.VerifyAsync(h.DataSource);

        Assert.False(verification.Intact);
        Assert.Equal(3, verification.FirstBrokenSeq);
        Assert.Contains("Entrée 2 manquante", verification.Problem);
    }

    [Fact]
    public async Task Deleting_a_decision_and_renumbering_the_rest_is_reported_at_the_broken_link()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await DecideThreeContractsAsync(h);

        await h.QueryAsync<int>("DELETE FROM decision_audit WHERE seq = 2 RETURNING 1");
        await h.QueryAsync<int>("UPDATE decision_audit SET seq = 2 WHERE seq = 3 RETURNING 1");
        var verification = await DecisionAuditLog.VerifyAsync(h.DataSource);

        Assert.Equal(2, verification.FirstBrokenSeq);
        Assert.False(verification.Intact);
    }

    /// <summary>Three contracts decided on three different days, each in its trial period (a decision may come at any time).</summary>
    static async Task<List<(Guid, string)>> DecideThreeContractsAsync(EngineHarness h)
    {
        var contracts = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var facts = Scenario.Contract(Guid.NewGuid(), ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-01-14");
            contracts.Add(await Scenario.StartContractAsync(h, Scenario.ContractData(facts, Scenario.Post(facts.PostId, "2024-01-15"))));
        }
        await h.RunUntilAsync("2024-01-16");
        string[] kinds = ["PermanentHireCdi", "NotRetained", "Titularisation"];
        for (var i = 0; i < 3; i++)
        {
            h.Clock.Advance(TimeSpan.FromDays(1));
            await h.SignalAsync(contracts[i], Decide, new JsonObject { ["kind"] = kinds[i], ["reason"] = "Décision du comité" });
        }
        return contracts.Zip(kinds).ToList();
    }
}

using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Web.Tests.Infrastructure;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using Microsoft.Extensions.DependencyInjection;

namespace CareerPath.Web.Tests;

/// <summary>A contract of the decision and contract-form tests' own, so that no other test's subject is touched.</summary>
public sealed record OwnContract(Guid ContractId, Guid AdvisorId, Guid InstanceId, Guid StructureId, string AdvisorName);

/// <summary>
/// Each decision/contract-form test records its own advisor and public CDD (through ReferenceData, as the API
/// does) on a post of a territorial structure outside the HR demo account's, and plays its workflow to the state
/// it needs with the engine's own signals: the demo's contracts stay as the other tests expect them.
/// </summary>
public static class DecisionTestData
{
    public static WorkflowEngine Engine(this WebSite site) => site.App.Services.GetRequiredService<WorkflowEngine>();

    /// <summary>A post of a public territorial structure the HR demo account does not hold.</summary>
    public static Task<(Guid PostId, Guid StructureId)> OtherPublicPostAsync(this WebSite site) => site.QueryAsync<(Guid, Guid)>("""
        SELECT p.id, s.id FROM funded_post p JOIN structure s ON s.id = p.structure_id
         WHERE s.legal_regime = 'Public' AND s.kind IN ('Commune', 'Epci', 'Departement') AND NOT (s.id = ANY(@hr))
         ORDER BY p.id DESC LIMIT 1
        """, new { hr = site.HrStructures.ToArray() });

    /// <summary>
    /// A public CDD of <paramref name="months"/> months ending <paramref name="endsInDays"/> days from today, started
    /// (its trial period running), then moved on by <paramref name="then"/> signals (e.g. DecisionReminder, NoticeDeadline).
    /// </summary>
    public static async Task<OwnContract> OwnContractAsync(this WebSite site, string purpose, int months = 20, int endsInDays = 20, params string[] then)
    {
        var (postId, structureId) = await site.OtherPublicPostAsync();
        var records = site.App.Services.GetRequiredService<ReferenceData>();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var name = $"Essai {purpose} {tag}";
        var advisor = await records.CreateAdvisorAsync(new NewAdvisor(structureId, name, $"essai-{tag}@example.org"), "admin:tests");
        Assert.True(advisor.Ok, string.Join(" ", advisor.Errors.Select(e => e.Message)));
        var end = site.Today.AddDays(endsInDays);
        var start = end.AddMonths(-months).AddDays(1);
        var contract = await records.CreateContractAsync(new NewContract(advisor.Id, postId, ContractType.Cdd, start, end), "admin:tests");
        Assert.True(contract.Ok, string.Join(" ", contract.Errors.Select(e => e.Message)));
        var instanceId = await site.QueryAsync<Guid>("SELECT id FROM workflow_instance WHERE subject_id = @id AND definition_id = @def",
            new { id = contract.Id, def = AdvisorContractWorkflow.DefinitionId });
        foreach (var trigger in then.Prepend(nameof(ContractTrigger.ContractStarted)))
            await site.SignalAsync(instanceId, trigger);
        return new OwnContract(contract.Id, advisor.Id, instanceId, structureId, name);
    }

    public static Task SignalAsync(this WebSite site, Guid instanceId, string trigger, JsonObject? payload = null) =>
        site.Engine().SignalAsync(new SignalRequest(instanceId, trigger, payload, "admin:tests"));

    public static Task<int> VersionAsync(this WebSite site, Guid instanceId) =>
        site.QueryAsync<int>("SELECT version FROM workflow_instance WHERE id = @instanceId", new { instanceId });

    public static Task<int> OpenTasksAsync(this WebSite site, Guid instanceId, params string[] kinds) =>
        site.QueryAsync<int>("SELECT count(*)::int FROM human_task WHERE instance_id = @instanceId AND status = 'Open' AND kind = ANY(@kinds)",
            new { instanceId, kinds });
}

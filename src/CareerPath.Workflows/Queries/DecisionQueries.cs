using CareerPath.Domain.Model;
using CareerPath.Domain.Planning;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>The employer of a contract, as a letter names it.</summary>
public sealed record EmployerView(Guid Id, string Name, StructureKind Kind, LegalRegime Regime, string? HrName, string? HrEmail);

/// <summary>
/// What the end-of-contract decision form and its notification letter are built from: the contract
/// (records), its workflow's state and version (for a form that must not overwrite a newer state), the
/// employer, and the deadline the decision is due by — computed as the workflow computes it when the
/// decision is taken (the legal notice deadline, else the contract's end), so the page's "late" and the
/// recorded one agree.
/// </summary>
/// <param name="Notice">The legal notice deadline (public CDD, public contrat de projet); null when the law sets none.</param>
/// <param name="DecisionDue">The notice deadline, else the contract's end; null for a contract without end (CDI).</param>
/// <param name="EntretienPrealable">Whether an entretien préalable had to precede the notification (public CDD, décret 88-145 art. 38-1).</param>
/// <param name="RenewalCouldBeCdi">Whether a renewal at the term would be a CDI (public CDD after 6 years).</param>
public sealed record DecisionFacts(ContractView Contract, Guid InstanceId, int Version, string State, EmployerView Employer, string AdvisorEmail,
    Deadline? Notice, Deadline? DecisionDue, bool EntretienPrealable, bool RenewalCouldBeCdi, TaskView? OpenDecisionTask);

public sealed class DecisionQueries(NpgsqlDataSource db, ContractQueries contracts, ContractTaskQueries tasks)
{
    static DecisionQueries() => DapperTypes.Register();


    /// <summary>Null when the contract does not exist or has no workflow (the caller checks who may see it).</summary>
    public async Task<DecisionFacts?> GetAsync(Guid contractId, CancellationToken ct = default)
    {
        var contract = await contracts.GetAsync(contractId, ct);
        if (contract?.InstanceId is not { } instanceId) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var instance = await WorkflowEngine.LoadAsync(conn, null, instanceId, ct);
        if (instance is null) return null;
        var data = WorkflowJson.Deserialize<AdvisorContractData>(instance.Data);
        // The same records the workflow reads before a transition: the advisor's other contracts with this employer.
        data.OtherContracts = await ContractRecords.OthersWithEmployerAsync(conn, null, contract.AdvisorId, contract.StructureId, contract.Id, ct);
        var employer = await conn.QuerySingleAsync<EmployerRow>(new CommandDefinition("""
            SELECT s.id, s.name, s.kind, s.legal_regime AS Regime,
                   (SELECT h.full_name FROM hr_contact h WHERE h.structure_id = s.id ORDER BY h.is_lead DESC, h.email LIMIT 1) AS HrName,
                   (SELECT h.email FROM hr_contact h WHERE h.structure_id = s.id ORDER BY h.is_lead DESC, h.email LIMIT 1) AS HrEmail
              FROM structure s WHERE s.id = @id
            """, new { id = contract.StructureId }, cancellationToken: ct));

        // The workflow's own reading of the notice deadline, and the planner's of the entretien préalable and the CDI.
        var plan = DeadlinePlanner.Plan(data.Facts);
        var notice = plan.FirstOrDefault(x => AdvisorContractWorkflow.NoticeRules.Contains(x.RuleId));
        var due = data.Contract.EffectiveEnd is null ? null : AdvisorContractWorkflow.DecisionDue(data);
        var publicCdd = data.Contract.EffectiveEnd is null ? null : DeadlinePlanner.PublicCddNotice(data.Facts);
        var (entretien, couldBeCdi) = (publicCdd?.Notice.RequiresEntretienPrealable ?? false, publicCdd?.RenewalCouldBeCdi ?? false);
        var task = await tasks.OpenTaskAsync(contractId, [Tasks.Decision, Tasks.Escalation], ct);
        return new DecisionFacts(contract, instance.Id, instance.Version, instance.State,
            new EmployerView(employer.Id, employer.Name, Enum.Parse<StructureKind>(employer.Kind), Enum.Parse<LegalRegime>(employer.Regime), employer.HrName, employer.HrEmail),
            data.Advisor.WorkEmail, notice, due, entretien, couldBeCdi, task);
    }

    /// <summary>The version of the contract's latest workflow instance (what a form carries), or null.</summary>
    public async Task<(Guid InstanceId, int Version, string State)?> InstanceOfAsync(Guid contractId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QueryFirstOrDefaultAsync<(Guid, int, string)?>(new CommandDefinition("""
            SELECT id, version, state FROM workflow_instance WHERE definition_id = @def AND subject_id = @contractId ORDER BY created_at DESC LIMIT 1
            """, new { def = AdvisorContractWorkflow.DefinitionId, contractId }, cancellationToken: ct));
        return row;
    }

    sealed class EmployerRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Regime { get; init; } = "";
        public string? HrName { get; init; }
        public string? HrEmail { get; init; }
    }
}

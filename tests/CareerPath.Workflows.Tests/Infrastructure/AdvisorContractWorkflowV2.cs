using CareerPath.Domain.Planning;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using Stateless;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>The states of advisor-contract v1, with Active renamed InService.</summary>
public enum ContractStateV2
{
    Created, Recruited,
    Running, TrialPeriod, InitialTraining, AwaitingCertification, InService, MidContractReview, DecisionPending,
    Hired, Renewed, NotRetained, Ended, EarlyTerminated, TrialFailed, FollowUp, Closed,
}

/// <summary>
/// A test-only version 2 of advisor-contract, enough to migrate running instances to: the same id, a renamed
/// state, and a reduced transition table whose timers come from the same planner.
/// </summary>
public sealed class AdvisorContractWorkflowV2 : WorkflowDefinition<ContractStateV2, ContractTrigger, AdvisorContractData>
{
    public override string Id => AdvisorContractWorkflow.DefinitionId;
    public override int Version => 2;
    protected override ContractStateV2 Created => ContractStateV2.Created;
    protected override ContractTrigger Start => ContractTrigger.Start;
    protected override IReadOnlySet<ContractStateV2> Final { get; } = new HashSet<ContractStateV2> { ContractStateV2.Closed };

    protected override void Configure(StateMachine<ContractStateV2, ContractTrigger> m, TransitionContext<AdvisorContractData> ctx)
    {
        m.Configure(ContractStateV2.Created).Permit(ContractTrigger.Start, ContractStateV2.Recruited);
        m.Configure(ContractStateV2.Recruited).Permit(ContractTrigger.ContractStarted, ContractStateV2.TrialPeriod);
        m.Configure(ContractStateV2.TrialPeriod).Permit(ContractTrigger.TrialEnded, ContractStateV2.InService);
        m.Configure(ContractStateV2.InService).Permit(ContractTrigger.ContractEnded, ContractStateV2.Ended);
        m.Configure(ContractStateV2.Ended).Permit(ContractTrigger.FollowUpDue, ContractStateV2.Closed);
    }

    protected override IEnumerable<TimerSpec> Timers(ContractStateV2 state, AdvisorContractData data)
    {
        var (rule, trigger) = state switch
        {
            ContractStateV2.Recruited => ("contract.start", ContractTrigger.ContractStarted),
            ContractStateV2.TrialPeriod => ("trial.", ContractTrigger.TrialEnded),
            ContractStateV2.InService => ("contract.end", ContractTrigger.ContractEnded),
            ContractStateV2.Ended => ("followup.6-months", ContractTrigger.FollowUpDue),
            _ => ("", default),
        };
        if (rule.Length == 0) yield break;
        if (state == ContractStateV2.Recruited)
        {
            yield return new("contract.start", trigger.ToString(), Domain.Rules.ContractMilestones.Start(data.Contract));
            yield break;
        }
        foreach (var deadline in DeadlinePlanner.Plan(data.Facts).Where(d => d.RuleId.StartsWith(rule, StringComparison.Ordinal)))
            yield return new(deadline.Key, trigger.ToString(), deadline);
    }
}

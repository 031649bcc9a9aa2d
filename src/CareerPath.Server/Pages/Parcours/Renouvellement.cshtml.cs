using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>A renewal: the decision to renew, with the new contract's end, its reason and the day the advisor was notified.</summary>
public sealed class RenouvellementModel(ContractQueries contracts, AdvisorPageQueries pages, ContractActions actions, StructureQueries structures)
    : EndChangePage(contracts, pages, actions, structures)
{
    public override string Title => "Renouvellement du contrat";
    public override string OnField => "notifiedOn";
    public override string OnLabel => "Date de notification au conseiller";
    public override string OnHint => "Le jour où la proposition de renouvellement a été remise ou envoyée.";
    protected override string Done => "Le renouvellement est enregistré : le nouveau contrat est créé et ses échéances calculées.";

    protected override DateOnly? DefaultNewEnd => null;

    protected override Task<ActionOutcome> ActAsync(DateOnly? newEnd, string? reason, DateOnly? on, ActOptions options, CancellationToken ct) =>
        Actions.RenewAsync(Caller, Contract.Id, new RenewalRequest(newEnd, reason, on), options, ct);
}

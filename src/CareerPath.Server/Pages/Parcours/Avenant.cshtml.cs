using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>An amendment: the contract's new end, its reason and the date it takes effect.</summary>
public sealed class AvenantModel(ContractQueries contracts, AdvisorPageQueries pages, ContractActions actions, StructureQueries structures)
    : EndChangePage(contracts, pages, actions, structures)
{
    public override string Title => "Avenant au contrat";
    public override string OnField => "effectiveOn";
    public override string OnLabel => "Date d'effet de l'avenant";
    public override string OnHint => "Par défaut, aujourd'hui.";
    protected override string Done => "L'avenant est enregistré : les échéances du contrat sont recalculées.";

    protected override DateOnly? DefaultNewEnd => Contract.End;

    protected override Task<ActionOutcome> ActAsync(DateOnly? newEnd, string? reason, DateOnly? on, ActOptions options, CancellationToken ct) =>
        Actions.AmendAsync(Caller, Contract.Id, new AmendmentRequest(newEnd, reason, on), options, ct);
}

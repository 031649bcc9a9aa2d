using CareerPath.Server.Actions;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>A contract's address (the e-mails' links): its place on the advisor page for staff, "mon contrat" for the advisor.</summary>
public sealed class ContratModel(ContractQueries contracts) : CareerPathPage
{
    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var contract = await contracts.FindAsync(id, ct);
        if (contract is null || !ContractActions.MaySee(Caller, contract.StructureId, contract.AdvisorId)) return NotFoundPage();
        return Caller.IsAdvisor ? Redirect($"/mon-contrat#contrat-{id}") : Redirect($"/conseillers/{contract.AdvisorId}#contrat-{id}");
    }
}

using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>The mid-contract review held: completes the contract's open review task (and the workflow moves on).</summary>
public sealed class RevueModel(ContractTaskQueries tasks) : TaskFormPage(tasks)
{
    public override string Title => "Entretien de mi-parcours";
    protected override string[] TaskKinds => [Tasks.Review];
    protected override string ReadAction => "review.page";

    [BindProperty(Name = "note")] public string? Note { get; set; }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        return await CompleteOpenTaskAsync(new TaskCompletion(Note: Note),
            "Aucun entretien de mi-parcours n'est en attente pour ce contrat : rien n'a été enregistré.",
            () => $"Entretien de mi-parcours de {Contract.AdvisorName} enregistré comme réalisé.", ct);
    }
}

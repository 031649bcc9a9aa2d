using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>The mid-contract review held: completes the contract's open review task (and the workflow moves on).</summary>
public sealed class RevueModel(ContractTaskQueries tasks) : ContractFormPage
{
    public override string Title => "Entretien de mi-parcours";

    [BindProperty(Name = "note")] public string? Note { get; set; }

    public TaskView? OpenTask { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        Version = await CurrentVersionAsync(ct);
        await LogFormReadAsync("review.page", ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        if (OpenTask is null)
        {
            Form.Fail("Aucun entretien de mi-parcours n'est en attente pour ce contrat : rien n'a été enregistré.");
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        var outcome = await CompleteTaskAsync(OpenTask.Id, new TaskCompletion(Note: Note), ct);
        if (!outcome.Ok) return await RefusedAsync(outcome.Failure!, () => LoadAsync(ct), ct);
        return Saved($"Entretien de mi-parcours de {Contract.AdvisorName} enregistré comme réalisé.");
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return false;
        OpenTask = await tasks.OpenTaskAsync(Id, [Tasks.Review], ct);
        return true;
    }
}

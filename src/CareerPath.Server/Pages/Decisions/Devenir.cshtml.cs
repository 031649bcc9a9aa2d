using CareerPath.Domain.Model;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>What became of the advisor 6 or 12 months after the contract: completes the contract's open follow-up task.</summary>
public sealed class DevenirModel(ContractTaskQueries tasks) : ContractFormPage
{
    public override string Title => "Devenir du conseiller après le contrat";

    [BindProperty(Name = "outcome")] public OutcomeKind? Outcome { get; set; }
    [BindProperty(Name = "note")] public string? Note { get; set; }

    public TaskView? OpenTask { get; private set; }

    public static IReadOnlyList<(string Value, string Label)> Outcomes { get; } =
    [
        (nameof(OutcomeKind.HiredByStructure), "Embauché par la structure"),
        (nameof(OutcomeKind.EmployedPermanentlyElsewhere), "En emploi durable ailleurs"),
        (nameof(OutcomeKind.Training), "En formation"),
        (nameof(OutcomeKind.JobSeeker), "En recherche d'emploi"),
        (nameof(OutcomeKind.Other), "Autre situation"),
        (nameof(OutcomeKind.Unknown), "Situation inconnue"),
    ];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        Version = await CurrentVersionAsync(ct);
        await LogFormReadAsync("outcome.page", ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        if (OpenTask is null)
        {
            Form.Fail("Aucun suivi n'est en attente pour ce contrat : rien n'a été enregistré.");
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        var outcome = await CompleteTaskAsync(OpenTask.Id, new TaskCompletion(Note: Note, Outcome: Outcome), ct);
        if (!outcome.Ok) return await RefusedAsync(outcome.Failure!, () => LoadAsync(ct), ct);
        return Saved($"Devenir de {Contract.AdvisorName} enregistré : {Outcomes.First(o => o.Value == Outcome.ToString()).Label.ToLowerInvariant()}.");
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return false;
        OpenTask = await tasks.OpenTaskAsync(Id, [$"{Tasks.Outcome}-6", $"{Tasks.Outcome}-12"], ct);
        return true;
    }
}

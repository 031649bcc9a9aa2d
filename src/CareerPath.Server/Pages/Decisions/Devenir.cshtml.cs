using CareerPath.Domain.Model;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>What became of the advisor 6 or 12 months after the contract: completes the contract's open follow-up task.</summary>
public sealed class DevenirModel(ContractTaskQueries tasks) : TaskFormPage(tasks)
{
    public override string Title => "Devenir du conseiller après le contrat";
    protected override string[] TaskKinds => [$"{Tasks.Outcome}-6", $"{Tasks.Outcome}-12"];
    protected override string ReadAction => "outcome.page";

    [BindProperty(Name = "outcome")] public OutcomeKind? Outcome { get; set; }
    [BindProperty(Name = "note")] public string? Note { get; set; }

    public static IReadOnlyList<(string Value, string Label)> Outcomes { get; } =
    [
        (nameof(OutcomeKind.HiredByStructure), "Embauché par la structure"),
        (nameof(OutcomeKind.EmployedPermanentlyElsewhere), "En emploi durable ailleurs"),
        (nameof(OutcomeKind.Training), "En formation"),
        (nameof(OutcomeKind.JobSeeker), "En recherche d'emploi"),
        (nameof(OutcomeKind.Other), "Autre situation"),
        (nameof(OutcomeKind.Unknown), "Situation inconnue"),
    ];

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        return await CompleteOpenTaskAsync(new TaskCompletion(Note: Note, Outcome: Outcome),
            "Aucun suivi n'est en attente pour ce contrat : rien n'a été enregistré.",
            () => $"Devenir de {Contract.AdvisorName} enregistré : {Outcomes.First(o => o.Value == Outcome.ToString()).Label.ToLowerInvariant()}.", ct);
    }
}

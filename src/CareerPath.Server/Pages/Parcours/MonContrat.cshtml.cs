using System.Globalization;
using CareerPath.Domain.Model;
using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Definitions;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>
/// The advisor's own page: their contracts, training milestones and deadlines with their explanations
/// (never who acted, never another advisor); they mark their initial training done and record a thematic module.
/// </summary>
public sealed class MonContratModel(AdvisorCareer career, ContractActions actions) : CareerPathPage
{
    public AdvisorCareerView View { get; private set; } = null!;
    public DateOnly Today => career.Today;

    [BindProperty(Name = "contractId")] public Guid ContractId { get; set; }
    [BindProperty(Name = "version")] public int? Version { get; set; }
    [BindProperty(Name = "completedOn")] public string? CompletedOn { get; set; }
    [BindProperty(Name = "title")] public string? ModuleTitle { get; set; }
    [BindProperty(Name = "hours")] public string? Hours { get; set; }
    [BindProperty(Name = "on")] public string? On { get; set; }

    /// <summary>Which form the post came from ("formation", "module"): its errors show beside it.</summary>
    public string? Posted { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Mon contrat")];

    /// <summary>The contract the forms act on: the advisor's latest that is running (training and modules are recorded while it runs).</summary>
    public ContractSection? Current => View.Contracts.LastOrDefault(c => c.Contract.InstanceId is not null && c.Contract.State is
        nameof(ContractState.TrialPeriod) or nameof(ContractState.InitialTraining) or nameof(ContractState.AwaitingCertification)
        or nameof(ContractState.Active) or nameof(ContractState.MidContractReview) or nameof(ContractState.DecisionPending));

    /// <summary>The initial training can be marked done once it is scheduled and until it is.</summary>
    public TrainingAssignment? TrainingToComplete => Current?.Contract.Trainings
        .FirstOrDefault(t => t.Kind == TrainingModuleKind.InitialTraining && t.CompletedOn is null);

    public IEnumerable<TrainingAssignment> Modules => View.Contracts.SelectMany(c => c.Contract.Trainings)
        .Where(t => t.Kind == TrainingModuleKind.Thematic).DistinctBy(t => t.Id).OrderBy(t => t.Start);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        return Page();
    }

    public async Task<IActionResult> OnPostFormationAsync(CancellationToken ct)
    {
        Posted = "formation";
        var completedOn = ParseDate("completedOn", CompletedOn);
        if (!Form.HasErrors)
        {
            var outcome = await actions.CompleteTrainingAsync(Caller, ContractId, new CompletionRequest(completedOn), new ActOptions(ExpectedVersion: Version), ct);
            if (outcome.Failure is { Kind: FailureKind.NotFound }) return NotFoundPage();
            if (outcome.Ok)
            {
                Success = "Votre formation initiale est enregistrée comme terminée : vos examens de certification sont maintenant attendus.";
                return Redirect("/mon-contrat");
            }
            Form.From(outcome.Failure!);
        }
        return await InvalidAsync(ct);
    }

    public async Task<IActionResult> OnPostModuleAsync(CancellationToken ct)
    {
        Posted = "module";
        var on = ParseDate("on", On);
        int? hours = null;
        if (!string.IsNullOrWhiteSpace(Hours))
        {
            if (int.TryParse(Hours.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var h)) hours = h;
            else Form.Fail("Le formulaire contient des erreurs : corrigez les champs signalés.").Add("hours", "Saisissez un nombre entier d'heures.");
        }
        if (!Form.HasErrors)
        {
            var outcome = await actions.RecordModuleAsync(Caller, ContractId, new ThematicModuleRequest(ModuleTitle?.Trim(), hours, on),
                new ActOptions(ExpectedVersion: Version), ct);
            if (outcome.Failure is { Kind: FailureKind.NotFound }) return NotFoundPage();
            if (outcome.Ok)
            {
                Success = $"Le module « {ModuleTitle!.Trim()} » est enregistré.";
                return Redirect("/mon-contrat");
            }
            Form.From(outcome.Failure!);
        }
        return await InvalidAsync(ct);
    }

    async Task<IActionResult> InvalidAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        // A stale form shows the record as it is now (the forms carry its current version).
        if (Form.Stale) CompletedOn = null;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!Caller.IsAdvisor || Caller.AdvisorId is not { } me) return false;
        if (await career.LoadAsync(me, Scope, showActors: false, ct) is not { } view) return false;
        View = view;
        await LogReadAsync("advisors.own-page", "advisor", me, [me], view.Contracts.Count);
        return true;
    }
}

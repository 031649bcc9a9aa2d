using CareerPath.Server.Security;
using System.Globalization;
using CareerPath.Server.Actions;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>
/// A change of a contract's end, in two steps: "Prévisualiser" shows every deadline the engine would
/// move (nothing written), "Enregistrer" makes the change from the version the form was shown with (a
/// record changed meanwhile is refused, and the form shows the current values). Amendment and renewal.
/// </summary>
public abstract class EndChangePage(ContractQueries contracts, AdvisorPageQueries pages, ContractActions actions, StructureQueries structures)
    : CareerPathPage
{
    protected ContractActions Actions => actions;

    public ContractView Contract { get; private set; } = null!;
    public string StructureName { get; private set; } = "";
    public TransitionPreview? Preview { get; private set; }

    [BindProperty(Name = "newEnd")] public string? NewEnd { get; set; }
    [BindProperty(Name = "reason")] public string? Reason { get; set; }
    [BindProperty(Name = "effectiveOn")] public string? EffectiveOn { get; set; }
    [BindProperty(Name = "notifiedOn")] public string? NotifiedOn { get; set; }

    /// <summary>The second date: the amendment's effective date, or the renewal's notification date.</summary>
    public string? On => OnField == "effectiveOn" ? EffectiveOn : NotifiedOn;
    /// <summary>The workflow instance's version when the form was shown.</summary>
    [BindProperty(Name = "version")] public int? Version { get; set; }

    public abstract string Title { get; }
    /// <summary>The name of the second date's field (effectiveOn, notifiedOn): the action's errors name it so.</summary>
    public abstract string OnField { get; }
    public abstract string OnLabel { get; }
    public abstract string OnHint { get; }
    protected abstract string Done { get; }
    /// <summary>What the new end's field shows on a fresh form.</summary>
    protected abstract DateOnly? DefaultNewEnd { get; }

    protected abstract Task<ActionOutcome> ActAsync(DateOnly? newEnd, string? reason, DateOnly? on, ActOptions options, CancellationToken ct);

    public override IReadOnlyList<Crumb> Breadcrumb =>
    [
        new("Accueil", "/"), new("Conseillers", "/conseillers"),
        new(Contract?.AdvisorName ?? "Conseiller", Contract is null ? null : $"/conseillers/{Contract.AdvisorId}#contrat-{Contract.Id}"), new(Title),
    ];

    public string AdvisorHref => $"/conseillers/{Contract.AdvisorId}#contrat-{Contract.Id}";

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFoundPage();
        Current();
        await LogReadAsync("contracts.page", "contract", id, [Contract.AdvisorId]);
        return Page();
    }

    public async Task<IActionResult> OnPostApercuAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFoundPage();
        if (!Parse(out var newEnd, out var on)) return Invalid();
        var outcome = await ActAsync(newEnd, Reason?.Trim(), on, new ActOptions(Preview: true), ct);
        if (outcome.Failure is { Kind: FailureKind.NotFound }) return NotFoundPage();
        if (outcome.Failure is { } failure)
        {
            Form.From(failure);
            return Invalid();
        }
        Preview = outcome.Preview;
        await LogReadAsync("contracts.page", "contract", id, [Contract.AdvisorId]);
        return Page();
    }

    public async Task<IActionResult> OnPostEnregistrerAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFoundPage();
        if (!Parse(out var newEnd, out var on)) return Invalid();
        if (Version is null) Form.Fail("Le formulaire ne porte pas la version du dossier : affichez-le à nouveau.");
        else
        {
            var outcome = await ActAsync(newEnd, Reason?.Trim(), on, new ActOptions(ExpectedVersion: Version), ct);
            if (outcome.Failure is { Kind: FailureKind.NotFound }) return NotFoundPage();
            if (outcome.Ok)
            {
                Success = Done;
                return Redirect(AdvisorHref);
            }
            Form.From(outcome.Failure!);
        }
        if (Form.Stale)
        {
            // Someone changed the record meanwhile: the form shows the record as it is now, and its version.
            await LoadAsync(id, ct);
            Current();
        }
        return Invalid();
    }

    IActionResult Invalid()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>The values the record holds now, and its version: what a fresh form shows.</summary>
    void Current()
    {
        NewEnd = DefaultNewEnd?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        EffectiveOn = NotifiedOn = null;
        Version = CurrentVersion;
    }

    int? CurrentVersion { get; set; }

    async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        // Amendments and renewals are staff's (HR of the contract's structure, administrators): the API's check.
        var contract = await contracts.GetAsync(id, ct);
        if (contract is null || !Caller.MaySeeStructure(contract.StructureId)) return false;
        // An archived file's forms are closed (ContractFormPage).
        if (await HttpContext.RequestServices.GetRequiredService<AdvisorFiles>().IsArchivedAsync(contract.AdvisorId, ct)) return false;
        Contract = contract;
        StructureName = (await structures.GetAsync(contract.StructureId, ct))?.Name ?? "";
        CurrentVersion = contract.InstanceId is { } instance ? await pages.VersionAsync(instance, ct) : null;
        return true;
    }

    bool Parse(out DateOnly? newEnd, out DateOnly? on)
    {
        newEnd = ParseDate("newEnd", NewEnd);
        on = ParseDate(OnField, On);
        return !Form.HasErrors;
    }
}

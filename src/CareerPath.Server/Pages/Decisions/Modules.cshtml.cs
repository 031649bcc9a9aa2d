using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>A thematic module followed (2 within a year of starting, then 1 per calendar year).</summary>
public sealed class ModulesModel : ContractFormPage
{
    public override string Title => "Module thématique suivi";

    [BindProperty(Name = "title")] public string? ModuleTitle { get; set; }
    [BindProperty(Name = "hours")] public int? Hours { get; set; }
    [BindProperty(Name = "on")] public DateOnly? On { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return NotFoundPage();
        Version = await CurrentVersionAsync(ct);
        await LogFormReadAsync("module.page", ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        var outcome = await Actions.RecordModuleAsync(Caller, Id, new ThematicModuleRequest(ModuleTitle, Hours, On), new ActOptions(ExpectedVersion: Version), ct);
        if (!outcome.Ok) return await RefusedAsync(outcome.Failure!, () => Task.CompletedTask, ct);
        return Saved($"Module thématique enregistré : « {ModuleTitle} ».");
    }
}

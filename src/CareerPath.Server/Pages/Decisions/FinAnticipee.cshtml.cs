using CareerPath.Domain.Model;
using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>An end before term (resignation, dismissal, mutual agreement, failed trial period…): the contract ends on that day.</summary>
public sealed class FinAnticipeeModel : ContractFormPage
{
    public override string Title => "Fin anticipée du contrat";

    [BindProperty(Name = "date")] public DateOnly? Date { get; set; }
    [BindProperty(Name = "reason")] public TerminationReason? Reason { get; set; }
    [BindProperty(Name = "note")] public string? Note { get; set; }

    public static IReadOnlyList<(string Value, string Label)> Reasons { get; } =
        Enum.GetValues<TerminationReason>().Select(r => (r.ToString(), Capitalized(CareerLabels.Termination(r)))).ToList();

    static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return NotFoundPage();
        Version = await CurrentVersionAsync(ct);
        await LogFormReadAsync("early-termination.page", ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        var outcome = await Actions.EndEarlyAsync(Caller, Id, new EarlyTerminationRequest(Date, Reason, Note), new ActOptions(ExpectedVersion: Version), ct);
        if (!outcome.Ok) return await RefusedAsync(outcome.Failure!, () => Task.CompletedTask, ct);
        return Saved($"Fin anticipée enregistrée : le contrat de {Contract.AdvisorName} prend fin le {Fr.Date(Date!.Value)} ({CareerLabels.Termination(Reason!.Value)}).");
    }
}

using CareerPath.Domain.Model;
using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>
/// The end-of-contract decision (permanent hire, titularisation, renewal, not retained), with the legal notice
/// deadline and the days left. After the deadline the page warns that the notice is late, and the decision is
/// still recorded (flagged late by the workflow). Recording it closes the contract's open decision task.
/// </summary>
public sealed class DecisionModel(DecisionQueries decisions) : ContractFormPage
{
    public override string Title => "Décision de fin de contrat";

    public DecisionFacts Facts { get; private set; } = null!;

    [BindProperty(Name = "kind")] public DecisionKind? Kind { get; set; }
    [BindProperty(Name = "reason")] public string? Reason { get; set; }
    [BindProperty(Name = "notifiedOn")] public DateOnly? NotifiedOn { get; set; }

    public static IReadOnlyList<(string Value, string Label)> Kinds { get; } =
        Enum.GetValues<DecisionKind>().Select(k => (k.ToString(), CareerLabels.Decision(k))).ToList();

    /// <summary>
    /// The kinds this form records: titularisation only with a public employer; a renewal has its own form
    /// (/renouvellement), where every deadline it moves is previewed before it is saved.
    /// </summary>
    public IReadOnlyList<(string Value, string Label)> KindsHere => Kinds
        .Where(k => k.Value != nameof(DecisionKind.Renewal))
        .Where(k => Contract.Regime == nameof(LegalRegime.Public) || k.Value != nameof(DecisionKind.Titularisation)).ToList();

    /// <summary>Days from today to the date the decision is due by (negative: late).</summary>
    public int? DaysLeft => Facts.DecisionDue is { } due ? due.Date.DayNumber - Today.DayNumber : null;

    public bool Late => DaysLeft < 0;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        Version = Facts.Version;
        await LogFormReadAsync("decision.page", ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        if (Kind == DecisionKind.Renewal)
        {
            Form.Add("kind", "Un renouvellement s'enregistre sur sa page, après l'aperçu des échéances qu'il déplace.");
            Form.Fail("Le formulaire contient des erreurs : corrigez les champs signalés.");
            return Invalid();
        }
        var wasLate = Late;
        var outcome = await Actions.DecideAsync(Caller, Id, new DecisionRequest(Kind, Reason, null, NotifiedOn),
            new ActOptions(ExpectedVersion: Version), ct);
        if (!outcome.Ok) return await RefusedAsync(outcome.Failure!, () => LoadAsync(ct), ct);
        Success = $"Décision enregistrée : {CareerLabels.Decision(Kind!.Value)}."
            + (wasLate || (NotifiedOn is { } n && Facts.DecisionDue is { } due && n > due.Date) ? " Elle est signalée comme notifiée après le délai de prévenance." : "")
            + " Le courrier de notification est prêt ci-dessous.";
        return Redirect($"/contrats/{Id}/courrier");
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return false;
        var facts = await decisions.GetAsync(Id, ct);
        if (facts is null) return false;
        Facts = facts;
        return true;
    }
}

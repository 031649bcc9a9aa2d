using CareerPath.Server.Actions;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// The incidents: effects (a timer's transition, an e-mail) that failed after their retries. Retrying one
/// (the API's retry, EngineActions) puts its effect back in its queue and closes it: it leaves the list.
/// </summary>
public sealed class IncidentsModel(InstanceAdminQueries instances, EngineActions engine) : CareerPathPage
{
    public const int PageSize = 50;

    /// <summary>oui: resolved incidents too.</summary>
    [BindProperty(SupportsGet = true, Name = "tous")]
    public string? All { get; set; }

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public IReadOnlyList<IncidentRow> Incidents { get; private set; } = [];
    public Pager Pager { get; private set; } = null!;
    public bool ShowAll => All == "oui";

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Incidents")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : BadRequest();

    public async Task<IActionResult> OnPostRetryAsync(Guid id, CancellationToken ct)
    {
        switch (await engine.RetryIncidentAsync(Caller, id, ct))
        {
            case null:
                Success = "L'incident est relancé : son effet est remis en file d'attente et l'incident est clos.";
                return RedirectToPage();
            case { Kind: FailureKind.NotFound }:
                return NotFoundPage();
            case var failure:
                Form.Fail(failure.Message);
                Response.StatusCode = StatusCodes.Status400BadRequest;
                (All, Pages) = (null, null);
                await LoadAsync(ct);
                return Page();
        }
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors || All is not (null or "oui")) return false;
        if (await instances.IncidentsAsync(openOnly: !ShowAll, new PageRequest(PageSize, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } page) return false;
        Incidents = page.Items;
        Pager = new Pager("/admin/incidents", cursors, page.Next, new Dictionary<string, string?> { ["tous"] = All });
        // Error texts can hold an address (a refused recipient): a read of personal data, as the API logs it.
        await LogReadAsync("incidents.list", "incident", null, null, Incidents.Count);
        return true;
    }

    public static string Effect(string effect) => effect switch
    {
        "timer" => "Échéance (minuterie)",
        "outbox" => "E-mail",
        // One incident for a whole outage of the mail server; it closes by itself when delivery resumes.
        CareerPath.Workflows.Engine.Incidents.SmtpEffect => "Serveur de messagerie (panne)",
        _ => effect,
    };
}

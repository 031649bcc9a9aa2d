using CareerPath.Server.Actions;
using CareerPath.Server.Web;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// The outbox: the e-mails the workflows wrote, newest first, with their status, attempts and last error
/// (the API's /api/outbox); a failed one can be sent again (the API's resend, EngineActions).
/// </summary>
public sealed class EnvoisModel(OutboxQueries outbox, InstanceAdminQueries instances, EngineActions engine) : CareerPathPage
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "statut")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public IReadOnlyList<OutboxMessageView> Messages { get; private set; } = [];
    public Pager Pager { get; private set; } = null!;

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("E-mails envoyés")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : BadRequest();

    public async Task<IActionResult> OnPostResendAsync(Guid id, CancellationToken ct)
    {
        switch (await engine.ResendAsync(Caller, id, ct))
        {
            case null:
                Success = "L'e-mail est remis en file d'attente : il partira au prochain envoi (chaque minute), avec tous ses essais.";
                return RedirectToPage(new { statut = Status });
            case { Kind: FailureKind.NotFound }:
                return NotFoundPage();
            case var failure:
                Form.Fail(failure.Message);
                Response.StatusCode = StatusCodes.Status400BadRequest;
                Pages = null;
                await LoadAsync(ct);
                return Page();
        }
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors || (Status is not null && !OutboxQueries.Statuses.Contains(Status))) return false;
        if (await outbox.ListAsync(Status, new PageRequest(PageSize, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } page) return false;
        Messages = page.Items;
        Pager = new Pager("/admin/envois", cursors, page.Next, new Dictionary<string, string?> { ["statut"] = Status });
        // The messages are about advisors (their names, addresses): the log says whose, as the API's does.
        var advisors = await instances.AdvisorsOfAsync([.. Messages.Where(m => m.InstanceId is not null).Select(m => m.InstanceId!.Value)], ct);
        await LogReadAsync("outbox.list", "outbox", null, advisors, Messages.Count);
        return true;
    }
}

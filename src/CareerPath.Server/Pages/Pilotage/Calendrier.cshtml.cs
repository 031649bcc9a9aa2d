using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Pilotage;

/// <summary>
/// The HR manager's calendar feeds (iCalendar, the deadlines of their structures): create one (its secret
/// address shown once, on the answer to the form), list them, revoke one. The same calls as /api/calendar-feeds.
/// An administrator has no feed of their own (the feed follows an HR manager's structures): the page says so.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class CalendrierModel(CalendarFeedQueries feeds) : CareerPathPage
{
    public IReadOnlyList<FeedView> Feeds { get; private set; } = [];
    public string? NewUrl { get; private set; }
    public Pager Pager { get; private set; } = null!;

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Agenda")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : BadRequest();

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!Caller.IsHr) return Forbid();
        // What POST /api/calendar-feeds does.
        var (_, url) = await CalendarEndpoints.CreateFeedAsync(feeds, HttpContext, ct);
        // Shown on this answer only: the secret is never stored, and a reload asks to send the form again.
        NewUrl = url;
        Pages = null;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        if (!Caller.IsHr) return Forbid();
        if (!await feeds.RevokeAsync(id, Caller.UserId, ct)) return NotFoundPage();
        Success = "L'adresse d'agenda est révoquée : les agendas qui la lisaient ne reçoivent plus vos échéances.";
        return Redirect("/calendrier");
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors) return false;
        if (!Caller.IsHr)
        {
            Pager = new Pager("/calendrier", [], null, new Dictionary<string, string?>());
            return true;
        }
        if (await feeds.ListAsync(Caller.UserId, new PageRequest(50, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } page) return false;
        Feeds = page.Items;
        Pager = new Pager("/calendrier", cursors, page.Next, new Dictionary<string, string?>());
        return true;
    }
}

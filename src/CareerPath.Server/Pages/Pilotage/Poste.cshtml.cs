using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Pilotage;

/// <summary>
/// One funded post: its state, who held it, its coming deadlines (refill, tranches, funding end), its
/// conventions and their tranches, each awaited one with a form to record it received (the same checks
/// and the same call as POST /api/posts/{id}/tranches/received). Out of the caller's reach: the not-found page.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class PosteModel(PostQueries posts, Actions.PostActions actions, DashboardQueries dashboard, TimeProvider time) : CareerPathPage
{
    public PostView Post { get; private set; } = null!;
    public PostOccupancy Occupancy { get; private set; } = null!;
    public string StructureName { get; private set; } = "";
    public DateOnly Today { get; private set; }

    /// <summary>The tranche whose form was sent back with errors, and the day typed.</summary>
    public (Guid Convention, int Seq)? Posted { get; private set; }
    public string? PostedDay { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Postes", "/postes"), new(Post?.Label ?? "Poste")];

    public static string FieldId(Guid convention, int seq) => $"recu-{convention:N}-{seq}";

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFoundPage();

    public async Task<IActionResult> OnPostRecuAsync(Guid id, Guid? conventionId, int? seq, string? receivedOn, CancellationToken ct)
    {
        Today = WorkflowEngine.ParisDate(time.GetUtcNow());
        // What the API calls: the post in reach, the fields, one write.
        DateOnly? day = DateOnly.TryParseExact(receivedOn, "yyyy-MM-dd", out var parsed) ? parsed : null;
        var outcome = await actions.ReceiveTrancheAsync(Caller, id, new TrancheReceipt(conventionId, seq, day), ct);
        if (outcome.Received is { } received)
        {
            Success = $"Tranche n° {received.Seq} ({PostLabels.Euros(received.AmountEur)}) enregistrée comme reçue le {Fr.Date(received.ReceivedOn!.Value)}.";
            return Redirect($"/postes/{id}");
        }
        if (outcome.Failure!.Kind == Actions.FailureKind.NotFound) return NotFoundPage();
        // A date the browser sent that is not one: said as such, not as a missing date.
        if (day is null && !string.IsNullOrEmpty(receivedOn)) Form.Add("receivedOn", "Date invalide (AAAA-MM-JJ).");
        Form.From(outcome.Failure);
        if (!await LoadAsync(id, ct)) return NotFoundPage();
        Posted = conventionId is { } c && seq is { } n ? (c, n) : null;
        PostedDay = receivedOn;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await posts.GetAsync(id, Scope, ct) is not { } post) return false;
        Post = post;
        Today = WorkflowEngine.ParisDate(time.GetUtcNow());
        Occupancy = await dashboard.PostOccupancyAsync(id, Scope, ct);
        StructureName = (await dashboard.StructureNamesAsync(Scope, ct)).GetValueOrDefault(post.StructureId, "");
        var advisors = Occupancy.Contracts.Select(c => c.AdvisorId).Distinct().ToList();
        if (advisors.Count > 0) await LogReadAsync("posts.page", "post", id, advisors, advisors.Count);
        return true;
    }
}

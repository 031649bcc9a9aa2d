using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Pilotage;

/// <summary>The funded posts of the HR manager's structures (an administrator: all): state, current convention, tranches awaited.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class PostesModel(PostQueries posts, DashboardQueries dashboard) : CareerPathPage
{
    public const int PageSize = 50;

    public IReadOnlyList<PostView> Posts { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Structures { get; private set; } = new Dictionary<Guid, string>();
    public Pager Pager { get; private set; } = null!;

    [BindProperty(SupportsGet = true, Name = "structure")]
    public Guid? StructureId { get; set; }

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Postes")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors) return BadRequest();
        Structures = await dashboard.StructureNamesAsync(Scope, ct);
        var scope = StructureId is { } s && !Structures.ContainsKey(s) ? ReadScope.Nothing : Scope;
        if (await posts.ListAsync(scope, StructureId, new PageRequest(PageSize, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } page)
            return BadRequest();
        Posts = page.Items;
        Pager = new Pager("/postes", cursors, page.Next, new Dictionary<string, string?> { ["structure"] = StructureId?.ToString() });
        return Page();
    }

    /// <summary>The convention in force on a day, or else the latest.</summary>
    public static ConventionView? Current(PostView post, DateOnly today) =>
        post.Conventions.Where(c => c.Start <= today && today <= c.End).MaxBy(c => c.End) ?? post.Conventions.MaxBy(c => c.End);
}

using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Pilotage;

/// <summary>The advisors of the HR manager's structures (an administrator: all), a page at a time, optionally one structure's.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class ConseillersModel(AdvisorQueries advisors, DashboardQueries dashboard) : CareerPathPage
{
    public const int PageSize = 50;

    public IReadOnlyList<AdvisorSummary> Advisors { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Structures { get; private set; } = new Dictionary<Guid, string>();
    public Pager Pager { get; private set; } = null!;

    [BindProperty(SupportsGet = true, Name = "structure")]
    public Guid? StructureId { get; set; }

    /// <summary>Advisors per page (10 to 200; 50 when absent).</summary>
    [BindProperty(SupportsGet = true, Name = "par-page")]
    public int? Size { get; set; }

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Conseillers")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors || Size is < 10 or > 200) return BadRequest();
        Structures = await dashboard.StructureNamesAsync(Scope, ct);
        // A structure out of the caller's reach lists nobody, as an unknown one would.
        var scope = StructureId is { } s && !Structures.ContainsKey(s) ? ReadScope.Nothing : Scope;
        var current = cursors.Count == 0 ? null : cursors[^1];
        if (await advisors.ListAsync(scope, StructureId, new PageRequest(Size ?? PageSize, current), ct) is not { } page) return BadRequest();
        Advisors = page.Items;
        Pager = new Pager("/conseillers", cursors, page.Next, new Dictionary<string, string?> { ["structure"] = StructureId?.ToString(), ["par-page"] = Size?.ToString() });
        await LogReadAsync("advisors.page", "advisor", null, Advisors.Select(a => a.Id).ToList(), Advisors.Count);
        return Page();
    }
}

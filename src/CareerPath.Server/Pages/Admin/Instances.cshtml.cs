using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>The workflow instances, a page at a time, filtered as the API's list is (InstanceAdminQueries).</summary>
public sealed class InstancesModel(InstanceAdminQueries instances, DefinitionRegistry definitions, DashboardQueries dashboard) : CareerPathPage
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "definition")]
    public string? DefinitionId { get; set; }

    [BindProperty(SupportsGet = true, Name = "version")]
    public int? Version { get; set; }

    [BindProperty(SupportsGet = true, Name = "etat")]
    public string? State { get; set; }

    /// <summary>oui: open instances only; non: closed only; empty: both.</summary>
    [BindProperty(SupportsGet = true, Name = "ouvertes")]
    public string? Open { get; set; }

    [BindProperty(SupportsGet = true, Name = "sujet")]
    public Guid? SubjectId { get; set; }

    [BindProperty(SupportsGet = true, Name = "conseiller")]
    public Guid? AdvisorId { get; set; }

    [BindProperty(SupportsGet = true, Name = "structure")]
    public Guid? StructureId { get; set; }

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public IReadOnlyList<InstanceSummary> Instances { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Structures { get; private set; } = new Dictionary<Guid, string>();
    public IReadOnlyList<string> DefinitionIds => definitions.All.Select(d => d.Id).Distinct().ToList();
    public IReadOnlyList<string> States => definitions.All.SelectMany(d => d.States).Distinct().Order(StringComparer.Ordinal).ToList();
    public Pager Pager { get; private set; } = null!;
    public bool Filtered => DefinitionId is not null || Version is not null || State is not null || Open is not null || SubjectId is not null
        || AdvisorId is not null || StructureId is not null;

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Instances")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid || Pager.Parse(Pages) is not { } cursors || Open is not (null or "oui" or "non") || Version is < 1 or > 1000
            || !InstanceEndpoints.CheckFilter(DefinitionId, State).Ok) return BadRequest();
        var open = Open switch { "oui" => true, "non" => (bool?)false, _ => null };
        var filter = new InstanceFilter(DefinitionId, State, open, SubjectId, AdvisorId, StructureId, Version);
        if (await instances.ListAsync(filter, new PageRequest(PageSize, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } page) return BadRequest();
        Instances = page.Items;
        // The API's list writes this line too (InstanceEndpoints): a list of instances is a list of advisors' records.
        await LogReadAsync("instances.list", "instance", null, await instances.AdvisorsOfAsync([.. Instances.Select(i => i.Id)], ct), Instances.Count);
        Structures = await dashboard.StructureNamesAsync(Scope, ct);
        Pager = new Pager("/admin/instances", cursors, page.Next, new Dictionary<string, string?>
        {
            ["definition"] = DefinitionId, ["version"] = Version?.ToString(), ["etat"] = State, ["ouvertes"] = Open, ["sujet"] = SubjectId?.ToString(),
            ["conseiller"] = AdvisorId?.ToString(), ["structure"] = StructureId?.ToString(),
        });
        return Page();
    }

    /// <summary>The page of an instance's subject: a contract, or a post.</summary>
    public static string? SubjectHref(InstanceSummary i) => i.DefinitionId switch
    {
        AdvisorContractWorkflow.DefinitionId => $"/contrats/{i.SubjectId}",
        PostFundingWorkflow.DefinitionId => $"/postes/{i.SubjectId}",
        _ => null,
    };

    public static string SubjectKind(string definitionId) => definitionId switch
    {
        AdvisorContractWorkflow.DefinitionId => "Contrat",
        PostFundingWorkflow.DefinitionId => "Poste",
        _ => "Sujet",
    };
}

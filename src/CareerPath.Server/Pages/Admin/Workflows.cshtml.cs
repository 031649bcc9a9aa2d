using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Pages.Admin;

/// <summary>One definition as the page shows it: its id and version, its states, its diagram and transition table, its instances.</summary>
public sealed record DefinitionPanel(IWorkflowDefinition Definition, WorkflowDiagram Diagram, VersionUse? Use)
{
    public string Anchor => $"{Definition.Id}-v{Definition.Version}";
}

/// <summary>
/// The workflow definitions the server runs, each with its diagram: drawn by Mermaid in the browser from the
/// text the definition generates from its code (the API's /api/workflows gives the same text), and, for
/// whoever does not see it or runs no script, the same text and the transitions as a table.
/// </summary>
public sealed class WorkflowsModel(DefinitionRegistry definitions, InstanceAdminQueries instances) : CareerPathPage
{
    public IReadOnlyList<DefinitionPanel> Definitions { get; private set; } = [];

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Définitions de workflow")];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var uses = (await instances.VersionsInUseAsync(ct)).ToDictionary(u => (u.DefinitionId, u.DefinitionVersion));
        Definitions = definitions.All
            .Select(d => new DefinitionPanel(d, WorkflowDiagram.Parse(d.ToMermaid()), uses.GetValueOrDefault((d.Id, d.Version))))
            .ToList();
    }
}

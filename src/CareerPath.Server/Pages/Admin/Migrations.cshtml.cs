using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// Moving the open instances of a definition version to another version, along a state map: first the dry run
/// (what would move, from which state to which, or why nothing can), then, from the dry run's page only, the
/// real migration — all instances or none. The API's POST /api/instances/migrations (EngineActions, InstanceMigrator).
/// </summary>
public sealed class MigrationsModel(DefinitionRegistry definitions, InstanceAdminQueries instances, EngineActions engine) : CareerPathPage
{
    /// <summary>Moves listed one by one on the dry run's page; the rest are counted by state.</summary>
    public const int Listed = 100;

    [BindProperty(SupportsGet = true, Name = "definition")] public string? DefinitionId { get; set; }
    [BindProperty(SupportsGet = true, Name = "de")] public int? FromVersion { get; set; }
    [BindProperty(SupportsGet = true, Name = "vers")] public int? ToVersion { get; set; }
    [BindProperty(Name = "etats")] public Dictionary<string, string> StateMap { get; set; } = [];

    public IReadOnlyList<VersionUse> Uses { get; private set; } = [];
    public IWorkflowDefinition? From { get; private set; }
    public IWorkflowDefinition? To { get; private set; }
    public MigrationPlan? Plan { get; private set; }

    public IReadOnlyList<(string Value, string Label)> Sources => definitions.All
        .Select(d => ($"{d.Id}", d.Id)).Distinct().ToList();
    public IReadOnlyList<int> Versions => definitions.All.Select(d => d.Version).Distinct().Order().ToList();

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Migration de version")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return BadRequest();
        await LoadAsync(ct);
        // The state map starts as "each state to the state of the same name", where the target version has one.
        if (From is not null && To is not null)
            StateMap = From.States.Where(s => To.States.Contains(s)).ToDictionary(s => s, s => s);
        return Page();
    }

    public async Task<IActionResult> OnPostSimulateAsync(CancellationToken ct) => await RunAsync(dryRun: true, ct);

    public async Task<IActionResult> OnPostMigrateAsync(CancellationToken ct) => await RunAsync(dryRun: false, ct);

    async Task<IActionResult> RunAsync(bool dryRun, CancellationToken ct)
    {
        await LoadAsync(ct);
        if (!ModelState.IsValid) Form.Fail("Le formulaire contient des valeurs invalides.");
        else
        {
            // A state left without a target is not in the map: the migrator says so if an instance is in it.
            var map = StateMap.Where(m => !string.IsNullOrEmpty(m.Value)).ToDictionary(m => m.Key, m => m.Value);
            var (plan, failure) = await engine.MigrateAsync(Caller, new MigrationRequest(DefinitionId, FromVersion, ToVersion, map, dryRun), ct);
            if (plan is not null && !dryRun)
            {
                Success = $"Migration faite : {Fr.Plural(plan.Moves.Count, "instance est passée", "instances sont passées")} de {plan.DefinitionId} v{plan.FromVersion} à v{plan.ToVersion}.";
                return Redirect($"/admin/instances?definition={Uri.EscapeDataString(plan.DefinitionId)}&version={plan.ToVersion}&ouvertes=oui");
            }
            if (plan is not null)
            {
                Plan = plan;
                return Page();
            }
            foreach (var (field, messages) in failure!.Errors)
                foreach (var m in messages) Form.Add(Field(field), m);
            Form.Fail(failure.Errors.Count == 0
                ? $"{failure.Message}"
                : "Le formulaire contient des erreurs : corrigez les champs signalés.");
        }
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    static string Field(string api) => api switch { "definitionId" => "definition", "fromVersion" => "de", "toVersion" => "vers", _ => "etats" };

    async Task LoadAsync(CancellationToken ct)
    {
        Uses = await instances.VersionsInUseAsync(ct);
        From = definitions.All.FirstOrDefault(d => d.Id == DefinitionId && d.Version == FromVersion);
        To = definitions.All.FirstOrDefault(d => d.Id == DefinitionId && d.Version == ToVersion);
    }

    public long OpenOn(string id, int version) => Uses.FirstOrDefault(u => u.DefinitionId == id && u.DefinitionVersion == version)?.Open ?? 0;
}

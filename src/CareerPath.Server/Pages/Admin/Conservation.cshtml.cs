using CareerPath.Server.Web;
using CareerPath.Workflows.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// The retention policy as configured, the job's last runs, and the job on demand: simulated (a dry run, which changes
/// nothing and shows what the night's run would do) or run now. Counts only: no page shows whom a run erased.
/// </summary>
public sealed class ConservationModel(Retention retention, RetentionPolicy policy) : CareerPathPage
{
    public RetentionPolicy Policy => policy;
    public IReadOnlyList<RetentionRun> Runs { get; private set; } = [];
    /// <summary>The dry run just asked for, shown beside the policy.</summary>
    public RetentionReport? Simulated { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Conservation des données")];

    public async Task OnGetAsync(CancellationToken ct) => Runs = await retention.RunsAsync(ct: ct);

    public async Task<IActionResult> OnPostSimulateAsync(CancellationToken ct)
    {
        Simulated = await retention.RunAsync(dryRun: true, "admin", ct);
        Runs = await retention.RunsAsync(ct: ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRunAsync(CancellationToken ct)
    {
        var report = await retention.RunAsync(dryRun: false, "admin", ct);
        Success = $"Conservation appliquée : {Total(report.Counts)} éléments archivés, effacés ou supprimés.";
        return RedirectToPage();
    }

    public string Label(DataCategory category) => policy.Lines.First(l => l.Category == category).Label;

    public static int Total(IEnumerable<RetentionCount> counts) => counts.Sum(c => c.Count);

    public static string Action(RetentionAction action) => action switch
    {
        RetentionAction.Archived => "archivés",
        RetentionAction.Erased => "effacés",
        _ => "supprimés",
    };

    public static string RunBy(string runBy) => runBy switch
    {
        "job" => "tâche de nuit",
        "admin" => "administrateur",
        "cli" => "ligne de commande",
        _ => runBy,
    };
}

using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace CareerPath.Server.Pages.Admin;

/// <summary>One timer of the instance, with its deadline as the partial _Deadline draws it.</summary>
public sealed record TimerLine(TimerView Timer, DeadlineLine Deadline);

/// <summary>
/// One instance as the API's /api/instances/{id} and its journal give it: its state, its data, its timers
/// (due and fired, each with the explanation of its date) and its journal, a page at a time. The same
/// access-log lines as the API's two reads.
/// </summary>
public sealed class InstanceModel(InstanceAdminQueries instances, NpgsqlDataSource db, DashboardQueries dashboard, TimeProvider time) : CareerPathPage
{
    public const int JournalPageSize = 50;

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public InstanceSummary Instance { get; private set; } = null!;
    public string Data { get; private set; } = "";
    public IReadOnlyList<TimerLine> Coming { get; private set; } = [];
    public IReadOnlyList<TimerLine> Fired { get; private set; } = [];
    public IReadOnlyList<JournalEntry> Journal { get; private set; } = [];
    public IReadOnlyList<Guid> Advisors { get; private set; } = [];
    public string? StructureName { get; private set; }
    public Pager Pager { get; private set; } = null!;

    public override IReadOnlyList<Crumb> Breadcrumb =>
        [new("Accueil", "/"), new("Administration", "/admin"), new("Instances", "/admin/instances"), new($"Instance {Instance.Id.ToString()[..8]}…")];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors) return BadRequest();
        if (await instances.GetAsync(id, ct) is not { } found) return NotFoundPage();
        if (await instances.JournalAsync(id, new PageRequest(JournalPageSize, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } journal) return BadRequest();
        Instance = found.Instance;
        Data = AdminPages.PrettyJson(found.Data);
        Journal = journal.Items;
        Pager = new Pager($"/admin/instances/{id}", cursors, journal.Next, new Dictionary<string, string?>());
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        var timers = (await InstanceQueries.TimersAsync(db, id, ct))
            .Select(t => new TimerLine(t, new DeadlineLine(t.Id, DeadlineJson.Read(t.Explanation), today, t.FiredAt is not null))).ToList();
        Coming = timers.Where(t => t.Timer.FiredAt is null).ToList();
        Fired = timers.Where(t => t.Timer.FiredAt is not null).OrderByDescending(t => t.Timer.FiredAt).ToList();
        if (Instance.StructureId is { } s) StructureName = (await dashboard.StructureNamesAsync(Scope, ct)).GetValueOrDefault(s);
        Advisors = await instances.AdvisorsOfAsync([id], ct);
        // The page is the API's two reads: the instance (data, timers), then its journal.
        await LogReadAsync("instances.read", "instance", id, Advisors);
        await LogReadAsync("instances.journal", "instance", id, Advisors, Journal.Count);
        return Page();
    }

    public static (string Label, string Badge) Outcome(string? outcome) => outcome switch
    {
        "Fired" => ("Déclenchée", "fr-badge--success"),
        "Ignored" => ("Ignorée (l'état ne l'attendait plus)", ""),
        "Failed" => ("En échec (incident)", "fr-badge--error"),
        null => ("À venir", "fr-badge--info"),
        _ => (outcome, ""),
    };
}

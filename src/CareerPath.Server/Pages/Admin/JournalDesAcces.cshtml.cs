using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// The log of personal-data reads (the API's /api/access-log): a period (the last 30 days by default), and
/// "who read this advisor?" (the advisor's id, read alone or in a list) or what one account read; the
/// period's every line as CSV (the API's export, same file).
/// </summary>
public sealed class JournalDesAccesModel(AccessLogStore log, AccountStore accounts, TimeProvider time, Security.AccessLog reads) : CareerPathPage
{
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true, Name = "du")] public string? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "au")] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "conseiller")] public string? Advisor { get; set; }
    [BindProperty(SupportsGet = true, Name = "compte")] public string? Account { get; set; }
    [BindProperty(SupportsGet = true, Name = Pager.Parameter)] public string? Pages { get; set; }

    public IReadOnlyList<AccessLogEntry> Entries { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Emails { get; private set; } = new Dictionary<Guid, string>();
    public Pager Pager { get; private set; } = null!;
    public Guid? AdvisorId { get; private set; }
    public Guid? AccountId { get; private set; }
    public DateOnly FromDay { get; private set; }
    public DateOnly ToDay { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Journal des accès")];

    /// <summary>The address of the CSV of what the page shows: the same filters.</summary>
    public string CsvHref => "/admin/journal-des-acces?" + string.Join('&', new Dictionary<string, string?>
    {
        ["handler"] = "csv", ["du"] = From, ["au"] = To, ["conseiller"] = Advisor, ["compte"] = Account,
    }.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors) return BadRequest();
        if (Filter() is not { } filter)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Pager = new Pager("/admin/journal-des-acces", [], null, new Dictionary<string, string?>());
            return Page();
        }
        if (await log.ListAsync(filter, new PageRequest(PageSize, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } page) return BadRequest();
        Entries = page.Items;
        await AccessLogEndpoints.RecordListAsync(reads, Caller, filter, Entries, ct);
        Emails = await accounts.EmailsAsync([.. Entries.Where(e => e.UserId is not null).Select(e => e.UserId!.Value)], ct);
        Pager = new Pager("/admin/journal-des-acces", cursors, page.Next, new Dictionary<string, string?>
        {
            ["du"] = From, ["au"] = To, ["conseiller"] = Advisor, ["compte"] = Account,
        });
        return Page();
    }

    /// <summary>Every line of the period and filters, as the API's export writes them.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (Filter() is not { } filter) return BadRequest();
        await AccessLogEndpoints.RecordExportAsync(reads, Caller, filter, ct);
        return new EndpointResult(AccessLogEndpoints.CsvFile(filter, log));
    }

    /// <summary>The filters as the API reads them (AccessLogEndpoints.Filter), or null with the errors beside their fields.</summary>
    AccessLogFilter? Filter()
    {
        var from = ParseDate("du", From);
        var to = ParseDate("au", To);
        AdvisorId = ParseId("conseiller", Advisor);
        AccountId = ParseId("compte", Account);
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        (FromDay, ToDay) = (from ?? today.AddDays(-AccessLogEndpoints.DefaultDays), to ?? today);
        if (Form.HasErrors) return null;
        var (filter, check) = AccessLogEndpoints.Filter(from, to, AdvisorId, AccountId, time);
        if (filter is not null) return filter;
        foreach (var (field, messages) in check.Errors)
            foreach (var m in messages) Form.Add(field == "from" ? "du" : "au", m);
        Form.Fail("La période n'est pas valide : corrigez les champs signalés.");
        return null;
    }

    Guid? ParseId(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (Guid.TryParse(value.Trim(), out var id)) return id;
        Form.Fail("Le formulaire contient des erreurs : corrigez les champs signalés.").Add(field, "Identifiant invalide : copiez-le depuis l'adresse de la page (…/conseillers/identifiant).");
        return null;
    }
}

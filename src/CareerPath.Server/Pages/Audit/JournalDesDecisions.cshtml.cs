using System.Globalization;
using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Audit;

/// <summary>One decision of the log as the page writes it (dates as the reader may see them: months for an auditor), and as its file does (ISO).</summary>
public sealed record DecisionLine(AuditEntryView Entry, string Actor, string Decision, string Advisor, string Contract, bool? Late)
{
    public string Timeliness => Late switch { true => "En retard", false => "Dans le délai", null => "—" };

    public string? Field(string name) => Entry.Details is JsonObject d && d[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string Shown(string name) => Period(Field(name));

    /// <summary>A month (2026-04: avr. 2026), a day (05/04/2026) or an instant (5 avril 2026 à 10h00).</summary>
    public static string Period(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "—";
        if (text.Length == 7 && DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
            return month.ToString("MMM yyyy", Fr.Culture);
        if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return Fr.Short(day);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) ? Fr.DateTime(instant) : text;
    }
}

/// <summary>
/// The hash-chained decision log for union auditors (pseudonyms, months, no structure) and administrators,
/// a page at a time, under the result of the chain's verification; the whole log as a CSV file
/// (<c>?handler=csv</c>). The same reads as the API (DecisionLog), and the same access log lines.
/// </summary>
[Authorize(Policy = Policies.Audit)]
public sealed class JournalDesDecisionsModel(DecisionLog decisions, TimeProvider time) : CareerPathPage
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "par-page")]
    public int? Size { get; set; }

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public AuditVerification Verification { get; private set; } = null!;
    public IReadOnlyList<DecisionLine> Lines { get; private set; } = [];
    public Pager Pager { get; private set; } = null!;

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Journal des décisions")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors || Size is < 5 or > 200) return BadRequest();
        var current = cursors.Count == 0 ? null : cursors[^1];
        if (await decisions.ReadAsync(Caller, new PageRequest(Size ?? PageSize, current), ct) is not { } read) return BadRequest();
        Verification = await decisions.VerifyAsync(ct);
        Lines = read.Entries.Items.Select(Line).ToList();
        Pager = new Pager("/journal-des-decisions", cursors, read.Entries.Next, new Dictionary<string, string?> { ["par-page"] = Size?.ToString(CultureInfo.InvariantCulture) });
        await LogReadAsync("audit.decisions.page", "advisor", null, read.Advisors, read.Entries.Items.Count);
        return Page();
    }

    /// <summary>The whole log, page after page of the same list (the access log names every advisor in the file).</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        var lines = new List<DecisionLine>();
        var advisors = new HashSet<Guid>();
        for (var page = PageRequest.First(PageRequest.MaxLimit); ;)
        {
            var read = await decisions.ReadAsync(Caller, page, ct) ?? throw new InvalidOperationException("A cursor of the log itself was refused.");
            lines.AddRange(read.Entries.Items.Select(Line));
            advisors.UnionWith(read.Advisors);
            if (read.Entries.Next is null) break;
            page = new PageRequest(PageRequest.MaxLimit, read.Entries.Next);
        }
        await LogReadAsync("audit.decisions.download", "advisor", null, advisors, lines.Count);
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        return File(AuditFiles.Csv(CsvHeader, lines.Select(l => new[]
        {
            l.Entry.Seq.ToString(CultureInfo.InvariantCulture), l.Entry.At, l.Actor, l.Decision, l.Advisor, l.Contract, l.Field("decidedOn"), l.Field("notifiedOn"),
            l.Field("noticeDeadline"), l.Timeliness, l.Field("newEnd"), l.Entry.PrevHash, l.Entry.Hash,
        })), "text/csv; charset=utf-8", $"journal-des-decisions-{today:yyyy-MM-dd}.csv");
    }

    public static readonly string[] CsvHeader =
    [
        "N°", "Date", "Auteur", "Décision", "Conseiller", "Contrat", "Décidée", "Notifiée", "Limite de prévenance", "Notification", "Nouvelle fin",
        "Empreinte précédente", "Empreinte",
    ];

    static DecisionLine Line(AuditEntryView e)
    {
        var d = e.Details as JsonObject;
        string? Text(string field) => d?[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return new DecisionLine(e, Actor(e.ActorRole), Enum.TryParse<DecisionKind>(e.Kind, out var kind) ? CareerLabels.Decision(kind) : e.Kind,
            Text("advisorId") ?? "—", Text("contractId") ?? "—", d?["late"] is JsonValue late && late.TryGetValue<bool>(out var b) ? b : null);
    }

    static string Actor(string role) => role switch
    {
        Roles.Hr => "RH",
        Roles.Admin => "Administration",
        "import" => "Import",
        WorkflowEngine.TimerActor or "system" => "CareerPath",
        _ => role,
    };
}

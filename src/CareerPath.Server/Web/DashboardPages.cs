using System.Globalization;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Queries;
using CsvHelper;
using MiniExcelLibs;

namespace CareerPath.Server.Web;

/// <summary>The services of the pages: HR dashboard, lists and their downloads, posts, calendar feed.</summary>
public static class DashboardPages
{
    public static IServiceCollection AddDashboardPages(this IServiceCollection services)
    {
        services.AddSingleton<DashboardQueries>();
        return services;
    }
}

/// <summary>One list of the dashboard: its anchor and download name, its title, and its lines.</summary>
public sealed record DashboardSection(string Slug, string Title, string Intro, IReadOnlyList<DashboardItem> Items);

/// <summary>
/// The HR dashboard's lists, cut from one read (<see cref="DashboardQueries"/>): overdue, due within 7,
/// 30 and 90 days, decisions to take, mid-contract reviews, funding ends; and the posts without an advisor.
/// </summary>
public sealed class Dashboard
{
    public const int Horizon = 90;
    /// <summary>Funding ends are shown earlier: a post's future is decided months ahead.</summary>
    public const int FundingHorizon = 180;
    /// <summary>Lines shown per list on the page; the downloads hold every one.</summary>
    public const int Shown = 100;

    public DateOnly Today { get; }
    public DashboardSection Overdue { get; }
    public DashboardSection Week { get; }
    public DashboardSection Month { get; }
    public DashboardSection Quarter { get; }
    public DashboardSection Decisions { get; }
    public DashboardSection Reviews { get; }
    public DashboardSection FundingEnds { get; }
    public DashboardSection Tasks { get; }
    public DashboardSection Deadlines { get; }
    public IReadOnlyList<VacantPost> Vacancies { get; }
    /// <summary>The instances with an open escalation (the notice deadline passed without a decision).</summary>
    public IReadOnlySet<Guid> Escalated { get; }

    public Dashboard(DashboardData data, DateOnly today)
    {
        Today = today;
        var items = data.Items;
        bool Within(DashboardItem i, int from, int to) => i.DueOn.DayNumber - today.DayNumber is var d && d >= from && d <= to;
        // The deadlines of the next 90 days: every line but the funding ends read further ahead.
        var near = items.Where(i => i.DueOn.DayNumber - today.DayNumber <= Horizon).ToList();
        Overdue = new("en-retard", "En retard", "Échéances passées et tâches non faites à leur date.", near.Where(i => i.DueOn < today).ToList());
        Week = new("7-jours", "Dans les 7 jours", "Du jour même au 7e jour.", near.Where(i => Within(i, 0, 7)).ToList());
        Month = new("30-jours", "Dans les 30 jours", "Du 8e au 30e jour.", near.Where(i => Within(i, 8, 30)).ToList());
        Quarter = new("90-jours", "Dans les 90 jours", "Du 31e au 90e jour.", near.Where(i => Within(i, 31, Horizon)).ToList());
        Escalated = items.Where(i => i.IsTask && i.Kind == Workflows.Definitions.Tasks.Escalation).Select(i => i.InstanceId).ToHashSet();
        Decisions = new("decisions", "Décisions à prendre",
            "Reconduire, embaucher ou non : la décision doit être notifiée au conseiller avant la date limite de prévenance.",
            items.Where(i => i.IsTask && i.Kind == Workflows.Definitions.Tasks.Decision).ToList());
        Reviews = new("revues", "Entretiens de mi-parcours", "Entretiens demandés et à venir dans les 90 jours.",
            near.Where(i => (i.IsTask && i.Kind == Workflows.Definitions.Tasks.Review) || (!i.IsTask && i.Kind == "review.mid-contract")).ToList());
        FundingEnds = new("fins-de-financement", "Fins de financement", $"Conventions de l'État qui prennent fin dans les {FundingHorizon} jours.",
            items.Where(i => !i.IsTask && i.Kind == DashboardQueries.FundingEndRule).ToList());
        Tasks = new("taches", "Toutes les tâches ouvertes", "Les tâches ouvertes de vos structures, quelle que soit leur date.", items.Where(i => i.IsTask).ToList());
        Deadlines = new("echeances", "Toutes les échéances", $"En retard et des {Horizon} prochains jours : échéances et tâches.", near);
        Vacancies = data.Vacancies;
    }

    /// <summary>The lists on the page, in order (the posts without an advisor come after them, apart).</summary>
    public IReadOnlyList<DashboardSection> Sections => [Overdue, Week, Month, Quarter, Decisions, Reviews, FundingEnds];

    /// <summary>Every list that downloads (the page's, and the two complete ones).</summary>
    public DashboardSection? Find(string slug) =>
        Sections.Concat([Tasks, Deadlines]).FirstOrDefault(s => s.Slug == slug) ?? (slug == VacancySlug ? VacancySection() : null);

    public const string VacancySlug = "postes-vacants";

    /// <summary>The posts without an advisor as lines (for the downloads): the deadline to recruit by.</summary>
    DashboardSection VacancySection() => new(VacancySlug, "Postes vacants", "", Vacancies.Select(v => new DashboardItem
    {
        Source = "post", Kind = v.DeadlineRule ?? "", Label = PostLabels.State(v.State), DueOn = v.Deadline ?? DateOnly.MinValue,
        PostId = v.PostId, PostLabel = v.Label, StructureId = v.StructureId, StructureName = v.StructureName, State = v.State,
    }).ToList());

    /// <summary>The advisors named on the page (for the access log).</summary>
    public IReadOnlyList<Guid> AdvisorsShown() =>
        Sections.SelectMany(s => s.Items.Take(Shown)).Where(i => i.AdvisorId is not null).Select(i => i.AdvisorId!.Value).Distinct().ToList();

    public int DaysLeft(DateOnly date) => date.DayNumber - Today.DayNumber;

    /// <summary>"En retard de 3 jours", "Aujourd'hui", "Dans 12 jours", and the DSFR badge colour that goes with it.</summary>
    public (string Text, string Badge) Status(DateOnly date)
    {
        var days = DaysLeft(date);
        return days switch
        {
            < 0 => ($"En retard de {Fr.Plural(-days, "jour", "jours")}", "fr-badge--error"),
            0 => ("Aujourd'hui", "fr-badge--warning"),
            <= 7 => ($"{Fr.Plural(days, "jour restant", "jours restants")}", "fr-badge--warning"),
            <= 30 => ($"{Fr.Plural(days, "jour restant", "jours restants")}", "fr-badge--new"),
            _ => ($"{Fr.Plural(days, "jour restant", "jours restants")}", "fr-badge--info"),
        };
    }
}

/// <summary>A post's funding workflow states in French, with their DSFR badge colour.</summary>
public static class PostLabels
{
    public static string State(string? state) => state switch
    {
        null => "Sans suivi",
        nameof(PostState.Created) => "Créé",
        nameof(PostState.Granted) => "Attribué, convention à venir",
        nameof(PostState.Funded) => "Financé",
        nameof(PostState.Recruiting) => "À pourvoir (recrutement)",
        nameof(PostState.Occupied) => "Occupé",
        nameof(PostState.Vacant) => "Vacant, à pourvoir à nouveau",
        nameof(PostState.Renewed) => "Financement renouvelé",
        nameof(PostState.FundingEnding) => "Fin de financement proche",
        nameof(PostState.FundingEnded) => "Financement terminé",
        nameof(PostState.Closed) => "Clos",
        _ => state,
    };

    public static string Badge(string? state) => state switch
    {
        nameof(PostState.Occupied) or nameof(PostState.Renewed) => "fr-badge--success",
        nameof(PostState.Vacant) or nameof(PostState.Recruiting) or nameof(PostState.FundingEnding) => "fr-badge--warning",
        nameof(PostState.FundingEnded) => "fr-badge--error",
        nameof(PostState.Closed) or null => "",
        _ => "fr-badge--info",
    };

    public static string Source(string source) => source switch
    {
        "State" => "État",
        "DepartementTopUp" => "Complément du département",
        "Other" => "Autre financeur",
        _ => source,
    };

    public static string Wave(string wave) => wave switch
    {
        "FirstWave" => "Première vague",
        "Renewal2023" => "Renouvellement 2023",
        _ => wave,
    };

    public static string Euros(decimal amount) => amount.ToString("#,##0.00 '€'", Fr.Culture);
}

/// <summary>
/// The dashboard's lists as files: CSV for a spreadsheet in French (UTF-8 with a byte order mark so that
/// the accents read right, « ; » between fields as French Excel expects, dates as 2026-11-30) and .xlsx.
/// The API's export (/api/deadlines/export.csv) keeps the comma of RFC 4180 and English column names:
/// it is read by programs; these files are read by people.
/// </summary>
public static class DashboardFiles
{
    /// <summary>CSV for a spreadsheet in French: UTF-8 with a byte order mark, « ; » between fields, text that looks like a formula escaped.</summary>
    public static readonly CsvWriterOptions FrenchCsv = CsvWriterOptions.Default with
    {
        Separator = ';', Injection = CsvInjection.Escape, WriteByteOrderMark = true,
    };

    static readonly string[] Header =
        ["Date", "Jours restants", "Statut", "Nature", "Libellé", "Conseiller", "Poste", "Structure", "Fin du contrat", "Règle ou tâche", "Lien"];

    static string Nature(DashboardItem i) => i.Source switch { "task" => "Tâche", "timer" => "Échéance", _ => "Poste" };

    static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    static string Link(DashboardItem i) => i.AdvisorId is { } a ? $"/conseillers/{a}" : $"/postes/{i.PostId}";

    public static byte[] Csv(IReadOnlyList<DashboardItem> items, Dashboard dashboard)
    {
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, FrenchCsv, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            foreach (var i in items)
            {
                var dated = i.DueOn != DateOnly.MinValue;
                csv.WriteField(dated ? Iso(i.DueOn) : "");
                // A number, not text: a negative count is not mistaken for a formula (and not escaped as one).
                if (dated) csv.WriteField(dashboard.DaysLeft(i.DueOn), default);
                else csv.WriteField("");
                foreach (var text in (string?[])[dated ? dashboard.Status(i.DueOn).Text : "", Nature(i), i.Label, i.AdvisorName, i.PostLabel, i.StructureName,
                             i.ContractEnd is { } end ? Iso(end) : "", i.Kind, Link(i)])
                    csv.WriteField(text ?? "");
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }

    public static byte[] Xlsx(IReadOnlyList<DashboardItem> items, Dashboard dashboard, string sheet)
    {
        // A table with typed columns: dates are dates and counts are numbers in Excel, and an empty list still has its header.
        using var table = new System.Data.DataTable(sheet);
        foreach (var name in Header)
            table.Columns.Add(name, name switch { "Date" or "Fin du contrat" => typeof(DateTime), "Jours restants" => typeof(int), _ => typeof(string) });
        foreach (var i in items)
        {
            var dated = i.DueOn != DateOnly.MinValue;
            table.Rows.Add(
                dated ? i.DueOn.ToDateTime(TimeOnly.MinValue) : DBNull.Value, dated ? dashboard.DaysLeft(i.DueOn) : DBNull.Value,
                dated ? dashboard.Status(i.DueOn).Text : "", Nature(i), i.Label, i.AdvisorName ?? "", i.PostLabel, i.StructureName,
                i.ContractEnd is { } end ? end.ToDateTime(TimeOnly.MinValue) : DBNull.Value, i.Kind, Link(i));
        }
        using var stream = new MemoryStream();
        var config = new MiniExcelLibs.OpenXml.OpenXmlConfiguration
        {
            DynamicColumns =
            [
                new MiniExcelLibs.Attributes.DynamicExcelColumn("Date") { Format = "dd/mm/yyyy", Width = 12 },
                new MiniExcelLibs.Attributes.DynamicExcelColumn("Fin du contrat") { Format = "dd/mm/yyyy", Width = 14 },
                new MiniExcelLibs.Attributes.DynamicExcelColumn("Libellé") { Width = 60 },
                new MiniExcelLibs.Attributes.DynamicExcelColumn("Conseiller") { Width = 28 },
                new MiniExcelLibs.Attributes.DynamicExcelColumn("Poste") { Width = 28 },
                new MiniExcelLibs.Attributes.DynamicExcelColumn("Structure") { Width = 28 },
            ],
        };
        MiniExcel.SaveAs(stream, table, sheetName: sheet.Length > 31 ? sheet[..31] : sheet, excelType: ExcelType.XLSX, configuration: config);
        return stream.ToArray();
    }
}

/// <summary>
/// DSFR pagination over a keyset list: the query string carries the cursors of the pages read so far
/// (« pages=c1.c2 »; a cursor is base64url, never a dot), so « previous » is the same list less its last
/// cursor, and « next » adds the list's next cursor. No page count: a keyset list does not know it.
/// </summary>
public sealed record Pager(string Path, IReadOnlyList<string> Cursors, string? Next, IReadOnlyDictionary<string, string?> Query)
{
    public const string Parameter = "pages";
    const int MaxPages = 200;

    /// <summary>The cursors in the query string, or null when they are not plausible (the page answers 400).</summary>
    public static IReadOnlyList<string>? Parse(string? pages)
    {
        if (string.IsNullOrEmpty(pages)) return [];
        var list = pages.Split('.');
        return list.Length > MaxPages || list.Any(c => c.Length is 0 or > 400) ? null : list;
    }

    public string? Current => Cursors.Count == 0 ? null : Cursors[^1];
    public int Number => Cursors.Count + 1;
    public string First => Href([]);
    public string? Previous => Cursors.Count == 0 ? null : Href(Cursors.Take(Cursors.Count - 1));
    public string? NextHref => Next is null || Cursors.Count >= MaxPages ? null : Href(Cursors.Append(Next));

    string Href(IEnumerable<string> cursors)
    {
        var args = Query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}").ToList();
        var joined = string.Join('.', cursors);
        if (joined.Length > 0) args.Add($"{Parameter}={joined}");
        return args.Count == 0 ? Path : $"{Path}?{string.Join('&', args)}";
    }
}

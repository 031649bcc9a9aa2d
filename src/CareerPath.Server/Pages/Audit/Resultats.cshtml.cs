using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Audit;

/// <summary>
/// What became of the advisors, for union auditors (and administrators): counts of people only, cut by
/// recruitment cohort and structure kind (a GET form), by contract type, with the small cells hidden; the same
/// figures as a CSV file (<c>?handler=csv</c>). One read of the aggregates PostgreSQL computes (ReportQueries.DetailAsync),
/// the access log line of the report as the API writes it.
/// </summary>
[Authorize(Policy = Policies.Audit)]
public sealed class ResultatsModel(ReportQueries reports, TimeProvider time) : CareerPathPage
{
    /// <summary>The recruitment cohort ("2024-T1"); empty: all.</summary>
    [BindProperty(SupportsGet = true, Name = "cohorte")]
    public string? Cohort { get; set; }

    /// <summary>The structure kind (Commune, Epci…); empty: all.</summary>
    [BindProperty(SupportsGet = true, Name = "structure")]
    public string? Kind { get; set; }

    public OutcomesDetail Detail { get; private set; } = null!;
    public DateOnly Today { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Résultats")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return BadRequest();
        await LogReadAsync("reports.outcomes.page", "report", null, records: Detail.Contracts);
        return Page();
    }

    /// <summary>The figures of the page as it is now (the same selection), one line per group and measure.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return BadRequest();
        await LogReadAsync("reports.outcomes.page-export", "report", null, records: Detail.Contracts);
        var name = $"resultats-{Cohort ?? "toutes-cohortes"}-{Kind?.ToLowerInvariant() ?? "toutes-structures"}-{Today:yyyy-MM-dd}.csv";
        return File(AuditFiles.Csv(CsvHeader, CsvRows()), "text/csv; charset=utf-8", name);
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if ((Cohort is not null && !OutcomesFilter.IsCohort(Cohort)) || (Kind is not null && !OutcomesFilter.IsStructureKind(Kind))) return false;
        Today = WorkflowEngine.ParisDate(time.GetUtcNow());
        Detail = await reports.DetailAsync(AuditPages.OutcomesScope(Caller), new OutcomesFilter(Cohort, Kind), Today, ct);
        return true;
    }

    public static readonly string[] CsvHeader = ["Cohorte", "Type de structure", "Regroupement", "Groupe", "Mesure", "Conseillers"];

    IEnumerable<string?[]> CsvRows() =>
        Detail.Groups.SelectMany(g => OutcomeLabels.Order.Select(m => new[]
        {
            CohortChoice, KindChoice, OutcomeLabels.Dimension(g.Dimension), OutcomeLabels.Value(g), OutcomeLabels.Measure(m), BarChart.Cell(Value(g, m)),
        }));

    // ---- what the view reads ----

    public string CohortChoice => Cohort is null ? "Toutes les cohortes" : OutcomeLabels.Cohort(Cohort);
    public string KindChoice => Kind is null ? "Tous les types de structure" : OutcomeLabels.StructureKind(Kind);

    public ReportGroup Selection => Detail.Groups[0];

    public IReadOnlyList<ReportGroup> By(string dimension) => Detail.Groups.Where(g => g.Dimension == dimension).ToList();

    /// <summary>A count as shown: null when hidden.</summary>
    public static int? Value(ReportGroup group, string measure)
    {
        var cell = group.Cells.Single(c => c.Measure == measure);
        return cell.Suppressed ? null : cell.Advisors;
    }

    /// <summary>The link to the CSV file of this selection.</summary>
    public string CsvHref
    {
        get
        {
            var args = new List<string>();
            if (Cohort is not null) args.Add($"cohorte={Uri.EscapeDataString(Cohort)}");
            if (Kind is not null) args.Add($"structure={Uri.EscapeDataString(Kind)}");
            args.Add("handler=csv");
            return "/resultats?" + string.Join('&', args);
        }
    }

    BarChart Chart(string id, string title, string header, IReadOnlyList<(string Measure, string Label)> bars) =>
        new(id, title, header, bars.Select(b => b.Label).ToList(), [new ChartSeries("Conseillers", bars.Select(b => Value(Selection, b.Measure)).ToList())]);

    public BarChart EndOfContract => Chart("fin-de-contrat", "À la fin du contrat", "Situation",
    [
        ($"{ReportCube.EndOfContract}.{nameof(OutcomeKind.HiredByStructure)}", "Gardé par la structure"),
        ($"{ReportCube.EndOfContract}.{nameof(OutcomeKind.Unknown)}", "Situation inconnue"),
    ]);

    public BarChart FollowUps => new("suivis", "6 mois et 12 mois après le contrat", "Situation",
        OutcomeLabels.Situations.Select(OutcomeLabels.Situation).ToList(),
        [
            new ChartSeries("À 6 mois", OutcomeLabels.Situations.Select(k => Value(Selection, $"{ReportCube.Month6}.{k}")).ToList()),
            new ChartSeries("À 12 mois", OutcomeLabels.Situations.Select(k => Value(Selection, $"{ReportCube.Month12}.{k}")).ToList()),
        ]);

    public BarChart Decisions => Chart("decisions", "Décisions sur la suite du contrat", "Décision",
        [("cdiOuTitularisation", "CDI ou titularisation"), ("renouvellements", "Renouvellement"), ("nonRenouvellements", "Non retenu")]);

    public BarChart Notice => Chart("prevenance", "Notification des décisions", "Délai de prévenance",
        [("delaiDePrevenanceTenu", "Notifiée dans le délai"), ("delaiDePrevenanceManque", "Notifiée en retard ou délai manqué")]);

    public BarChart Departures => Chart("departs", "Départs avant le terme", "Départ",
        [("finsAnticipees", "Fin anticipée"), ("periodesEssaiNonConcluantes", "Période d'essai non concluante")]);

    public BarChart Training => Chart("formation", "Étapes franchies", "Étape",
        [("formationInitialeTerminee", "Formation initiale terminée"), ("certifies", "Certifié (CCP1 et Pix)")]);

    /// <summary>A breakdown's chart: the advisors of each group (every measure is in the table under it).</summary>
    public BarChart Breakdown(string dimension, string id, string title)
    {
        var groups = By(dimension);
        return new(id, title, OutcomeLabels.Dimension(dimension), groups.Select(OutcomeLabels.Value).ToList(),
            [new ChartSeries("Conseillers", groups.Select(g => Value(g, "conseillers")).ToList())]);
    }
}

using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Programme;

/// <summary>
/// The program coordinators' view (an administrator's too): counts across every structure, or those of a
/// region or a département — funded, occupied and vacant posts, funding ends by month over 12 months,
/// decisions due and overdue (<see cref="ProgramQueries"/>), and what became of the advisors
/// (<see cref="ReportQueries.OutcomesAsync"/>, the auditors' report over the same structures). Structures are named,
/// advisors never; people counts of 1 to 4 are hidden.
/// </summary>
[Authorize(Policy = Policies.Program)]
public sealed class ProgrammeModel(ProgramQueries program, ReportQueries reports, TimeProvider time) : CareerPathPage
{
    /// <summary>Structures listed on the national page; a region's or a département's are all listed, the file holds them all.</summary>
    public const int NationalShown = 150;

    [BindProperty(SupportsGet = true, Name = "region")]
    public string? RegionCode { get; set; }

    [BindProperty(SupportsGet = true, Name = "departement")]
    public string? DepartementCode { get; set; }

    public ProgramFilter Filter { get; private set; } = ProgramFilter.National;
    public string? FilterError { get; private set; }
    public ProgramCounts Counts { get; private set; } = null!;
    public ProgramArea Area { get; private set; } = null!;
    /// <summary>The lines one level down: regions (national), départements (a region); none for a département.</summary>
    public IReadOnlyList<ProgramArea> Breakdown { get; private set; } = [];
    public IReadOnlyList<ProgramArea> Structures { get; private set; } = [];
    public OutcomesReport Outcomes { get; private set; } = null!;

    public override IReadOnlyList<Crumb> Breadcrumb => Filter.IsNational
        ? [new("Accueil", "/"), new("Programme")]
        : [new("Accueil", "/"), new("Programme", "/programme"), new(Filter.Name)];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (filter, error) = ProgramFilter.Parse(RegionCode, DepartementCode);
        Counts = await program.ReadAsync(WorkflowEngine.ParisDate(time.GetUtcNow()), ct);
        if (filter is null)
        {
            // A filter made up in the address: said plainly, with the national figures below it.
            FilterError = error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        Filter = filter ?? ProgramFilter.National;
        Area = Filter.Area(Counts);
        Breakdown = Filter.Departement is not null ? []
            : Filter.Region is { } r ? Counts.Departements.Where(d => d.RegionCode == r.Code).ToList()
            : Counts.Regions;
        Structures = Filter.Structures(Counts);
        var scope = Filter.IsNational ? ReadScope.Everything : ReadScope.OfStructures(Structures.Select(s => s.StructureId!.Value));
        var summary = await reports.OutcomesAsync(scope, ct);
        Outcomes = summary.Report;
        // Counts only: no advisor is named, so none is listed; the line says how many contracts the outcomes counted.
        await LogReadAsync("program.page", "report", null, null, summary.Contracts);
        return Page();
    }

    public IReadOnlyList<ProgramArea> StructuresShown => Filter.IsNational ? Structures.Take(NationalShown).ToList() : Structures;

    /// <summary>The regions for the filter, and the départements: those of the chosen region, or all.</summary>
    public IReadOnlyList<Region> Regions => Territory.Regions;

    public IReadOnlyList<Departement> DepartementChoices => Filter.Region is { } r ? Territory.DepartementsOf(r) : Territory.Departements;

    /// <summary>The funding ends chart: one bar per month, this month first.</summary>
    public BarChart FundingChart => new("fins-de-financement-graphique", "Fins de financement de l'État, par mois", "Mois",
        Counts.Months.Select(ProgramLabels.Month).ToList(), [new ChartSeries("Postes", Area.Figures.FundingEnds.Select(n => (int?)n).ToList())]);

    /// <summary>The outcomes report's overall group (its first: every contract of the scope).</summary>
    public ReportGroup? OutcomesOverall => Outcomes.Groups.FirstOrDefault(g => g.Dimension == "ensemble") ?? Outcomes.Groups.FirstOrDefault();

    public Cell? Outcome(string measure) => OutcomesOverall?.Cells.FirstOrDefault(c => c.Measure == measure);

    /// <summary>Where advisors were 6 and 12 months after their contract; null when the report has no such measures.</summary>
    public BarChart? FollowUpChart
    {
        get
        {
            var kinds = Enum.GetNames<OutcomeKind>();
            var six = kinds.Select(k => Outcome($"situation6Mois.{k}")).ToList();
            var twelve = kinds.Select(k => Outcome($"situation12Mois.{k}")).ToList();
            if (six.Concat(twelve).Any(c => c is null)) return null;
            return new BarChart("devenir-graphique", "Situation des conseillers après leur contrat", "Situation",
                kinds.Select(ProgramLabels.Outcome).ToList(),
                [new ChartSeries("À 6 mois", six.Select(c => c!.Advisors).ToList()), new ChartSeries("À 12 mois", twelve.Select(c => c!.Advisors).ToList())]);
        }
    }

    /// <summary>The tiles of « Chiffres clés »: the element id of the figure, its label, the figure, what it counts.</summary>
    public IReadOnlyList<(string Id, string Label, string Value, string Detail)> KeyFigures =>
    [
        ("postes-finances", "Postes financés", Count(Area.Figures.FundedPosts), "financement de l'État attribué et non terminé"),
        ("postes-occupes", "Postes occupés", Count(Area.Figures.OccupiedPosts), "un conseiller sous contrat"),
        ("postes-vacants", "Postes vacants", Count(Area.Figures.VacantPosts), "à pourvoir : recrutement ou remplacement"),
        ("fins-12-mois", "Fins de financement", Count(Area.Figures.FundingEnds.Sum()), "dans les 12 prochains mois"),
        ("decisions-a-prendre", "Décisions à prendre", People(Area.Figures.DecisionsDue), "reconduire, embaucher ou non"),
        ("decisions-en-retard", "Décisions en retard", People(Area.Figures.DecisionsOverdue), "délai de prévenance passé"),
    ];

    public static string Count(int n) => n.ToString("N0", Fr.Culture);

    public static string People(int? n) => BarChart.Cell(n);

    public string AreaHref(ProgramArea a) => a.Level == ProgramLevel.Region ? (a.RegionCode is { } r ? $"/programme?region={r}" : "")
        : a.DepartementCode is { } d ? $"/programme?departement={d}" : "";
}

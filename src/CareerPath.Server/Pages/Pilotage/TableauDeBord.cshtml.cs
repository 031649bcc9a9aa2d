using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Pilotage;

/// <summary>
/// The HR manager's dashboard over their structures (an administrator: every structure): what is overdue,
/// what falls due within 7, 30 and 90 days, the decisions to take, the reviews, the posts without an
/// advisor and the funding ends. One read (<see cref="DashboardQueries"/>), the access log naming the advisors shown.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class TableauDeBordModel(DashboardQueries queries, TimeProvider time) : CareerPathPage
{
    public Dashboard Board { get; private set; } = null!;

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Tableau de bord")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Board = await LoadAsync(queries, Scope, time, ct);
        var advisors = Board.AdvisorsShown();
        await LogReadAsync("dashboard.page", "advisor", null, advisors, advisors.Count);
        return Page();
    }

    internal static async Task<Dashboard> LoadAsync(DashboardQueries queries, ReadScope scope, TimeProvider time, CancellationToken ct)
    {
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        var data = await queries.ReadAsync(scope, today.AddDays(Dashboard.Horizon), today.AddDays(Dashboard.FundingHorizon), ct);
        return new Dashboard(data, today);
    }
}

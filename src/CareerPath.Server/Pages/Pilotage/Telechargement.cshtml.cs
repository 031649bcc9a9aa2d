using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Pilotage;

/// <summary>
/// A list of the dashboard as a file: /tableau-de-bord/{liste}.csv or .xlsx (en-retard, 7-jours, 30-jours,
/// 90-jours, decisions, revues, fins-de-financement, postes-vacants, echeances, taches). Every line of the
/// list, not only those the page shows; the access log names every advisor in the file.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class TelechargementModel(DashboardQueries queries, TimeProvider time) : CareerPathPage
{
    public async Task<IActionResult> OnGetAsync(string liste, string format, CancellationToken ct)
    {
        if (format is not ("csv" or "xlsx")) return NotFoundPage();
        var board = await TableauDeBordModel.LoadAsync(queries, Scope, time, ct);
        if (board.Find(liste) is not { } section) return NotFoundPage();
        var advisors = section.Items.Where(i => i.AdvisorId is not null).Select(i => i.AdvisorId!.Value).Distinct().ToList();
        await LogReadAsync("dashboard.export", "advisor", null, advisors, section.Items.Count);
        var name = $"{section.Slug}-{board.Today:yyyy-MM-dd}.{format}";
        return format == "csv"
            ? File(DashboardFiles.Csv(section.Items, board), "text/csv; charset=utf-8", name)
            : File(DashboardFiles.Xlsx(section.Items, board, section.Title), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
    }
}

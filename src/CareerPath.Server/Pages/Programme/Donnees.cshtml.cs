using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Programme;

/// <summary>
/// The program view's open-data file (<see cref="ProgramOpenData"/>): one row per structure of the country, of a
/// region (?region=76) or of a département (?departement=48), with the same counts and the same hidden cells as the page.
/// </summary>
[Authorize(Policy = Policies.Program)]
public sealed class DonneesModel(ProgramQueries program, TimeProvider time) : CareerPathPage
{
    public async Task<IActionResult> OnGetAsync(string? region, string? departement, CancellationToken ct)
    {
        var (filter, _) = ProgramFilter.Parse(region, departement);
        if (filter is null) return BadRequest();
        var counts = await program.ReadAsync(WorkflowEngine.ParisDate(time.GetUtcNow()), ct);
        var structures = filter.Structures(counts);
        await LogReadAsync("program.export", "report", null, null, structures.Count);
        var place = filter.Departement is { } d ? $"-departement-{d.Code}" : filter.Region is { } r ? $"-region-{r.Code}" : "";
        return File(ProgramOpenData.Csv(counts, structures), "text/csv; charset=utf-8", $"programme{place}-{counts.Today:yyyy-MM-dd}.csv");
    }
}

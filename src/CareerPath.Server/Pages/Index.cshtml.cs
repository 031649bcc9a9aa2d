using CareerPath.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages;

/// <summary>
/// The home page is each role's own: the dashboard of an HR manager or administrator, the contract of
/// an advisor, the outcomes of a union auditor, the national view of a program coordinator.
/// </summary>
public sealed class IndexModel : CareerPathPage
{
    public IActionResult OnGet() =>
        Caller.IsHr || Caller.IsAdmin ? Redirect("/tableau-de-bord")
        : Caller.IsAdvisor ? Redirect("/mon-contrat")
        : Caller.IsAuditor ? Redirect("/resultats")
        : Caller.IsProgram ? Redirect("/programme")
        : Redirect("/compte");
}

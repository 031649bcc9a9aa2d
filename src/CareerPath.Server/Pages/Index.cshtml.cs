using CareerPath.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages;

/// <summary>The home page is each role's own: the dashboard of an HR manager, the contract of an advisor.</summary>
public sealed class IndexModel : CareerPathPage
{
    public IActionResult OnGet() =>
        Caller.IsHr || Caller.IsAdmin ? Redirect("/tableau-de-bord")
        : Caller.IsAdvisor ? Redirect("/mon-contrat")
        : Redirect("/compte");
}

using CareerPath.Server.Security;
using CareerPath.Server.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages;

/// <summary>Sign-out ends the session on the server (its row is deleted), not only the cookie in this browser.</summary>
public sealed class DeconnexionModel : CareerPathPage
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.RequestServices.GetRequiredService<ServerSessions>().SignOutAsync(HttpContext);
        return Redirect("/connexion");
    }
}

using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace CareerPath.Server.Pages;

/// <summary>Sign-in with the same accounts, password check and lockout as the API; ProConnect when configured.</summary>
[EnableRateLimiting(ApiSetup.LoginLimit)]
public sealed class ConnexionModel(Accounts accounts, ServerSessions sessions, IConfiguration configuration) : CareerPathPage
{
    public const string Refused = "Identifiants invalides, ou compte verrouillé temporairement après trop d'échecs.";

    public bool ProConnect => !string.IsNullOrWhiteSpace(configuration["Authentication:OpenIdConnect:Authority"]);
    public string? Email { get; private set; }
    public string? Error { get; private set; }

    [BindProperty(SupportsGet = true, Name = "retour")]
    public string? ReturnUrl { get; set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Redirect(SafeReturn()) : Page();

    public async Task<IActionResult> OnPostAsync(string? email, string? password, CancellationToken ct)
    {
        Email = email?.Trim();
        if (string.IsNullOrEmpty(Email) || string.IsNullOrEmpty(password) || Email.Length > 254 || password.Length > 200)
        {
            Error = "Saisissez votre adresse électronique et votre mot de passe.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var (outcome, account) = await accounts.CheckPasswordAsync(Email, password, ct);
        if (outcome != LoginOutcome.Success || await accounts.PrincipalAsync(account!.Id, Authentication.Cookie, ct) is not { } principal)
        {
            Error = Refused;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await sessions.SignInAsync(HttpContext, principal);
        return Redirect(SafeReturn());
    }

    /// <summary>Back where the person was going, on this site only.</summary>
    string SafeReturn() => ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) && !url.StartsWith("/connexion", StringComparison.Ordinal) ? url : "/";
}

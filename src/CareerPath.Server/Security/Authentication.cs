using System.Security.Claims;
using System.Text.Encodings.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace CareerPath.Server.Security;

/// <summary>
/// How callers prove who they are: a cookie for the web UI (after a local password sign-in or
/// OpenID Connect), a bearer token (or the same token in X-Api-Key) for API clients. Whatever the
/// way in, the principal is rebuilt from the database, so a disabled account or a changed scope
/// takes effect at the next request.
/// </summary>
public static class Authentication
{
    public const string Scheme = "careerpath";
    public const string Cookie = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Token = "token";
    public const string OpenIdConnect = "proconnect";
    /// <summary>The session cookie's name (the OpenAPI document declares it).</summary>
    public const string CookieName = "careerpath";

    public static IServiceCollection AddCareerPathAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var auth = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Cookie or token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || context.Request.Headers.ContainsKey(TokenAuthenticationHandler.ApiKeyHeader) ? Token : Cookie)
            .AddCookie(Cookie, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = ServerSessions.Lifetime;
                o.SlidingExpiration = true;
                o.LoginPath = "/connexion";
                o.LogoutPath = "/deconnexion";
                o.ReturnUrlParameter = "retour";
                // The API answers 401/403; a page sends the person to the sign-in page, and back after.
                o.Events.OnRedirectToLogin = context => IsPage(context.Request) ? Redirect(context) : Status(context, StatusCodes.Status401Unauthorized);
                // A role without access: 403 (a page then shows the French 403 page).
                o.Events.OnRedirectToAccessDenied = context => Status(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = async context =>
                {
                    var services = context.HttpContext.RequestServices;
                    var ct = context.HttpContext.RequestAborted;
                    // The session must still live on the server (not signed out, not ended by an administrator),
                    // and the account be active: the principal is rebuilt from the database, its session id kept.
                    var id = context.Principal?.FindFirstValue(CareerPathClaims.UserId);
                    var session = context.Principal is { } cookie && Guid.TryParse(id, out var userId)
                        ? await services.GetRequiredService<ServerSessions>().LiveSessionAsync(cookie, userId, ct) : null;
                    var fresh = session is null ? null : await services.GetRequiredService<Accounts>().PrincipalAsync(Guid.Parse(id!), Cookie, ct);
                    if (fresh is null)
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(Cookie);
                    }
                    else context.ReplacePrincipal(ServerSessions.With(fresh, session!));
                };
            })
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(Token, null);
        services.AddSingleton<WebSessionStore>();
        services.AddSingleton<ServerSessions>();

        // ProConnect (or any OpenID Connect provider) when configured: the provider proves the e-mail,
        // and the local account with that e-mail decides the role and scope. No account, no access.
        var oidc = configuration.GetSection("Authentication:OpenIdConnect");
        if (!string.IsNullOrWhiteSpace(oidc["Authority"]))
        {
            auth.AddOpenIdConnect(OpenIdConnect, o =>
            {
                o.Authority = oidc["Authority"];
                o.ClientId = oidc["ClientId"];
                o.ClientSecret = oidc["ClientSecret"];
                o.ResponseType = "code";
                o.Scope.Add("email");
                o.SignInScheme = Cookie;
                o.CallbackPath = oidc["CallbackPath"] ?? "/signin-proconnect";
                o.RequireHttpsMetadata = oidc.GetValue("RequireHttpsMetadata", true);
                // A refused sign-in (no account, unverified address, a provider error) is a 401 in French, not a server error.
                o.Events.OnRemoteFailure = async context =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CareerPath.ProConnect")
                        .LogWarning(context.Failure, "OpenID Connect sign-in refused");
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context.HttpContext,
                        ProblemDetails = { Status = 401, Detail = "Connexion ProConnect refusée : pas de compte CareerPath actif pour cette adresse vérifiée, ou réponse du fournisseur invalide." },
                    });
                };
                o.Events.OnTokenValidated = async context =>
                {
                    var email = context.Principal?.FindFirstValue(ClaimTypes.Email) ?? context.Principal?.FindFirstValue("email");
                    // An address the provider has not verified proves nothing (RequireVerifiedEmail=false for a provider that never says).
                    if (oidc.GetValue("RequireVerifiedEmail", true) && context.Principal?.FindFirstValue("email_verified") is not ("true" or "True"))
                        email = null;
                    var accounts = context.HttpContext.RequestServices.GetRequiredService<Accounts>();
                    var account = email is null ? null : await accounts.FindByEmailAsync(email);
                    var principal = account is null ? null : await accounts.PrincipalAsync(account.Id, Cookie);
                    if (principal is null) context.Fail("Aucun compte CareerPath actif pour cette adresse.");
                    else context.Principal = await context.HttpContext.RequestServices.GetRequiredService<ServerSessions>()
                        .OpenAsync(principal, context.HttpContext.RequestAborted);
                };
            });
        }
        return services;
    }

    /// <summary>Everything but the API, the calendar feeds and the job dashboard is a page for people.</summary>
    public static bool IsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/calendar") && !request.Path.StartsWithSegments("/hangfire");

    static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}

/// <summary>Bearer tokens (Authorization: Bearer cpt_…) or the same token in X-Api-Key.</summary>
public sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Accounts accounts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string ApiKeyHeader = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : Request.Headers[ApiKeyHeader].ToString().Trim();
        if (token.Length == 0) return AuthenticateResult.NoResult();
        if (!token.StartsWith(Accounts.TokenPrefix, StringComparison.Ordinal) || token.Length > 200)
            return AuthenticateResult.Fail("Jeton invalide.");
        var userId = await accounts.FindTokenUserAsync(token, Context.RequestAborted);
        var principal = userId is { } id ? await accounts.PrincipalAsync(id, Scheme.Name, Context.RequestAborted) : null;
        return principal is null ? AuthenticateResult.Fail("Jeton inconnu, révoqué ou expiré.") : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}

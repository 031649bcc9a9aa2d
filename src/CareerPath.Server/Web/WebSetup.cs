using CareerPath.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.FileProviders;

namespace CareerPath.Server.Web;

/// <summary>
/// The web pages: Razor Pages rendered on the server (every page works without JavaScript), on the
/// State design system (DSFR) served from beside the assembly, behind security headers.
/// </summary>
public static class WebSetup
{
    public const string AntiforgeryCookie = "careerpath-af";

    public static IServiceCollection AddCareerPathWeb(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
            {
                // Every page needs a signed-in person, but for these few.
                o.Conventions.AuthorizeFolder("/", Policies.Authenticated);
                o.Conventions.AllowAnonymousToPage("/Connexion");
                o.Conventions.AllowAnonymousToPage("/Erreur");
                // Each audience's folder: union auditors' pseudonymised reports, the program's national
                // view, the administrators' engine pages. The page checks come on top of the folder's.
                o.Conventions.AuthorizeFolder("/Audit", Policies.Audit);
                o.Conventions.AuthorizeFolder("/Programme", Policies.Program);
                o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
            })
            // The pages are compiled into this assembly, whoever hosts it (the tests too).
            .AddApplicationPart(typeof(WebSetup).Assembly)
            .AddMvcOptions(o => o.Filters.Add(new ResponseCacheAttribute { NoStore = true, Location = ResponseCacheLocation.None }));
        services.AddDashboardPages().AddAdvisorPages().AddDecisionPages().AddImportPages()
            .AddAuditPages().AddProgramPages().AddAdminPages().AddRulePages();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AntiforgeryCookie;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__jeton";
        });
        return services;
    }

    /// <summary>Security headers on every answer, and cross-site writes to the job dashboard refused. Goes first in the pipeline.</summary>
    public static void UseSecurityHeaders(this WebApplication app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            var path = http.Request.Path;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.XFrameOptions = "DENY";
            // The API reference and the job dashboard are third-party pages with inline script: framing is still refused.
            headers.ContentSecurityPolicy = path.StartsWithSegments("/scalar") || path.StartsWithSegments("/hangfire")
                ? "frame-ancestors 'none'"
                : "default-src 'self'; script-src 'self'; " +
                  // Mermaid draws the workflow diagrams of /admin/workflows in the browser, and the SVG it writes carries a
                  // <style> element and style attributes: inline styles are allowed on that administrators' page alone.
                  // Scripts stay 'self' only there too, so injected markup still cannot run; every other page keeps style-src 'self'.
                  (path.StartsWithSegments("/admin/workflows") ? "style-src 'self' 'unsafe-inline'; " : "style-src 'self'; ") +
                  "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
            // Over HTTPS (directly, or behind a known proxy that says so), browsers must never come back over plain HTTP.
            // Written here rather than by UseHsts, which leaves out localhost and 127.0.0.1: a server reached over
            // HTTPS gets the header whatever its host name (a browser ignores it on plain HTTP anyway).
            if (http.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000";
            // What is not a static asset may hold personal data: never kept by a browser or a proxy. API answers
            // (JSON, CSV, calendar feeds) and pages get no-store even if something upstream chose another policy;
            // the third-party reference and dashboard keep their own caching of their scripts.
            if (!IsAsset(path) && !headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase)
                && (!headers.ContainsKey("Cache-Control") || !IsThirdParty(path)))
                headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        // The job dashboard changes jobs through form POSTs that the sign-in cookie authenticates. Hangfire checks
        // the antiforgery token (IAntiforgery, DashboardOptions.IgnoreAntiforgeryToken left false); a POST that a
        // browser says comes from another site is refused here too, before it reaches Hangfire.
        if (http.Request.Path.StartsWithSegments("/hangfire") && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && IsCrossSite(http.Request))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        return next(http);
    });

    /// <summary>
    /// What the browser says of the request's origin: Sec-Fetch-Site other than same-origin (or none: typed by the
    /// person), or an Origin that is not this server's own. Without either header (not a browser), nothing is said.
    /// </summary>
    static bool IsCrossSite(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site && site is not ("same-origin" or "none")) return true;
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    static bool IsAsset(PathString path) => path.StartsWithSegments("/dsfr") || path.StartsWithSegments("/static");

    static bool IsThirdParty(PathString path) =>
        path.StartsWithSegments("/scalar") || path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/openapi");

    /// <summary>The DSFR and CareerPath's own stylesheet, from the folders copied beside the assembly at build.</summary>
    public static void UseWebAssets(this WebApplication app)
    {
        foreach (var folder in new[] { "dsfr", "static" })
        {
            var root = Path.Combine(AppContext.BaseDirectory, folder);
            if (!Directory.Exists(root)) throw new InvalidOperationException($"{root} is missing: build the server after npm ci (./run.sh does both).");
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(root),
                RequestPath = "/" + folder,
                OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=86400",
            });
        }
    }

    /// <summary>A page's error (404, 403, 500…) is a page in French; the API's stay ProblemDetails.</summary>
    public static void UsePageErrors(this WebApplication app)
    {
        app.UseWhen(http => Authentication.IsPage(http.Request), page =>
        {
            // A database outage is the service unavailable for a moment (503, Retry-After on the error page), not an error.
            page.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/erreur/500",
                StatusCodeSelector = e => Api.DatabaseOutage.IsUnavailable(e) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
            });
            page.UseStatusCodePagesWithReExecute("/erreur/{0}");
        });
    }

    public static void MapCareerPathWeb(this WebApplication app)
    {
        app.MapRazorPages();
        // The links e-mails carry (and the API's resource paths) open the page for their recipient.
        app.MapGet("/contracts/{id:guid}", (Guid id) => Results.Redirect($"/contrats/{id}")).RequireAuthorization(Policies.Authenticated).ExcludeFromDescription();
        app.MapGet("/advisors/{id:guid}", (Guid id) => Results.Redirect($"/conseillers/{id}")).RequireAuthorization(Policies.Authenticated).ExcludeFromDescription();
        app.MapGet("/posts/{id:guid}", (Guid id) => Results.Redirect($"/postes/{id}")).RequireAuthorization(Policies.Authenticated).ExcludeFromDescription();
        app.MapGet("/deadlines", () => Results.Redirect("/")).RequireAuthorization(Policies.Authenticated).ExcludeFromDescription();
    }
}

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

    /// <summary>Security headers on every answer; the pages' errors as pages. Goes first in the pipeline.</summary>
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
            // What is not a static asset may hold personal data: never kept by a browser or a proxy.
            if (!IsAsset(path) && !headers.ContainsKey("Cache-Control")) headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(http);
    });

    static bool IsAsset(PathString path) => path.StartsWithSegments("/dsfr") || path.StartsWithSegments("/static");

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
            page.UseExceptionHandler("/erreur/500");
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

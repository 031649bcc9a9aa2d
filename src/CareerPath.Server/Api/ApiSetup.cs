using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using System.Threading.RateLimiting;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Workflows.Import;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Records;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

namespace CareerPath.Server.Api;

/// <summary>Request limits per user and per IP address (CareerPath:RateLimits).</summary>
public sealed class RateLimitOptions
{
    public int LoginPerIpPerMinute { get; set; } = 10;
    public int ApiPerUserPerMinute { get; set; } = 300;
    public int ApiPerIpPerMinute { get; set; } = 600;
}

/// <summary>The REST API: authentication, policies, errors, limits, OpenAPI, and one endpoint file per resource.</summary>
public static class ApiSetup
{
    public const string LoginLimit = "login";

    public static IServiceCollection AddCareerPathApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("CareerPath:Accounts").Get<AccountOptions>() ?? new AccountOptions());
        // The reads and writes of Workflows the endpoints call (the resources' queries, then the administration's own).
        services.AddCareerPathQueries();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<AccessLogStore>();
        services.AddSingleton<AdminSecrets>();
        services.AddSingleton<InstanceAdminQueries>();
        services.AddSingleton<OutboxQueries>();
        services.AddSingleton<Accounts>();
        services.AddSingleton<AccessLog>();
        services.AddSingleton<AdvisorFiles>();
        services.AddSingleton<Pseudonyms>();
        services.AddSingleton<ReferenceData>();
        services.AddSingleton<CsvImporter>();
        services.AddSingleton<Actions.ContractActions>();
        services.AddSingleton<Actions.PostActions>();
        services.AddCareerPathAuthentication(configuration);
        // No fallback policy: every endpoint names its own (a test checks it), and the framework's own
        // answers (405, 415) must reach anonymous callers as what they are, not as 401.
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Authenticated, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Hr, p => p.RequireRole(Roles.Hr))
            .AddPolicy(Policies.Staff, p => p.RequireRole(Roles.Hr, Roles.Admin))
            .AddPolicy(Policies.PersonalRecords, p => p.RequireRole(Roles.Hr, Roles.Admin, Roles.Advisor))
            .AddPolicy(Policies.Reports, p => p.RequireRole(Roles.Auditor, Roles.Hr, Roles.Admin))
            .AddPolicy(Policies.Audit, p => p.RequireRole(Roles.Auditor, Roles.Admin))
            .AddPolicy(Policies.Program, p => p.RequireRole(Roles.Program, Roles.Admin));

        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new StrictEnumConverter());
            // Accents as they are, but < > & ' escaped: no answer carries markup, even one quoting hostile input.
            o.SerializerOptions.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
            // A field the API does not know is an error, not something silently dropped.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.MaxDepth = 16;
        });

        var limits = configuration.GetSection("CareerPath:RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Detail = "Trop de requêtes : réessayez dans une minute." },
                });
            };
            // Sign-in attempts are counted, not visits of the sign-in page (where every signed-out visit lands).
            o.AddPolicy(LoginLimit, http => HttpMethods.IsGet(http.Request.Method) && Authentication.IsPage(http.Request)
                ? RateLimitPartition.GetNoLimiter("login-page")
                : RateLimitPartition.GetFixedWindowLimiter($"login:{Ip(http)}", _ => Window(limits.LoginPerIpPerMinute)));
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    IsApi(http) && http.User.FindFirst(CareerPathClaims.UserId)?.Value is { } user
                        ? RateLimitPartition.GetFixedWindowLimiter($"user:{user}", _ => Window(limits.ApiPerUserPerMinute))
                        : RateLimitPartition.GetNoLimiter("none")),
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    IsApi(http)
                        ? RateLimitPartition.GetFixedWindowLimiter($"ip:{Ip(http)}", _ => Window(limits.ApiPerIpPerMinute))
                        : RateLimitPartition.GetNoLimiter("none")));
        });

        services.AddOpenApi(OpenApiDocumentation.Configure);
        return services;
    }

    static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/calendar");

    /// <summary>The caller's address for limits; IPv6 by /64, the block one subscriber usually holds.</summary>
    static string Ip(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null) return "local";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }

    static FixedWindowRateLimiterOptions Window(int permits) => new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    /// <summary>The middleware order matters: errors, then who the caller is, then limits per caller, then what they may do.</summary>
    public static void UseCareerPathApi(this WebApplication app)
    {
        // Behind a reverse proxy (CareerPath:KnownProxies), the client's address and scheme come from
        // its X-Forwarded-* headers: limits apply per client, and cookies stay Secure over HTTPS.
        var proxies = app.Configuration["CareerPath:KnownProxies"];
        if (!string.IsNullOrWhiteSpace(proxies))
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            app.UseForwardedHeaders(forwarded);
        }
        // The API's errors are ProblemDetails; a page's are pages (WebSetup.UsePageErrors).
        app.UseWhen(http => !Authentication.IsPage(http.Request), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        // Inside the error handlers (a second failure is their 503), before everything that reads the database
        // (the session behind a cookie, the endpoint): a request run again after an outage runs all of it again.
        app.UseDatabaseOutageRetry();
        // Routing after the error handlers, so that a page's error re-executed on /erreur/{code} finds that page.
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
    }

    public static void MapCareerPathApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(o => o.WithTitle("CareerPath API")).AllowAnonymous();
        var api = app.MapGroup("/api");
        api.MapAuth();
        api.MapStructures();
        api.MapPosts();
        api.MapAdvisors();
        api.MapTimeline();
        api.MapContracts();
        api.MapTrainings();
        api.MapTasks();
        api.MapDeadlines();
        api.MapInstances();
        api.MapReports();
        api.MapDecisionAudit();
        api.MapOutbox();
        api.MapAccessLog();
        api.MapIntegrity();
        api.MapImports();
        api.MapUsers();
        api.MapCalendarFeeds();
        app.MapCalendarFeed();
    }
}

using System.Diagnostics.Metrics;
using System.Net;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Npgsql;
using OpenTelemetry.Metrics;

namespace CareerPath.Server.Hosting;

/// <summary>CareerPath:Metrics — who may scrape /metrics without signing in, and what the engine's gauges mean.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// Addresses or networks (CIDR) that may scrape without credentials: the Prometheus servers. Empty by
    /// default, and loopback is not implied: behind a reverse proxy on the same machine every visitor
    /// arrives from 127.0.0.1 (unless CareerPath:KnownProxies restores their address), so loopback would
    /// open the metrics to everyone. Allow 127.0.0.1 only where nothing proxies to the server.
    /// </summary>
    public string[] AllowedAddresses { get; set; } = [];

    /// <summary>
    /// A pending timer this long past its due instant is overdue. The sweeper runs every minute, and a burst
    /// of a few thousand timers takes seconds: fifteen minutes is a sweeper that is stuck or failing, not a slow one.
    /// </summary>
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one reading of the database serves every scrape (several Prometheus, every 15 s each).</summary>
    public TimeSpan ReadingLifetime { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// OpenTelemetry metrics in Prometheus format at /metrics: ASP.NET Core's, Npgsql's, and the engine's
/// (transitions counted by the engine; due and overdue timers, sweep lag, outbox, SMTP circuit and incidents
/// read from the database). Administrators (cookie or token) or the configured addresses only.
/// </summary>
public static class Metrics
{
    public const string Path = "/metrics";
    public const string Policy = "metrics";

    public static IServiceCollection AddCareerPathMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("CareerPath:Metrics");
        var options = section.Get<MetricsOptions>() ?? new MetricsOptions();
        // One line ("192.0.2.10, 10.1.0.0/16") as well as a list (AllowedAddresses__0, __1…).
        if (section["AllowedAddresses"] is { Length: > 0 } line) options.AllowedAddresses = line.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries);
        var allowed = options.AllowedAddresses.Select(ParseNetwork).ToArray();
        services.AddSingleton(options);
        services.AddSingleton<MetricsQueries>();
        services.AddSingleton<EngineGauges>();
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAssertion(context =>
            context.User.IsInRole(Roles.Admin)
            || context.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } address && allowed.Any(n => n.Contains(Normalise(address)))));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, MetricsRefusal>();

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddNpgsqlInstrumentation()
            .AddMeter(EngineMetrics.MeterName)
            // The database reading is cached by EngineGauges; each scrape otherwise sees the counters as they are.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    public static void MapCareerPathMetrics(this WebApplication app)
    {
        // The gauges exist once built: before the first scrape, not at it.
        app.Services.GetRequiredService<EngineGauges>();
        app.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(Policy).WithMetadata(new MetricsEndpoint());
    }

    static IPNetwork ParseNetwork(string text)
    {
        text = text.Trim();
        if (IPNetwork.TryParse(text, out var network)) return network;
        if (IPAddress.TryParse(text, out var address))
        {
            address = Normalise(address);
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        throw new InvalidOperationException($"CareerPath:Metrics:AllowedAddresses: « {text} » n'est ni une adresse IP ni un réseau (CIDR, par exemple 10.0.0.0/24).");
    }

    static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Marks the scraping endpoint, whose refusals are ProblemDetails rather than the sign-in page.</summary>
    sealed class MetricsEndpoint;

    /// <summary>
    /// /metrics is not under /api, so the cookie scheme would send a refused caller to the sign-in page; a
    /// scraper is a machine: 401 (no or unknown credentials) or 403 (a role other than administrator), as the API answers.
    /// </summary>
    sealed class MetricsRefusal(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
    {
        readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
        {
            if (result.Succeeded || context.GetEndpoint()?.Metadata.GetMetadata<MetricsEndpoint>() is null)
            {
                await _default.HandleAsync(next, context, policy, result);
                return;
            }
            var status = result.Challenged ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            context.Response.StatusCode = status;
            if (result.Challenged) context.Response.Headers.WWWAuthenticate = "Bearer";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = status,
                    Detail = result.Challenged
                        ? "Les métriques sont réservées aux administrateurs (jeton d'API ou session) et aux adresses autorisées (CareerPath:Metrics:AllowedAddresses)."
                        : "Les métriques sont réservées aux administrateurs.",
                },
            });
        }
    }
}

/// <summary>
/// The engine's gauges, read from the database: one statement (MetricsQueries) per reading, and one reading
/// serves every instrument and every scrape for <see cref="MetricsOptions.ReadingLifetime"/>. While the
/// database is unreachable the gauges are absent from the scrape (Npgsql's own metrics tell why).
/// </summary>
public sealed class EngineGauges
{
    readonly MetricsQueries _queries;
    readonly TimeProvider _time;
    readonly MetricsOptions _options;
    readonly ILogger<EngineGauges> _log;
    readonly Lock _lock = new();
    EngineGaugeReading? _reading;
    long _readAt;
    bool _read;

    public EngineGauges(IMeterFactory meters, MetricsQueries queries, TimeProvider time, MetricsOptions options, ILogger<EngineGauges> log)
    {
        (_queries, _time, _options, _log) = (queries, time, options, log);
        var meter = meters.Create(EngineMetrics.MeterName);
        meter.CreateObservableGauge("careerpath.timers.due", () => Observe(r => r.TimersDue), "{timer}",
            "Timers due (their instant has come) and not yet fired.");
        meter.CreateObservableGauge("careerpath.timers.overdue", () => Observe(r => r.TimersOverdue), "{timer}",
            $"Timers still pending longer than CareerPath:Metrics:OverdueAfter ({options.OverdueAfter}) after their due instant.");
        meter.CreateObservableGauge("careerpath.sweep.lag", () => Observe(r => r.SweepLagSeconds), "s",
            "Now minus the due instant of the oldest due timer not yet fired; 0 when none is due.");
        meter.CreateObservableGauge("careerpath.outbox.messages", ObserveOutbox, "{message}",
            "Outbox messages by delivery status.");
        meter.CreateObservableGauge("careerpath.smtp.circuit.open", ObserveCircuit, null,
            "1 while the SMTP server is unreachable and delivery is paused for every node, 0 while delivering.");
        meter.CreateObservableGauge("careerpath.incidents.open", () => Observe(r => r.OpenIncidents), "{incident}",
            "Incidents not yet resolved.");
    }

    IEnumerable<Measurement<T>> Observe<T>(Func<EngineGaugeReading, T> value) where T : struct =>
        Reading() is { } r ? [new Measurement<T>(value(r))] : [];

    IEnumerable<Measurement<long>> ObserveOutbox() =>
        Reading() is { } r ? r.OutboxByStatus.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("outbox.status", s.Key))) : [];

    IEnumerable<Measurement<int>> ObserveCircuit() =>
        Reading() is { } r ? [new Measurement<int>(r.SmtpUnreachable ? 1 : 0)] : [];

    /// <summary>The current reading: the cached one while fresh, else one statement; null while the database fails.</summary>
    EngineGaugeReading? Reading()
    {
        lock (_lock)
        {
            if (_read && _time.GetElapsedTime(_readAt) < _options.ReadingLifetime) return _reading;
            try
            {
                _reading = _queries.Read(_time.GetUtcNow(), _options.OverdueAfter);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // A failed reading is cached too: a down database is not asked again by every instrument of every scrape.
                _log.LogWarning("Metrics: the database could not be read ({Error}); the engine's gauges are left out of this scrape", e.Message);
                _reading = null;
            }
            (_read, _readAt) = (true, _time.GetTimestamp());
            return _reading;
        }
    }
}

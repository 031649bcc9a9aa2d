using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CareerPath.Server.Hosting;

public sealed record HangfireHealthOptions(bool ServerExpected);

/// <summary>
/// Hangfire is healthy when its storage answers and, where this node runs jobs, a Hangfire server
/// has reported in: without one, timers and e-mails would silently stop.
/// </summary>
public sealed class HangfireHealthCheck(JobStorage storage, HangfireHealthOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var monitoring = storage.GetMonitoringApi();
            var servers = monitoring.Servers();
            var stats = monitoring.GetStatistics();
            var data = new Dictionary<string, object> { ["servers"] = servers.Count, ["failedJobs"] = stats.Failed, ["enqueued"] = stats.Enqueued };
            // Hangfire stamps its heartbeats with the machine's clock, not the engine's (which an operator or a test may
            // move): the two are compared on the machine's clock.
            var now = TimeProvider.System.GetUtcNow().UtcDateTime;
            var alive = servers.Any(s => s.Heartbeat is { } beat && now - beat < TimeSpan.FromMinutes(5));
            if (options.ServerExpected && !alive)
                return Task.FromResult(HealthCheckResult.Degraded("Aucun serveur Hangfire actif : les échéances et les e-mails ne partent plus.", data: data));
            return Task.FromResult(HealthCheckResult.Healthy("Hangfire répond.", data));
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Le stockage Hangfire ne répond pas.", e));
        }
    }
}

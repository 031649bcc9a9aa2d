using CareerPath.Workflows.Storage;
using Npgsql;

namespace CareerPath.Server.Hosting;

/// <summary>
/// Watches the embedded PostgreSQL so that a dead postmaster costs a few seconds, not an operator's
/// night: every two seconds it looks at the postmaster (a pid check, no connection). The process that
/// owns the cluster starts a dead one again on its kept port, with back-off while that fails (the old
/// backends may still hold its shared memory for a moment); another node on the same folder waits for
/// the owner, and takes the cluster over if the owner is gone too. After a restart every pooled
/// connection is a dead socket: the pools are emptied so the next request opens fresh ones.
/// </summary>
public sealed class PostgresSupervisor(EmbeddedPostgres cluster, IServiceProvider services, TimeProvider time, ILogger<PostgresSupervisor> log)
    : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    // A start that fails is retried after 1 s, 2 s, 5 s, 10 s, then every 30 s.
    static readonly TimeSpan[] BackOff =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastPid = cluster.PostmasterPid;
        var down = false;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = Interval;
            try
            {
                if (!down && cluster.PostmasterPid is null)
                {
                    down = true;
                    log.LogWarning("PostgreSQL in {Dir} is down (postmaster pid {Pid} is gone); {Plan}", cluster.ClusterDirectory, lastPid,
                        cluster.OwnsCluster ? "restarting it" : "waiting for the CareerPath process that owns it, or taking it over if that process is gone");
                }
                switch (await cluster.SuperviseAsync(stoppingToken))
                {
                    case ClusterHealth.Stopped:
                        return;
                    case ClusterHealth.WaitingForOwner:
                        break;
                    case ClusterHealth.Running:
                        if (down)
                        {
                            log.LogInformation("PostgreSQL is back on 127.0.0.1:{Port}, restarted by the CareerPath process that owns it", cluster.Port);
                            Recovered();
                        }
                        break;
                    case ClusterHealth.Restarted:
                        log.LogInformation("Restarted PostgreSQL on 127.0.0.1:{Port} (pid {Pid}) after {Attempts} attempt(s)", cluster.Port, cluster.PostmasterPid, failures + 1);
                        Recovered();
                        break;
                    case ClusterHealth.TakenOver:
                        log.LogInformation("Took over PostgreSQL in {Dir}: its owner process was gone; restarted it on 127.0.0.1:{Port} (pid {Pid})",
                            cluster.ClusterDirectory, cluster.Port, cluster.PostmasterPid);
                        Recovered();
                        break;
                }
            }
            catch (EmbeddedPostgresException e)
            {
                delay = BackOff[Math.Min(failures, BackOff.Length - 1)];
                failures++;
                log.LogWarning("PostgreSQL could not be restarted (attempt {Attempt}); next attempt in {Seconds} s: {Reason}", failures, delay.TotalSeconds, e.Message);
            }
            catch (IOException e)
            {
                // The data folder itself (a lock or pid file) could not be read: try again, say why.
                log.LogWarning(e, "Could not check PostgreSQL in {Dir}", cluster.ClusterDirectory);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        void Recovered()
        {
            down = false;
            failures = 0;
            lastPid = cluster.PostmasterPid;
            // Connections opened before the restart talk to dead backends: drop them all.
            NpgsqlConnection.ClearAllPools();
            services.GetService<NpgsqlDataSource>()?.Clear();
        }
    }
}

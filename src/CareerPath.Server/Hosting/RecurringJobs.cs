using CareerPath.Workflows.Engine;
using Hangfire;

namespace CareerPath.Server.Hosting;

/// <summary>
/// Registers the recurring jobs (sweep, delivery, digest, retention, integrity heads) once the node has
/// started, and tries again until it has. Registration is Hangfire's <c>AddOrUpdate</c>, which takes
/// a distributed lock per job. A node killed while it held one leaves the lock row behind until
/// Hangfire.PostgreSql expires it (<c>DistributedLockTimeout</c>, 10 minutes by default): a node that
/// registered during its start-up then failed to start at all after a crash (found by the chaos suite).
/// The registration is stored, so the jobs a node would register are already there from an earlier
/// start or another node; waiting for the lock costs nothing but a warning in the log.
/// </summary>
public sealed class RecurringJobs(IRecurringJobManager jobs, TimeProvider time, ILogger<RecurringJobs> log) : BackgroundService
{
    public const string SweepJobId = "sweep-timers";
    public const string DeliveryJobId = "deliver-outbox";
    public const string DigestJobId = "weekly-digest";

    /// <summary>Between two tries while a lock is held; settable for tests.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                // AddOrUpdate is synchronous and waits for its lock: off the start-up thread.
                await Task.Run(Register, stoppingToken);
                if (attempt > 1) log.LogInformation("Recurring jobs registered (attempt {Attempt})", attempt);
                return;
            }
            catch (Exception e)
            {
                if (stoppingToken.IsCancellationRequested) return;
                // A held lock (Hangfire.PostgreSql's own exception type), the database away: the jobs
                // stored earlier keep running meanwhile.
                log.LogWarning("Recurring jobs not registered yet ({Message}); trying again in {RetryAfter}", e.Message, RetryAfter);
            }
            try { await Task.Delay(RetryAfter, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    void Register()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        jobs.AddOrUpdate<TimerSweepJob>(SweepJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        jobs.AddOrUpdate<OutboxDeliveryJob>(DeliveryJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        // Monday morning, Paris time; the outbox job sends them within the minute.
        jobs.AddOrUpdate<WeeklyDigestJob>(DigestJobId, job => job.RunAsync(CancellationToken.None), "0 7 * * 1",
            new RecurringJobOptions { TimeZone = paris });
        // The heads of the chained logs in the server log, every night (IntegrityHeadJob).
        jobs.AddOrUpdate<IntegrityHeadJob>(IntegrityHeadJob.JobId, job => job.RunAsync(CancellationToken.None), "30 3 * * *",
            new RecurringJobOptions { TimeZone = paris });
        // The retention policy, every night before the heads are written: the heads then show the log as the purge left it.
        jobs.AddOrUpdate<RetentionJob>(RetentionJob.JobId, job => job.RunAsync(CancellationToken.None), "0 3 * * *",
            new RecurringJobOptions { TimeZone = paris });
    }
}

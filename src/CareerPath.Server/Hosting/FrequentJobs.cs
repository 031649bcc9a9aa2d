namespace CareerPath.Server.Hosting;

/// <summary>
/// Test and operations hook, off by default (<c>CareerPath:Jobs:SweepInterval</c>, a TimeSpan such
/// as <c>00:00:01</c>): runs the sweeper's and the outbox's jobs in this process every interval, on
/// top of Hangfire's minutely schedule. Hangfire is not asked to do it: its recurring scheduler and
/// its PostgreSQL queue poll every several seconds (the queue every 15 s here), so a second-level
/// cron expression would still start the jobs late and unevenly; a small run of the chaos suite
/// needs them within a second of a clock skip. Both jobs are safe to run beside Hangfire's and on
/// every node at once (SKIP LOCKED claims); a failed round is logged and the next one tries again.
/// </summary>
public sealed class FrequentJobs(IServiceProvider services, TimeSpan interval, TimeProvider time, ILogger<FrequentJobs> log) : BackgroundService
{
    public const string IntervalSetting = "CareerPath:Jobs:SweepInterval";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        log.LogInformation("Sweeping timers and delivering the outbox every {Interval} (test/operations hook {Setting})", interval, IntervalSetting);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunAsync<TimerSweepJob>(j => j.RunAsync(stoppingToken), stoppingToken);
                await RunAsync<OutboxDeliveryJob>(j => j.RunAsync(stoppingToken), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    async Task RunAsync<TJob>(Func<TJob, Task> run, CancellationToken ct) where TJob : notnull
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            await run(scope.ServiceProvider.GetRequiredService<TJob>());
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The database or the mail server is away: the next round tries again.
            log.LogWarning("{Job} failed: {Message}", typeof(TJob).Name, e.Message);
        }
    }
}

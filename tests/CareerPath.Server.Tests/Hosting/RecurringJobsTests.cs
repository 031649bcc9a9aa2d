using CareerPath.Server.Hosting;
using CareerPath.Server.Tests.Api;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>
/// A node killed while it held Hangfire's lock on a recurring job leaves the lock row behind (until
/// Hangfire.PostgreSql expires it, 10 minutes later). The chaos suite once saw a restarted node fail its
/// start-up seven times on that lock. Registration now runs after start and tries again.
/// </summary>
[Collection(nameof(HangfireDashboardTests))]
public sealed class RecurringJobsTests : IAsyncLifetime
{
    const string HeldLock = "hangfire:lock:recurring-job:" + RecurringJobs.DeliveryJobId;
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync(seed: false);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    List<string> Registered()
    {
        using var connection = _host.App.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Select(j => j.Id).Order().ToList();
    }

    [Fact]
    public async Task A_lock_left_by_a_killed_node_neither_blocks_the_start_nor_keeps_the_jobs_unregistered()
    {
        // The row a node killed inside AddOrUpdate leaves: a lock acquired a moment ago, never released.
        await _host.QueryAsync<int>("INSERT INTO hangfire.lock (resource, updatecount, acquired) VALUES (@HeldLock, 0, now() AT TIME ZONE 'utc') RETURNING 1", new { HeldLock });
        var service = new RecurringJobs(_host.App.Services.GetRequiredService<IRecurringJobManager>(), TimeProvider.System, NullLogger<RecurringJobs>.Instance)
        {
            RetryAfter = TimeSpan.FromSeconds(1),
        };

        var started = Task.Run(() => service.StartAsync(CancellationToken.None));
        Assert.Same(started, await Task.WhenAny(started, Task.Delay(TimeSpan.FromSeconds(5))));
        Assert.NotNull(service.ExecuteTask);
        Assert.False(service.ExecuteTask!.IsCompleted);

        // While the lock is held, the job behind it is not registered (the one before it is: the lock is per job).
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Contains(RecurringJobs.SweepJobId, Registered());
        Assert.DoesNotContain(RecurringJobs.DeliveryJobId, Registered());

        // The lock goes (expired, or deleted by an operator): the next try registers every job and the service ends.
        await _host.QueryAsync<int>("DELETE FROM hangfire.lock WHERE resource = @HeldLock RETURNING 1", new { HeldLock });
        var done = await Task.WhenAny(service.ExecuteTask, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.Same(service.ExecuteTask, done);
        await service.ExecuteTask;
        Assert.Equal(
            new[] { RecurringJobs.DeliveryJobId, IntegrityHeadJob.JobId, RecurringJobs.SweepJobId, RecurringJobs.DigestJobId, RetentionJob.JobId }.Order(),
            Registered());
        await service.StopAsync(CancellationToken.None);
    }
}

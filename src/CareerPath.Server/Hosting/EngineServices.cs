using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Privacy;
using CareerPath.Workflows.Storage;
using Hangfire;
using Hangfire.PostgreSql;
using Npgsql;

namespace CareerPath.Server.Hosting;

/// <summary>The engine in the host: one data source, the shipped definitions, and Hangfire to run the sweeper.</summary>
public static class EngineServices
{
    /// <param name="pickupFolder">Where e-mails go as .eml files when no SMTP server is configured (Smtp:Host).</param>
    /// <param name="runJobs">false: Hangfire's storage only, no server running jobs on this node.</param>
    public static IServiceCollection AddCareerPathEngine(this IServiceCollection services, string connectionString, IConfiguration configuration, string pickupFolder,
        bool runJobs = true)
    {
        DapperTypes.Register();
        services.AddSingleton(_ => Database.CreateDataSource(connectionString));
        services.AddSingleton(new DefinitionRegistry(ShippedWorkflows.All));
        services.AddSingleton<WorkflowEngine>();
        services.AddSingleton<Sweeper>();
        services.AddSingleton<InstanceMigrator>();
        services.AddTransient<TimerSweepJob>();

        // The retention policy, checked and registered here for the whole server (see RetentionPolicyFrom).
        var retention = RetentionPolicyFrom(configuration);
        services.AddSingleton(retention);
        services.AddSingleton(configuration.GetSection(RegisterController.Section).Get<RegisterController>() ?? new RegisterController());

        var smtp = configuration.GetSection("Smtp").Get<SmtpOptions>() ?? new SmtpOptions();
        services.AddSingleton(smtp);
        services.AddSingleton<IMailTransport>(string.IsNullOrWhiteSpace(smtp.Host) ? new PickupFolderTransport(pickupFolder) : new SmtpTransport(smtp));
        services.AddSingleton(sp => new OutboxDispatcher(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IMailTransport>(),
            sp.GetRequiredService<TimeProvider>(), smtp, configuration["CareerPath:BaseUrl"] ?? ServerApp.DefaultUrl,
            sp.GetRequiredService<ILogger<OutboxDispatcher>>()));
        services.AddTransient<OutboxDeliveryJob>();
        services.AddTransient<WeeklyDigestJob>();
        services.AddTransient<IntegrityHeadJob>();

        // The retention job applies the policy registered above, to the pickup folder too: even with an SMTP server configured now, it may
        // hold the files of messages sent before.
        services.AddSingleton(sp => new Retention(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), retention,
            pickupFolder));
        services.AddTransient<RetentionJob>();

        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                // Installed and upgraded by the schema's owner before migrating (DatabaseLocation):
                // the server's role may not create tables.
                PrepareSchemaIfNecessary = false,
                // Business deadlines are days apart and the sweeper runs every minute: polling the
                // queue more often would only add idle load on the database.
                QueuePollInterval = TimeSpan.FromSeconds(15),
            }));
        if (runJobs) services.AddHostedService<RecurringJobs>();
        if (runJobs) services.AddHangfireServer(o =>
        {
            o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(15);
        });
        // Test/operations hook, off by default: the sweep and the delivery every few seconds (FrequentJobs).
        if (runJobs && configuration.GetValue<TimeSpan?>(FrequentJobs.IntervalSetting) is { } every && every > TimeSpan.Zero)
            services.AddHostedService(sp => new FrequentJobs(sp, every, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FrequentJobs>>()));
        return services;
    }

    /// <summary>
    /// The retention policy (CareerPath:Retention), read here only: AddCareerPathEngine registers the one instance that the
    /// retention job, the register of processing and the pages read. A policy that cannot be applied stops the start (an
    /// ArgumentException: the command line prints its message as one "error:" line): keeping data longer or shorter than
    /// the administrator believes is worse than not starting.
    /// </summary>
    public static RetentionPolicy RetentionPolicyFrom(IConfiguration configuration)
    {
        var policy = configuration.GetSection(RetentionPolicy.Section).Get<RetentionPolicy>() ?? new RetentionPolicy();
        if (policy.Problems() is { Count: > 0 } problems)
            throw new ArgumentException($"la politique de conservation ({RetentionPolicy.Section}) ne peut pas être appliquée : {string.Join(" ", problems)} "
                                        + "Corrigez la configuration (appsettings.json, variables d'environnement CareerPath__Retention__…) puis relancez.");
        return policy;
    }

    /// <summary>The sweeper once at start, to catch up after downtime; every minute after that (RecurringJobs).</summary>
    public static void ScheduleSweeper(this WebApplication app)
    {
        // Built now, so that a wrong Smtp:From stops the start instead of failing every message later.
        app.Services.GetRequiredService<OutboxDispatcher>();
        // The recurring jobs are registered by RecurringJobs, after start: a lock left by a crashed node must not stop this one.
        app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<TimerSweepJob>(job => job.RunAsync(CancellationToken.None));
    }
}

/// <summary>Sends the outbox messages that are due; retries and incidents are the dispatcher's own.</summary>
public sealed class OutboxDeliveryJob(OutboxDispatcher dispatcher, ILogger<OutboxDeliveryJob> log)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var result = await dispatcher.DeliverDueAsync(ct);
        if (result.Sent + result.Retrying + result.Failed > 0)
            log.LogInformation("Outbox: {Sent} sent, {Retrying} to retry, {Failed} failed", result.Sent, result.Retrying, result.Failed);
    }
}

/// <summary>Writes this week's digests into the outbox (once per manager and week, whatever the retries).</summary>
public sealed class WeeklyDigestJob(NpgsqlDataSource db, TimeProvider time)
{
    [AutomaticRetry(Attempts = 3)]
    public Task RunAsync(CancellationToken ct) => WeeklyDigest.WriteAsync(db, time, ct);
}

/// <summary>
/// Every night, the retention policy applied (Privacy/Retention): the run's counts go to the server log and to the
/// retention_run table, never whom.
/// </summary>
public sealed class RetentionJob(Retention retention, ILogger<RetentionJob> log)
{
    public const string JobId = "retention";

    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        var report = await retention.RunAsync(dryRun: false, "job", ct);
        log.LogInformation("Retention run {RunId}: {Counts}; {HeldBack} advisors held back (a workflow still running)", report.Id,
            string.Join(", ", report.Counts.Where(c => c.Count > 0).Select(c => $"{c.Category} {c.Action} {c.Count} {c.Unit}")), report.HeldBack);
    }
}

/// <summary>A Hangfire job takes no business state: it sweeps whatever is due when it runs.</summary>
public sealed class TimerSweepJob(Sweeper sweeper, ILogger<TimerSweepJob> log)
{
    // No lock against overlapping runs: SKIP LOCKED already keeps two sweeps apart.
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var result = await sweeper.SweepAllDueAsync(ct);
        if (result.Claimed > 0)
            log.LogInformation("Swept {Claimed} due timers: {Fired} fired, {Ignored} ignored, {Failed} failed",
                result.Claimed, result.Fired, result.Ignored, result.Failed);
    }
}

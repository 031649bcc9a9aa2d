using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using Hangfire;

namespace CareerPath.Server.Hosting;

/// <summary>The web server: database first (embedded or configured), migrations, then the HTTP host.</summary>
public static class ServerApp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static async Task<int> RunAsync(ParsedOptions options)
    {
        var builder = WebApplication.CreateBuilder(options.HostArgs);
        var log = ConsoleLog.Create();
        await using var database = await DatabaseLocation.OpenAsync(options, log, builder.Configuration);
        // Ctrl-C and SIGTERM stop the host, which returns here and disposes the database; ProcessExit
        // covers an orderly exit that bypasses this path (Environment.Exit). A crash or SIGKILL leaves
        // PostgreSQL running: the next start adopts it (EmbeddedPostgres).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => database.DisposeAsync().AsTask().GetAwaiter().GetResult();

        await new SchemaMigrator(TimeProvider.System).MigrateAsync(database.ConnectionString);
        if (options.SeedDemo)
            log.LogInformation("{Report}", await DemoData.SeedAsync(database.ConnectionString, TimeProvider.System, log));

        var pickup = builder.Configuration["CareerPath:PickupFolder"]
            ?? Path.Combine(database.Embedded?.DataDirectory ?? Path.Combine(Path.GetTempPath(), "careerpath"), "mail");
        var app = Build(builder, database.ConnectionString, pickup);
        await app.StartAsync();
        log.LogInformation("CareerPath is listening on {Urls}; health at {Health}; e-mails {Mail}",
            string.Join(", ", app.Urls), app.Urls.First().TrimEnd('/') + "/health",
            app.Services.GetRequiredService<IMailTransport>() is PickupFolderTransport folder ? $"written to {folder.Folder}" : "sent by SMTP");
        await app.WaitForShutdownAsync();
        return 0;
    }

    public static WebApplication Build(WebApplicationBuilder builder, string connectionString, string pickupFolder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCareerPathEngine(connectionString, builder.Configuration, pickupFolder);
        builder.Services.AddHealthChecks().AddNpgSql(connectionString, name: "postgresql");

        var app = builder.Build();
        app.MapHealthChecks("/health");
        app.UseHangfireDashboard("/hangfire");
        app.ScheduleSweeper();
        return app;
    }
}

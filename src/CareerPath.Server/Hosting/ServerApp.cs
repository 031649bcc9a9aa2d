using Microsoft.AspNetCore.DataProtection;
using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CareerPath.Server.Hosting;

/// <summary>The web server: database first (embedded or configured), migrations, then the HTTP host.</summary>
public static class ServerApp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static async Task<int> RunAsync(ParsedOptions options)
    {
        var builder = WebApplication.CreateBuilder(options.HostArgs);
        // Checked before the database starts, so that a wrong retention setting costs no PostgreSQL start; Build registers it.
        EngineServices.RetentionPolicyFrom(builder.Configuration);
        var log = ConsoleLog.Create();
        await using var database = await DatabaseLocation.OpenAsync(options, log, builder.Configuration);
        // Ctrl-C and SIGTERM stop the host, which returns here and disposes the database; ProcessExit
        // covers an orderly exit that bypasses this path (Environment.Exit). A crash or SIGKILL leaves
        // PostgreSQL running: the next start adopts it (EmbeddedPostgres).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => database.DisposeAsync().AsTask().GetAwaiter().GetResult();

        await new SchemaMigrator(TimeProvider.System).MigrateAsync(database.ConnectionString);
        string? demoAccounts = null;
        if (options.SeedDemo)
        {
            log.LogInformation("{Report}", await DemoData.SeedAsync(database.ConnectionString, TimeProvider.System, log));
            demoAccounts = await DemoAccounts.CreateAsync(database.ConnectionString, TimeProvider.System, database.Embedded?.DataDirectory);
            // Accounts made by an earlier run: their passwords are in the file beside the database.
            if (demoAccounts is null && database.Embedded?.DataDirectory is { } dir && File.Exists(Path.Combine(dir, DemoAccounts.FileName)))
                demoAccounts = $"Demo accounts: see {Path.Combine(dir, DemoAccounts.FileName)}";
        }

        // The keys that protect sign-in cookies live with the data: a restart keeps people signed in.
        if (database.Embedded is { } embedded && builder.Configuration["CareerPath:KeysFolder"] is null)
            builder.Configuration["CareerPath:KeysFolder"] = Path.Combine(embedded.DataDirectory, "keys");
        var pickup = builder.Configuration["CareerPath:PickupFolder"]
            ?? Path.Combine(database.Embedded?.DataDirectory ?? Path.Combine(Path.GetTempPath(), "careerpath"), "mail");
        // A dead embedded postmaster is restarted (or taken over) without an operator: PostgresSupervisor.
        if (database.Embedded is { } supervised)
            builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<PostgresSupervisor>(sp, supervised));
        // The server runs as the application role; migrations and seeding above ran as the owner.
        var app = Build(builder, database.ApplicationConnectionString, pickup);
        await app.StartAsync();
        var url = app.Urls.First().TrimEnd('/');
        log.LogInformation("CareerPath is listening on {Urls}; health at {Health}; API reference at {Scalar}; e-mails {Mail}",
            string.Join(", ", app.Urls), url + "/health", url + "/scalar",
            app.Services.GetRequiredService<IMailTransport>() is PickupFolderTransport folder ? $"written to {folder.Folder}" : "sent by SMTP");
        // The first thing a person needs: where to sign in, and with which account.
        Console.WriteLine($"Sign in at {url}/connexion");
        if (demoAccounts is not null) Console.WriteLine(demoAccounts);
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// The host, ready to start. CareerPath:Jobs:Enabled=false leaves out the Hangfire server (its
    /// storage stays): tests drive the sweeper on a fake clock instead. A TimeProvider registered
    /// by the caller before this call wins over the system clock.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder, string connectionString, string pickupFolder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 2 * 1024 * 1024);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        // One line per request at Information would drown what matters; configuration can lower it again.
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Test/operations hook, off by default: a clock that several processes share and a driver moves (OffsetFileClock).
        if (builder.Configuration["CareerPath:Clock:OffsetFile"] is { Length: > 0 } offsetFile)
            builder.Services.TryAddSingleton<TimeProvider>(new OffsetFileClock(offsetFile));
        builder.Services.TryAddSingleton(TimeProvider.System);
        var jobs = builder.Configuration.GetValue("CareerPath:Jobs:Enabled", true);
        builder.Services.AddCareerPathEngine(connectionString, builder.Configuration, pickupFolder, jobs);
        builder.Services.AddCareerPathApi(builder.Configuration);
        builder.Services.AddCareerPathMetrics(builder.Configuration);
        builder.Services.AddCareerPathWeb();
        // Several nodes behind one address must share this folder (or another key store) to read each other's cookies.
        if (builder.Configuration["CareerPath:KeysFolder"] is { Length: > 0 } keys)
        {
            // Whoever reads these keys can forge sign-in cookies: the folder is the server's own.
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(keys);
            else Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            builder.Services.AddDataProtection().SetApplicationName("CareerPath").PersistKeysToFileSystem(new DirectoryInfo(keys));
        }
        builder.Services.AddHealthChecks()
            // The engine's own data source: the pool an outage or a restarted cluster empties is the one the check uses,
            // so /health is Healthy again as soon as the API is (a pool of its own would keep a broken connection).
            .AddNpgSql(sp => sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), name: "postgresql")
            .AddCheck<HangfireHealthCheck>("hangfire");
        builder.Services.AddSingleton(new HangfireHealthOptions(jobs));

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseWebAssets();
        app.UsePageErrors();
        app.UseCareerPathApi();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.UseHangfireDashboard(Pages.Admin.IndexModel.HangfirePath, new DashboardOptions { Authorization = [new AdministratorsOnly()] });
        app.MapCareerPathApi();
        app.MapCareerPathMetrics();
        app.MapCareerPathWeb();
        if (jobs) app.ScheduleSweeper();
        return app;
    }

    /// <summary>The job dashboard is the administrators' (after sign-in), never anonymous.</summary>
    sealed class AdministratorsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
    }
}

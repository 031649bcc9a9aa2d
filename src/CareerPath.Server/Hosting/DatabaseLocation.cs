using CareerPath.Workflows.Storage;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;

namespace CareerPath.Server.Hosting;

/// <summary>
/// The database this process uses: the configured one, or else the embedded PostgreSQL, which it
/// starts now and stops when disposed. Two connections (<see cref="LeastPrivilege"/>): the owner's,
/// for migrations and the operator's verbs, and the application role's, which the server runs as.
/// </summary>
public sealed class DatabaseLocation : IAsyncDisposable
{
    DatabaseLocation(string ownerConnectionString, string applicationConnectionString, EmbeddedPostgres? embedded)
    {
        ConnectionString = ownerConnectionString;
        ApplicationConnectionString = applicationConnectionString;
        Embedded = embedded;
    }

    /// <summary>
    /// The owner's: what <see cref="SchemaMigrator"/> and the operator's verbs (migrate, import, seed-demo…)
    /// use. It carries the role settings, so migrating with it grants the application role its rows.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>The server's: reads and writes rows, owns nothing. The owner's when only one connection is configured.</summary>
    public string ApplicationConnectionString { get; }

    public bool LeastPrivilegeInForce => ConnectionString != ApplicationConnectionString;

    public EmbeddedPostgres? Embedded { get; }

    /// <summary>
    /// The database, with Hangfire's tables installed or upgraded by the owner: the server's role may not
    /// create tables, so its job storage no longer prepares them (EngineServices).
    /// </summary>
    public static async Task<DatabaseLocation> OpenAsync(ParsedOptions options, ILogger log, IConfiguration? configuration = null)
    {
        var location = await LocateAsync(options, log, configuration);
        try
        {
            await SchemaMigrator.RunAsOwnerAsync(location.ConnectionString, conn => PostgreSqlObjectsInstaller.Install(conn, SchemaMigrator.JobSchema));
        }
        catch
        {
            await location.DisposeAsync();
            throw;
        }
        // Said once the database answered: an unreachable one is reported alone, in one line.
        if (!location.LeastPrivilegeInForce)
            log.LogWarning(
                "Least privilege is not in force: one connection string is configured, so the server runs with the rights that migrate the schema " +
                "(it could alter or empty the access log). Configure an owner connection for migrations (--owner-connection or " +
                "ConnectionStrings:CareerPathOwner) and an application role for --connection / ConnectionStrings:CareerPath (see README, Least privilege).");
        return location;
    }

    static async Task<DatabaseLocation> LocateAsync(ParsedOptions options, ILogger log, IConfiguration? configuration)
    {
        configuration ??= new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var configured = options.Connection ?? configuration.GetConnectionString("CareerPath");
        var owner = options.OwnerConnection ?? configuration.GetConnectionString("CareerPathOwner");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (string.IsNullOrWhiteSpace(owner)) return new DatabaseLocation(configured, configured, null);
            // The owner logs in as itself; it grants to whoever the server's connection logs in as.
            return new DatabaseLocation(LeastPrivilege.ForMigrations(owner, null, LeastPrivilege.LoginOf(configured)), configured, null);
        }
        if (!string.IsNullOrWhiteSpace(owner))
            throw new ArgumentException("An owner connection (--owner-connection or ConnectionStrings:CareerPathOwner) needs the server's connection too (--connection or ConnectionStrings:CareerPath).");

        var dataDir = options.DataDir ?? configuration["CareerPath:DataDir"] ?? EmbeddedPostgresOptions.DefaultDataDirectory();
        var embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dataDir }, log);
        return new DatabaseLocation(embedded.OwnerConnectionString(), embedded.ApplicationConnectionString(), embedded);
    }

    public async ValueTask DisposeAsync()
    {
        if (Embedded is not null) await Embedded.DisposeAsync();
    }
}

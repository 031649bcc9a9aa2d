using CareerPath.Workflows.Storage;
using Microsoft.Extensions.Configuration;

namespace CareerPath.Server.Hosting;

/// <summary>
/// The database this process uses: the configured one, or else the embedded PostgreSQL, which it
/// starts now and stops when disposed.
/// </summary>
public sealed class DatabaseLocation : IAsyncDisposable
{
    DatabaseLocation(string connectionString, EmbeddedPostgres? embedded)
    {
        ConnectionString = connectionString;
        Embedded = embedded;
    }

    public string ConnectionString { get; }
    public EmbeddedPostgres? Embedded { get; }

    public static async Task<DatabaseLocation> OpenAsync(ParsedOptions options, ILogger log, IConfiguration? configuration = null)
    {
        configuration ??= new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var configured = options.Connection ?? configuration.GetConnectionString("CareerPath");
        if (!string.IsNullOrWhiteSpace(configured))
            return new DatabaseLocation(configured, null);

        var dataDir = options.DataDir ?? configuration["CareerPath:DataDir"] ?? EmbeddedPostgresOptions.DefaultDataDirectory();
        var embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dataDir }, log);
        return new DatabaseLocation(embedded.ConnectionString(), embedded);
    }

    public async ValueTask DisposeAsync()
    {
        if (Embedded is not null) await Embedded.DisposeAsync();
    }
}

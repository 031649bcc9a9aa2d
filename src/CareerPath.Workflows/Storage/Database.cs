using Npgsql;

namespace CareerPath.Workflows.Storage;

public static class Database
{
    /// <summary>
    /// The engine's data source. Its statements are few and repeated at every transition, so they
    /// are prepared once per connection (automatic preparation) instead of parsed and planned each time.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        builder.AutoPrepareMinUsages = 2;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}

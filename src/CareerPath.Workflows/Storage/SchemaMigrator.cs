using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CareerPath.Workflows.Storage;

/// <summary>One numbered SQL file embedded in this assembly (Storage/Migrations/NNNN_name.sql).</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql))).ToLowerInvariant();
}

public sealed record MigrationReport(int FromVersion, int ToVersion, IReadOnlyList<Migration> Applied);

public sealed class SchemaMigrationException(string message) : Exception(message);

/// <summary>
/// Applies the embedded migrations in order, each in its own transaction, under a PostgreSQL
/// advisory lock so that several nodes starting together apply each file exactly once.
/// </summary>
public sealed partial class SchemaMigrator(TimeProvider time, ILogger<SchemaMigrator>? log = null)
{
    // Arbitrary but fixed: every CareerPath process must ask for the same lock.
    const long AdvisoryLockKey = 0x43_50_61_74_68_53_51_4C; // "CPathSQL"

    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    public Task<MigrationReport> MigrateAsync(string connectionString, CancellationToken ct = default) =>
        MigrateAsync(connectionString, Embedded, ct);

    /// <summary>Applies <paramref name="migrations"/> (ordered by version); tests pass their own lists.</summary>
    public async Task<MigrationReport> MigrateAsync(string connectionString, IReadOnlyList<Migration> migrations, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await ExecuteAsync(conn, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await ExecuteAsync(conn, null, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL
                )
                """, ct);
            var applied = await AppliedAsync(conn, ct);
            Verify(applied, migrations);
            var from = applied.Count == 0 ? 0 : applied.Keys.Max();
            var done = new List<Migration>();
            foreach (var m in migrations.OrderBy(m => m.Version).Where(m => !applied.ContainsKey(m.Version)))
            {
                await using var tx = await conn.BeginTransactionAsync(ct);
                try
                {
                    await ExecuteAsync(conn, tx, m.Sql, ct);
                }
                catch (PostgresException e)
                {
                    throw new SchemaMigrationException($"Migration {m.Version:0000}_{m.Name} failed and was rolled back: {e.MessageText}");
                }
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (@v, @n, @c, @at)", conn, tx))
                {
                    record.Parameters.AddWithValue("v", m.Version);
                    record.Parameters.AddWithValue("n", m.Name);
                    record.Parameters.AddWithValue("c", m.Checksum);
                    record.Parameters.AddWithValue("at", time.GetUtcNow());
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                done.Add(m);
                _log.LogInformation("Applied migration {Version:0000}_{Name}", m.Version, m.Name);
            }
            return new MigrationReport(from, done.Count > 0 ? done[^1].Version : from, done);
        }
        finally
        {
            await ExecuteAsync(conn, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>An edited or unknown applied migration means this binary and the database disagree: refuse to guess.</summary>
    static void Verify(IReadOnlyDictionary<int, string> applied, IReadOnlyList<Migration> migrations)
    {
        foreach (var (version, checksum) in applied)
        {
            var known = migrations.FirstOrDefault(m => m.Version == version);
            if (known is null)
                throw new SchemaMigrationException(
                    $"The database has migration {version:0000}, which this CareerPath does not know: it was migrated by a newer version.");
            if (known.Checksum != checksum)
                throw new SchemaMigrationException(
                    $"Migration {version:0000}_{known.Name} was changed after it was applied (checksum differs). Applied migrations are immutable: add a new one.");
        }
    }

    static async Task<Dictionary<int, string>> AppliedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var result = new Dictionary<int, string>();
        await using var cmd = new NpgsqlCommand("SELECT version, checksum FROM schema_version", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetInt32(0)] = reader.GetString(1);
        return result;
    }

    static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex(@"\.Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();

    static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            list.Add(new Migration(int.Parse(match.Groups["version"].Value), match.Groups["name"].Value, reader.ReadToEnd()));
        }
        var duplicate = list.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new SchemaMigrationException($"Two embedded migrations share the number {duplicate.Key:0000}.");
        return list.OrderBy(m => m.Version).ToList();
    }
}

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
/// With the settings of <see cref="LeastPrivilege"/> on its connection it migrates as the owner role
/// (taking over, as a superuser session, what an earlier version created as the superuser) and grants
/// the application role its rows (migration 0008).
/// </summary>
public sealed partial class SchemaMigrator(TimeProvider time, ILogger<SchemaMigrator>? log = null)
{
    // Arbitrary but fixed: every CareerPath process must ask for the same lock.
    const long AdvisoryLockKey = 0x43_50_61_74_68_53_51_4C; // "CPathSQL"

    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>Hangfire's schema: installed by <see cref="RunAsOwnerAsync"/> (from the server, which has Hangfire), owned and granted like ours.</summary>
    public const string JobSchema = "hangfire";

    public Task<MigrationReport> MigrateAsync(string connectionString, CancellationToken ct = default) =>
        MigrateAsync(connectionString, Embedded, ct);

    /// <summary>Applies <paramref name="migrations"/> (ordered by version); tests pass their own lists.</summary>
    public Task<MigrationReport> MigrateAsync(string connectionString, IReadOnlyList<Migration> migrations, CancellationToken ct = default) =>
        AsOwnerAsync(connectionString, conn => ApplyAsync(conn, migrations, ct), ct);

    /// <summary>
    /// Runs <paramref name="install"/> (e.g. Hangfire's installer) on a connection acting as the owner, under the
    /// migrations' lock, then grants the application role its rows in what it created. For tables this assembly
    /// does not define: the server, which may not create tables, no longer installs them itself.
    /// </summary>
    public static Task RunAsOwnerAsync(string connectionString, Action<NpgsqlConnection> install, CancellationToken ct = default) =>
        AsOwnerAsync(connectionString, async conn =>
        {
            install(conn);
            // An installer may leave its own search_path on the session; the grants name their schemas anyway.
            await ExecuteAsync(conn, null, "RESET search_path", ct);
            return true;
        }, ct);

    static async Task<T> AsOwnerAsync<T>(string connectionString, Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await ExecuteAsync(conn, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            var (ownerRole, applicationRole) = await RolesAsync(conn, ct);
            if (ownerRole is not null) await BecomeOwnerAsync(conn, ownerRole, ct);
            var result = await work(conn);
            if (applicationRole is not null) await GrantAsync(conn, applicationRole, ct);
            return result;
        }
        finally
        {
            await ExecuteAsync(conn, null, "RESET ROLE", CancellationToken.None);
            await ExecuteAsync(conn, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    static async Task<(string? Owner, string? Application)> RolesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"SELECT nullif(current_setting('{LeastPrivilege.OwnerSetting}', true), ''), nullif(current_setting('{LeastPrivilege.ApplicationSetting}', true), ''), current_user::text",
            conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var owner = reader.IsDBNull(0) ? null : reader.GetString(0);
        var application = reader.IsDBNull(1) ? null : reader.GetString(1);
        return (owner == reader.GetString(2) ? null : owner, application);
    }

    /// <summary>
    /// The session logs in as someone else (the embedded superuser): first, as that login, hand the
    /// owner whatever the superuser created before least privilege (an upgrade in place) and the right
    /// to create in the database; then act as the owner, so that every object created from here on is its.
    /// </summary>
    static async Task BecomeOwnerAsync(NpgsqlConnection conn, string ownerRole, CancellationToken ct)
    {
        await using (var super = new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = session_user", conn))
        {
            if (await super.ExecuteScalarAsync(ct) is true)
                await ExecuteAsync(conn, null, TakeOverObjects, ct);
        }
        await using var set = new NpgsqlCommand($"SELECT set_config('role', @role, false)", conn);
        set.Parameters.AddWithValue("role", ownerRole);
        await set.ExecuteNonQueryAsync(ct);
    }

    // Sequences that belong to a column (serial, identity) follow their table; indexes too.
    const string TakeOverObjects = $$"""
        DO $take$
        DECLARE
            owner_name name := current_setting('{{LeastPrivilege.OwnerSetting}}');
            owner_oid  oid := to_regrole(owner_name);
            r record;
        BEGIN
            IF owner_oid IS NULL THEN
                RAISE EXCEPTION 'The role % does not exist: create it before migrating.', owner_name;
            END IF;
            EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), owner_name);
            EXECUTE format('GRANT USAGE, CREATE ON SCHEMA public TO %I', owner_name);
            FOR r IN SELECT nspname FROM pg_namespace WHERE nspname = '{{JobSchema}}' AND nspowner <> owner_oid LOOP
                EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, owner_name);
            END LOOP;
            FOR r IN SELECT c.oid::regclass AS rel
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname IN ('public', '{{JobSchema}}') AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                        AND c.relowner <> owner_oid
                        AND NOT (c.relkind = 'S' AND EXISTS (
                            SELECT 1 FROM pg_depend d
                             WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                               AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))) LOOP
                EXECUTE format('ALTER TABLE %s OWNER TO %I', r.rel, owner_name);
            END LOOP;
            FOR r IN SELECT p.oid::regprocedure AS fn
                       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname IN ('public', '{{JobSchema}}') AND p.proowner <> owner_oid LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn, owner_name);
            END LOOP;
            FOR r IN SELECT t.oid::regtype AS typ
                       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                      WHERE n.nspname IN ('public', '{{JobSchema}}') AND t.typtype IN ('e', 'd', 'r', 'm')
                        AND t.typowner <> owner_oid LOOP
                EXECUTE format('ALTER TYPE %s OWNER TO %I', r.typ, owner_name);
            END LOOP;
        END
        $take$
        """;

    /// <summary>The application role's privileges, as migration 0008 (or a later one) defines them; a no-op before it.</summary>
    static async Task GrantAsync(NpgsqlConnection conn, string applicationRole, CancellationToken ct)
    {
        await using (var exists = new NpgsqlCommand("SELECT to_regprocedure('grant_application_role(name)') IS NOT NULL", conn))
        {
            if (await exists.ExecuteScalarAsync(ct) is not true) return;
        }
        await using var grant = new NpgsqlCommand("SELECT grant_application_role(@role)", conn);
        grant.Parameters.AddWithValue("role", applicationRole);
        await grant.ExecuteNonQueryAsync(ct);
    }

    async Task<MigrationReport> ApplyAsync(NpgsqlConnection conn, IReadOnlyList<Migration> migrations, CancellationToken ct)
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

using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Npgsql;

namespace CareerPath.Workflows.Tests.Storage;

public sealed class SchemaMigratorTests
{
    static readonly SchemaMigrator Migrator = new(TimeProvider.System);

    [Fact]
    public async Task Embedded_migrations_are_numbered_from_one_without_gaps()
    {
        var versions = SchemaMigrator.Embedded.Select(m => m.Version).ToList();
        Assert.NotEmpty(versions);
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
    }

    [Fact]
    public async Task Migrating_an_empty_database_creates_the_schema_and_records_every_version()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();

        var report = await Migrator.MigrateAsync(cs);

        Assert.Equal(0, report.FromVersion);
        Assert.Equal(SchemaMigrator.Embedded[^1].Version, report.ToVersion);
        Assert.Equal(SchemaMigrator.Embedded.Count, report.Applied.Count);
        Assert.Equal(SchemaMigrator.Embedded.Select(m => m.Version), await RecordedVersionsAsync(cs));
        Assert.True(await TableExistsAsync(cs, "contract"));
    }

    [Fact]
    public async Task Analyze_keeps_no_statistics_of_the_engines_json_documents_and_keeps_those_of_the_other_columns()
    {
        var cs = await TestCluster.CreateMigratedDatabaseAsync();
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        // Journal rows need no instance (migration 0014), so a few rows of varied payloads are enough for ANALYZE to see.
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO workflow_journal (instance_id, seq, at, actor, trigger, from_state, to_state, payload)
            SELECT gen_random_uuid(), 1, TIMESTAMPTZ '2026-01-01' + g * INTERVAL '1 hour', 'test', 'Go', 'A', 'B', jsonb_build_object('n', g)
              FROM generate_series(1, 200) g;
            ANALYZE workflow_journal;
            """, conn))
            await insert.ExecuteNonQueryAsync();
        await using var read = new NpgsqlCommand("SELECT attname FROM pg_stats WHERE tablename = 'workflow_journal' ORDER BY attname", conn);
        var analysed = new List<string>();
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync()) analysed.Add(reader.GetString(0));

        Assert.Contains("at", analysed);
        Assert.Contains("instance_id", analysed);
        Assert.DoesNotContain("payload", analysed);
        // The same setting on every document the engine writes (migration 0015).
        await using var targets = new NpgsqlCommand("""
            SELECT count(*)::int FROM pg_attribute
             WHERE (attrelid, attname) IN (('workflow_instance'::regclass, 'data'), ('workflow_journal'::regclass, 'payload'),
                                           ('workflow_timer'::regclass, 'explanation'), ('outbox_message'::regclass, 'data'))
               AND attstattarget = 0
            """, conn);
        Assert.Equal(4, (int)(await targets.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_second_run_changes_nothing()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();
        await Migrator.MigrateAsync(cs);
        var before = await AppliedAtAsync(cs);

        var report = await Migrator.MigrateAsync(cs);

        Assert.Empty(report.Applied);
        Assert.Equal(report.FromVersion, report.ToVersion);
        Assert.Equal(before, await AppliedAtAsync(cs));
    }

    [Fact]
    public async Task Concurrent_migrators_on_an_empty_database_all_succeed_and_apply_each_file_once()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator.MigrateAsync(cs))));

        // Exactly one of them did the work; the others found it done.
        Assert.Single(reports, r => r.Applied.Count == SchemaMigrator.Embedded.Count);
        Assert.Equal(3, reports.Count(r => r.Applied.Count == 0));
        Assert.Equal(SchemaMigrator.Embedded.Select(m => m.Version), await RecordedVersionsAsync(cs));
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_whole_and_earlier_ones_stay()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();
        Migration[] migrations =
        [
            new(1, "good", "CREATE TABLE first_table (id int)"),
            new(2, "bad", "CREATE TABLE half_done (id int); SELECT no_such_column FROM first_table"),
        ];

        var error = await Assert.ThrowsAsync<SchemaMigrationException>(() => Migrator.MigrateAsync(cs, migrations));

        Assert.Contains("0002_bad", error.Message);
        Assert.Equal([1], await RecordedVersionsAsync(cs));
        Assert.True(await TableExistsAsync(cs, "first_table"));
        Assert.False(await TableExistsAsync(cs, "half_done"));
    }

    [Fact]
    public async Task An_applied_migration_that_was_edited_is_refused()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();
        await Migrator.MigrateAsync(cs, [new Migration(1, "one", "CREATE TABLE t1 (id int)")]);

        var error = await Assert.ThrowsAsync<SchemaMigrationException>(
            () => Migrator.MigrateAsync(cs, [new Migration(1, "one", "CREATE TABLE t1 (id bigint)")]));

        Assert.Contains("changed after it was applied", error.Message);
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_version_is_refused()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();
        await Migrator.MigrateAsync(cs, [new Migration(1, "one", "SELECT 1"), new Migration(2, "two", "SELECT 2")]);

        var error = await Assert.ThrowsAsync<SchemaMigrationException>(
            () => Migrator.MigrateAsync(cs, [new Migration(1, "one", "SELECT 1")]));

        Assert.Contains("newer version", error.Message);
    }

    static async Task<List<int>> RecordedVersionsAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT version FROM schema_version ORDER BY version", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<int>();
        while (await reader.ReadAsync()) list.Add(reader.GetInt32(0));
        return list;
    }

    static async Task<List<DateTime>> AppliedAtAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT applied_at FROM schema_version ORDER BY version", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<DateTime>();
        while (await reader.ReadAsync()) list.Add(reader.GetDateTime(0));
        return list;
    }

    static async Task<bool> TableExistsAsync(string cs, string table)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", conn);
        cmd.Parameters.AddWithValue("t", table);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }
}

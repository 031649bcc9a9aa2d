using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Npgsql;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Storage;

/// <summary>
/// The server's role (migration 0008, LeastPrivilege) on a database migrated as production migrates it:
/// rows yes, the append-only logs' history no, the schema never.
/// </summary>
public sealed class LeastPrivilegeTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    public static TheoryData<string> AppendOnlyTables => ["access_log", "decision_audit"];

    [Theory]
    [MemberData(nameof(AppendOnlyTables))]
    public async Task The_application_role_cannot_disable_the_triggers_of_an_append_only_log(string table) =>
        await AssertRefusedAsync($"ALTER TABLE {table} DISABLE TRIGGER ALL");

    [Theory]
    [MemberData(nameof(AppendOnlyTables))]
    public async Task The_application_role_cannot_truncate_an_append_only_log(string table) =>
        await AssertRefusedAsync($"TRUNCATE {table}");

    [Theory]
    [MemberData(nameof(AppendOnlyTables))]
    public async Task The_application_role_cannot_update_an_append_only_log(string table) =>
        await AssertRefusedAsync($"UPDATE {table} SET at = at");

    [Theory]
    [MemberData(nameof(AppendOnlyTables))]
    public async Task The_application_role_cannot_delete_from_an_append_only_log(string table) =>
        await AssertRefusedAsync($"DELETE FROM {table}");

    [Theory]
    [MemberData(nameof(AppendOnlyTables))]
    public async Task The_application_role_cannot_drop_an_append_only_log(string table) =>
        await AssertRefusedAsync($"DROP TABLE {table}");

    [Fact]
    public async Task The_application_role_adds_to_the_access_log_and_reads_it()
    {
        await using var app = Database.CreateDataSource(await TestCluster.AsApplicationRoleAsync(db.ConnectionString));
        var store = new AccessLogStore(app);
        var at = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var subject = Guid.NewGuid();

        await store.AppendAsync(at, Guid.NewGuid(), "Rh", "read", "contract", subject, 1, null);
        var page = await store.ListAsync(new AccessLogFilter(at, at.AddSeconds(1), subject), new PageRequest(10, null));

        Assert.Equal(subject, Assert.Single(page!.Items).SubjectId);
    }

    [Fact]
    public async Task Every_table_belongs_to_the_owner_and_the_application_role_owns_nothing()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        var owners = (await conn.QueryAsync<(string Table, string Owner)>("""
            SELECT c.relname, pg_get_userbyid(c.relowner)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('public', 'hangfire') AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
            """)).ToList();

        Assert.Contains(owners, o => o.Table == "access_log");
        Assert.All(owners, o => Assert.Equal((o.Table, EmbeddedPostgres.OwnerRole), o));
    }

    [Fact]
    public async Task Ordinary_tables_of_every_migration_are_read_and_written_by_the_application_role()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        var lacking = (await conn.QueryAsync<string>("""
            SELECT c.relname
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r'
               AND c.relname NOT IN ('access_log', 'decision_audit', 'schema_version')
               AND NOT has_table_privilege(@app, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
            """, new { app = EmbeddedPostgres.ApplicationRole })).ToList();
        var tables = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");

        Assert.True(tables > 20, $"only {tables} tables: is the template migrated?");
        Assert.Empty(lacking);
    }

    [Fact]
    public async Task A_table_a_later_migration_creates_as_the_owner_is_granted_by_default()
    {
        // As a migration after this one would: the owner creates, nobody grants explicitly.
        await using (var owner = new NpgsqlConnection(db.ConnectionString))
        {
            await owner.ExecuteAsync($"SET ROLE {EmbeddedPostgres.OwnerRole}; CREATE TABLE later_feature (id bigserial PRIMARY KEY, note text); RESET ROLE");
        }

        await using var app = new NpgsqlConnection(await TestCluster.AsApplicationRoleAsync(db.ConnectionString));
        await app.ExecuteAsync("INSERT INTO later_feature (note) VALUES ('a'); UPDATE later_feature SET note = 'b'");
        Assert.Equal("b", await app.ExecuteScalarAsync<string>("SELECT note FROM later_feature"));
        Assert.Equal(1, await app.ExecuteAsync("DELETE FROM later_feature"));
    }

    [Fact]
    public async Task The_engine_runs_as_the_application_role_and_logs_a_decision()
    {
        EngineHarness h;
        using (TestCluster.UseApplicationRole()) h = await EngineHarness.CreateAsync("2024-01-02");
        await using var _ = h;
        Assert.Equal(EmbeddedPostgres.ApplicationRole, new NpgsqlConnectionStringBuilder(h.ConnectionString).Username);

        var facts = Scenario.Contract(Guid.NewGuid(), ContractType.Cdd, LegalRegime.Public, "2024-01-15", "2026-01-14");
        var contract = await Scenario.StartContractAsync(h, Scenario.ContractData(facts, Scenario.Post(facts.PostId, "2024-01-15")));
        await h.RunUntilAsync("2024-01-16");
        h.Clock.Advance(TimeSpan.FromDays(1));
        var result = await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "PermanentHireCdi", ["reason"] = "Décision du comité" });

        Assert.False(result.Duplicate);
        Assert.NotEqual(result.FromState, result.ToState);
        Assert.Equal(contract, Assert.Single(await DecisionAuditLog.ReadAsync(h.DataSource)).InstanceId);
        Assert.True((await DecisionAuditLog.VerifyAsync(h.DataSource)).Intact);
        Assert.NotEmpty(await h.QueryAsync<Guid>("SELECT id FROM outbox_message WHERE instance_id = @contract", new { contract }));
    }

    [Fact]
    public async Task A_database_migrated_by_an_earlier_version_is_handed_to_the_owner()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();
        try
        {
            // Before least privilege: the superuser created everything.
            await new SchemaMigrator(TimeProvider.System).MigrateAsync(cs);

            await new SchemaMigrator(TimeProvider.System).MigrateAsync(await TestCluster.AsOwnerAsync(cs));

            await using var conn = new NpgsqlConnection(cs);
            Assert.Empty(await conn.QueryAsync<string>($"""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v') AND pg_get_userbyid(c.relowner) <> '{EmbeddedPostgres.OwnerRole}'
                """));
            await using var app = new NpgsqlConnection(await TestCluster.AsApplicationRoleAsync(cs));
            var error = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteAsync("TRUNCATE access_log"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
            Assert.Equal(0, await app.ExecuteScalarAsync<int>("SELECT count(*) FROM access_log"));
        }
        finally
        {
            await TestCluster.DropDatabaseAsync(cs);
        }
    }

    async Task AssertRefusedAsync(string sql)
    {
        await using var app = new NpgsqlConnection(await TestCluster.AsApplicationRoleAsync(db.ConnectionString));
        var error = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteAsync(sql));
        // Refused for want of privilege (not, say, by a trigger the role could have disabled first).
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }
}

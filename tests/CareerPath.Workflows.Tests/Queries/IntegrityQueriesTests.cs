using System.Text.Json.Nodes;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>
/// The access log chained by the database whoever inserts (migration 0011), and both logs' heads: an edited entry breaks
/// the chain, an erased tail leaves it whole but shows against a head exported before.
/// </summary>
public sealed class IntegrityQueriesTests : IAsyncLifetime
{
    readonly MigratedDatabase _db = new();
    NpgsqlDataSource _source = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _source = Database.CreateDataSource(_db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }

    static readonly DateTimeOffset At = new DateTimeOffset(2026, 11, 30, 9, 15, 30, 123, TimeSpan.Zero).AddTicks(4567);

    Task AppendAsync(AccessLogStore store, int i) =>
        store.AppendAsync(At.AddSeconds(i), i % 3 == 0 ? null : Guid.NewGuid(), "Admin", $"read.{i}", "advisor", i % 2 == 0 ? Guid.NewGuid() : null, i,
            i % 4 == 0 ? [Guid.NewGuid(), Guid.NewGuid()] : null);

    /// <summary>As the superuser, with the append-only trigger set aside: what the application's role cannot do.</summary>
    async Task AsOwnerAsync(string sql)
    {
        await using var conn = await _source.OpenConnectionAsync();
        await conn.ExecuteAsync($"""
            ALTER TABLE access_log DISABLE TRIGGER USER;
            {sql};
            ALTER TABLE access_log ENABLE TRIGGER USER;
            """);
    }

    [Fact]
    public async Task Entries_written_at_once_by_many_connections_form_one_chain_in_seq_order()
    {
        var store = new AccessLogStore(_source);
        await Parallel.ForEachAsync(Enumerable.Range(1, 60), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) => await AppendAsync(store, i));

        var check = await IntegrityQueries.CheckAccessLogAsync(_source);
        Assert.True(check.Verified, check.Problem);
        Assert.Equal(60, check.Entries);
        await using var conn = await _source.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<(long Seq, string PrevHash, string Hash)>("SELECT seq, prev_hash, hash FROM access_log ORDER BY seq")).ToList();
        Assert.Equal(DecisionAuditLog.Genesis, rows[0].PrevHash);
        Assert.All(rows.Skip(1).Zip(rows), pair => Assert.Equal(pair.Second.Hash, pair.First.PrevHash));
        Assert.Equal((rows[^1].Seq, rows[^1].Hash), (check.LastSeq!.Value, check.LastHash!));
        Assert.All(rows, r => Assert.Matches("^[0-9a-f]{64}$", r.Hash));
    }

    [Fact]
    public async Task An_entry_edited_behind_the_trigger_s_back_breaks_the_chain_at_that_entry()
    {
        var store = new AccessLogStore(_source);
        for (var i = 1; i <= 6; i++) await AppendAsync(store, i);
        var seqs = (await _source.OpenConnection().QueryAsync<long>("SELECT seq FROM access_log ORDER BY seq")).ToList();

        await AsOwnerAsync($"UPDATE access_log SET records = records + 1 WHERE seq = {seqs[2]}");
        var edited = await IntegrityQueries.CheckAccessLogAsync(_source);
        Assert.False(edited.Verified);
        Assert.Equal(seqs[2], edited.FirstBrokenSeq);
        Assert.Contains("modifié", edited.Problem);

        // Deleting it instead breaks the link of the entry after it.
        await AsOwnerAsync($"UPDATE access_log SET records = records - 1 WHERE seq = {seqs[2]}");
        Assert.True((await IntegrityQueries.CheckAccessLogAsync(_source)).Verified);
        await AsOwnerAsync($"DELETE FROM access_log WHERE seq = {seqs[2]}");
        var deleted = await IntegrityQueries.CheckAccessLogAsync(_source);
        Assert.Equal(seqs[3], deleted.FirstBrokenSeq);
        Assert.Contains("lien rompu", deleted.Problem);
    }

    [Fact]
    public async Task An_erased_tail_of_either_log_shows_against_the_head_exported_before()
    {
        var store = new AccessLogStore(_source);
        for (var i = 1; i <= 8; i++) await AppendAsync(store, i);
        var instance = await SeedDecisionsAsync(5);
        var before = await IntegrityQueries.CheckAsync(_source, TimeProvider.System);
        Assert.True(before.AccessLog.Verified && before.DecisionLog.Verified, $"{before.AccessLog.Problem} {before.DecisionLog.Problem}");
        Assert.Equal(5, before.DecisionLog.Entries);
        Assert.Equal(5, before.DecisionLog.LastSeq);
        // The heads exported (the endpoint's answer, the daily line of the server log) still hold: nothing changed.
        var same = await IntegrityQueries.CheckAsync(_source, TimeProvider.System, before.AccessLog.Head, before.DecisionLog.Head);
        Assert.True(same.AccessLog.Verified && same.DecisionLog.Verified);

        // The last three reads erased, as the superuser with the triggers off; then a new read chained onto what is left.
        await AsOwnerAsync("DELETE FROM access_log WHERE seq IN (SELECT seq FROM access_log ORDER BY seq DESC LIMIT 3)");
        await AppendAsync(store, 9);
        await using (var conn = await _source.OpenConnectionAsync())
            await conn.ExecuteAsync("DELETE FROM decision_audit WHERE seq > 3"); // no trigger there: only the privileges keep it

        // Alone, each chain is whole again…
        var after = await IntegrityQueries.CheckAsync(_source, TimeProvider.System);
        Assert.True(after.AccessLog.Verified && after.DecisionLog.Verified);
        Assert.Equal(6, after.AccessLog.Entries);
        // …but the heads exported before are gone.
        var against = await IntegrityQueries.CheckAsync(_source, TimeProvider.System, before.AccessLog.Head, before.DecisionLog.Head);
        Assert.False(against.AccessLog.Verified);
        Assert.Equal(before.AccessLog.LastSeq, against.AccessLog.FirstBrokenSeq);
        Assert.Contains("effacée", against.AccessLog.Problem);
        Assert.False(against.DecisionLog.Verified);
        Assert.Equal(5, against.DecisionLog.FirstBrokenSeq);
        Assert.NotEqual(Guid.Empty, instance);
    }

    [Fact]
    public async Task A_role_that_may_only_insert_and_select_on_the_access_log_still_writes_chained_entries()
    {
        var role = $"app_{Guid.NewGuid():N}"[..20];
        var password = Guid.NewGuid().ToString("N");
        await using (var conn = await _source.OpenConnectionAsync())
            await conn.ExecuteAsync($"""
                CREATE ROLE {role} LOGIN PASSWORD '{password}';
                GRANT CONNECT ON DATABASE "{conn.Database}" TO {role};
                GRANT USAGE ON SCHEMA public TO {role};
                GRANT INSERT, SELECT ON access_log TO {role};
                """);
        try
        {
            var asApp = new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Username = role, Password = password, Pooling = false }.ConnectionString;
            await using (var app = Database.CreateDataSource(asApp))
            {
                var store = new AccessLogStore(app);
                for (var i = 1; i <= 3; i++) await AppendAsync(store, i);
                // The role cannot set the trigger aside, nor rewrite an entry.
                await using var conn = await app.OpenConnectionAsync();
                await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("ALTER TABLE access_log DISABLE TRIGGER access_log_chain"));
                await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("UPDATE access_log SET hash = prev_hash"));
            }
            var check = await IntegrityQueries.CheckAccessLogAsync(_source);
            Assert.True(check.Verified, check.Problem);
            Assert.Equal(3, check.Entries);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = await _source.OpenConnectionAsync();
            await conn.ExecuteAsync($"""
                REVOKE ALL ON access_log FROM {role};
                REVOKE ALL ON SCHEMA public FROM {role};
                REVOKE ALL ON DATABASE "{conn.Database}" FROM {role};
                DROP ROLE {role};
                """);
        }
    }

    /// <summary>Decisions as the engine writes them: one instance, <paramref name="count"/> chained entries.</summary>
    async Task<Guid> SeedDecisionsAsync(int count)
    {
        var instance = Guid.NewGuid();
        await using var conn = await _source.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO workflow_instance (id, definition_id, definition_version, version, subject_id, state, data, created_at, updated_at)
            VALUES (@instance, 'probe', 1, 1, @instance, 'Open', '{}'::jsonb, @at, @at)
            """, new { instance, at = At });
        for (var i = 0; i < count; i++)
        {
            await using var tx = await conn.BeginTransactionAsync();
            await DecisionAuditLog.AppendAsync(conn, tx, instance, At.AddMinutes(i), "admin", "Decision", new JsonObject { ["n"] = i });
            await tx.CommitAsync();
        }
        return instance;
    }
}

using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>Deadlines page by (due day, id) and export whole; a contract's carry its advisor from the records, a post's none.</summary>
public sealed class DeadlineQueriesTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    static readonly DateOnly Today = new(2026, 3, 2);

    sealed record Ids(Guid Structure, Guid Post, Guid Advisor, Guid Contract, Guid ContractInstance, Guid PostInstance);

    /// <summary>A contract's workflow with 7 pending timers (some on the same day) and a post's with 2, written with SQL.</summary>
    async Task<Ids> SeedAsync()
    {
        var ids = new Ids(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using var source = Database.CreateDataSource(db.ConnectionString);
        await using var conn = await source.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO structure (id, name, kind, legal_regime) VALUES (@Structure, 'Commune ' || @Structure, 'Commune', 'Public');
            INSERT INTO funded_post (id, structure_id, label) VALUES (@Post, @Structure, 'Poste');
            INSERT INTO advisor (id, full_name, work_email, structure_id) VALUES (@Advisor, 'Yves Échéance', @Advisor || '@deadlines.test', @Structure);
            INSERT INTO contract (id, advisor_id, post_id, contract_type, legal_regime, start_date, end_date, effective_end)
                 VALUES (@Contract, @Advisor, @Post, 'Cdd', 'Public', DATE '2025-09-01', DATE '2027-08-31', DATE '2027-08-31');
            INSERT INTO workflow_instance (id, definition_id, definition_version, state, data, version, subject_id, structure_id, created_at, updated_at)
                 VALUES (@ContractInstance, 'advisor-contract', 1, 'Active', '{}', 1, @Contract, @Structure, now(), now()),
                        (@PostInstance, 'post-funding', 1, 'Occupied', '{}', 1, @Post, @Structure, now(), now());
            INSERT INTO workflow_timer (instance_id, name, trigger, due_on, due_at, ordinal, armed_in_state, armed_seq, rule_id, explanation)
            SELECT i, 't' || n, 'Tick', d, d::timestamptz, n, 'Active', 1, 'test.rule',
                   jsonb_build_object('key', 't' || n, 'label', 'Échéance ' || n, 'date', d::text, 'unadjustedDate', d::text,
                                      'ruleId', 'test.rule', 'inputs', '[]'::jsonb, 'steps', '[]'::jsonb)
              FROM (SELECT CASE WHEN n <= 7 THEN @ContractInstance ELSE @PostInstance END AS i, n,
                           DATE '2026-04-01' + ((n / 2) * 7) AS d
                      FROM generate_series(1, 9) n) t;
            """, ids);
        return ids;
    }

    [Fact]
    public async Task Pages_of_three_read_every_deadline_once_in_due_order_and_the_export_names_who_is_in_it()
    {
        var ids = await SeedAsync();
        await using var source = Database.CreateDataSource(db.ConnectionString);
        var queries = new DeadlineQueries(source);
        var filter = new DeadlineFilter(ids.Structure, Today, Today.AddYears(1), null, null);

        var read = new List<DeadlineView>();
        var page = PageRequest.First(3);
        while (true)
        {
            var result = await queries.ListAsync(ReadScope.OfStructures([ids.Structure]), filter, Today, page);
            Assert.NotNull(result);
            Assert.InRange(result.Items.Count, 1, 3);
            read.AddRange(result.Items);
            if (result.Next is null) break;
            page = new PageRequest(3, result.Next);
        }
        Assert.Equal(9, read.Count);
        Assert.Equal(9, read.Select(d => d.Label).Distinct().Count());
        Assert.Equal(read.OrderBy(d => d.DueOn).Select(d => d.DueOn), read.Select(d => d.DueOn));
        Assert.All(read.Where(d => d.InstanceId == ids.ContractInstance), d => Assert.Equal((ids.Advisor, "Yves Échéance"), (d.AdvisorId!.Value, d.AdvisorName)));
        Assert.All(read.Where(d => d.InstanceId == ids.PostInstance), d => Assert.Null(d.AdvisorId));

        await using (var export = await queries.ExportAsync(ReadScope.OfStructures([ids.Structure]), filter, Today))
        {
            var rows = new List<DeadlineView>();
            await foreach (var row in export.RowsAsync()) rows.Add(row);
            Assert.Equal(read.Select(d => d.Label), rows.Select(d => d.Label));
            Assert.Equal(rows.Count, export.Count);
            Assert.Equal([ids.Advisor], export.Advisors);
        }

        // The advisor sees the deadlines of their contract only; another structure's manager sees none.
        var own = await queries.ListAsync(ReadScope.OfAdvisor(ids.Advisor), filter with { StructureId = null }, Today, PageRequest.First(100));
        Assert.Equal(7, own!.Items.Count);
        var other = await queries.ListAsync(ReadScope.OfStructures([Guid.NewGuid()]), filter with { StructureId = null }, Today, PageRequest.First(100));
        Assert.Empty(other!.Items);
        // A cursor of another list is not one of these.
        Assert.Null(await queries.ListAsync(ReadScope.Everything, filter, Today, new PageRequest(3, Cursor.Encode(Cursor.Key("contracts", Guid.NewGuid().ToString())))));
    }
}

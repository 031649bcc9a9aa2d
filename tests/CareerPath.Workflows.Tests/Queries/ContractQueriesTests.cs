using CareerPath.Domain.Model;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>Contracts are read from the records: their dates, amendments, end and decision; their structure is their post's.</summary>
public sealed class ContractQueriesTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    sealed record Ids(Guid StructureA, Guid StructureB, Guid Post, Guid Advisor, Guid Contract);

    /// <summary>
    /// An advisor recorded by structure B who worked on a post of structure A: one public CDD, amended
    /// once, decided on, with no workflow instance at all.
    /// </summary>
    async Task<Ids> SeedAsync()
    {
        var ids = new Ids(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using var conn = Database.CreateDataSource(db.ConnectionString).CreateConnection();
        await conn.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO structure (id, name, kind, legal_regime) VALUES (@StructureA, 'Commune ' || @StructureA, 'Commune', 'Public'),
                                                                        (@StructureB, 'Commune ' || @StructureB, 'Commune', 'Public');
            INSERT INTO funded_post (id, structure_id, label) VALUES (@Post, @StructureA, 'Poste');
            INSERT INTO advisor (id, full_name, work_email, structure_id) VALUES (@Advisor, 'Zoé Records', @Advisor || '@records.test', @StructureB);
            INSERT INTO contract (id, advisor_id, post_id, contract_type, legal_regime, start_date, end_date, effective_end,
                                  decision_kind, decision_reason, decided_on, decision_notified_on, notice_deadline, decision_late)
                 VALUES (@Contract, @Advisor, @Post, 'Cdd', 'Public', DATE '2025-09-01', DATE '2026-08-31', DATE '2026-12-31',
                         'NotRetained', 'Fin du projet', DATE '2026-10-15', DATE '2026-10-20', DATE '2026-10-31', false);
            INSERT INTO contract_amendment (id, contract_id, effective_on, new_end_date, reason)
                 VALUES (gen_random_uuid(), @Contract, DATE '2026-06-01', DATE '2026-12-31', 'Prolongation');
            """, ids);
        return ids;
    }

    [Fact]
    public async Task A_contract_reads_its_facts_from_the_records_even_without_a_workflow()
    {
        var ids = await SeedAsync();
        var queries = new ContractQueries(Database.CreateDataSource(db.ConnectionString));

        var contract = await queries.GetAsync(ids.Contract);

        Assert.NotNull(contract);
        Assert.Equal(ids.StructureA, contract.StructureId);
        Assert.Equal(ids.Advisor, contract.AdvisorId);
        Assert.Equal("Zoé Records", contract.AdvisorName);
        Assert.Equal(new DateOnly(2026, 8, 31), contract.SignedEnd);
        Assert.Equal(new DateOnly(2026, 12, 31), contract.End);
        var amendment = Assert.Single(contract.Amendments);
        Assert.Equal(("Prolongation", new DateOnly(2026, 12, 31)), (amendment.Reason, amendment.NewEnd));
        Assert.Equal(DecisionKind.NotRetained, contract.Decision!.Kind);
        Assert.Equal(new DateOnly(2026, 10, 20), contract.Decision.NotifiedOn);
        Assert.Equal(new DateOnly(2026, 10, 31), contract.NoticeDeadline);
        Assert.Null(contract.InstanceId);
        Assert.Empty(contract.Trainings);
        Assert.Equal(ids.StructureA, (await queries.FindAsync(ids.Contract))!.StructureId);
    }

    [Fact]
    public async Task A_contract_is_listed_for_its_posts_structure_and_its_advisor_not_for_the_advisors_new_structure()
    {
        var ids = await SeedAsync();
        var queries = new ContractQueries(Database.CreateDataSource(db.ConnectionString));
        async Task<bool> Lists(ReadScope scope) =>
            (await queries.ListAsync(scope, new ContractFilter(AdvisorId: ids.Advisor), PageRequest.First()))!.Items.Any(c => c.Id == ids.Contract);

        Assert.True(await Lists(ReadScope.OfStructures([ids.StructureA])));
        Assert.False(await Lists(ReadScope.OfStructures([ids.StructureB])));
        Assert.True(await Lists(ReadScope.OfAdvisor(ids.Advisor)));
        Assert.False(await Lists(ReadScope.OfAdvisor(Guid.NewGuid())));
        Assert.False(await Lists(ReadScope.Nothing));
        Assert.True(await Lists(ReadScope.Everything));
        // The advisor's structures: the one that recorded them, and their contract's post's.
        var structures = await new AdvisorQueries(Database.CreateDataSource(db.ConnectionString)).StructuresAsync(ids.Advisor);
        Assert.Equal(new HashSet<Guid?> { ids.StructureA, ids.StructureB }, structures.ToHashSet());
    }

    [Fact]
    public async Task A_cursor_that_is_not_a_contract_id_reads_nothing()
    {
        var queries = new ContractQueries(Database.CreateDataSource(db.ConnectionString));
        Assert.Null(await queries.ListAsync(ReadScope.Everything, new ContractFilter(), new PageRequest(10, Cursor.Encode("pas un identifiant"))));
        Assert.Null(await queries.ListAsync(ReadScope.Everything, new ContractFilter(), new PageRequest(10, "%%%")));
    }
}

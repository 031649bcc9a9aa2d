using CareerPath.Workflows.Definitions;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

public sealed record DemoPerson
{
    public Guid Id { get; init; }
    public string Email { get; init; } = "";
    public string Name { get; init; } = "";
}

/// <summary>Who the demo accounts are: the HR manager's structures, that manager, and one advisor of the first structure.</summary>
public sealed record DemoPeople(Guid[] Structures, DemoPerson Hr, DemoPerson Advisor);

/// <summary>The people of the demo data set that get an account of their own (the Server's DemoAccounts).</summary>
public sealed class AccountSeedQueries(NpgsqlDataSource db)
{
    /// <summary>
    /// The two structures with the most open tasks (so the demo shows tasks and deadlines at once), their
    /// first HR contact, and the advisor of the first structure's oldest contract; null when the data set holds none.
    /// </summary>
    public async Task<DemoPeople?> DemoPeopleAsync(CancellationToken ct = default)
    {
        var def = AdvisorContractWorkflow.DefinitionId;
        await using var conn = await db.OpenConnectionAsync(ct);
        var structures = (await conn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT s.id FROM structure s
             WHERE EXISTS (SELECT 1 FROM workflow_instance i WHERE i.structure_id = s.id AND i.definition_id = @def)
             ORDER BY (SELECT count(*) FROM human_task t WHERE t.structure_id = s.id AND t.status = 'Open') DESC, s.name LIMIT 2
            """, new { def }, cancellationToken: ct))).ToArray();
        if (structures.Length == 0) return null;
        var hr = await conn.QueryFirstOrDefaultAsync<DemoPerson>(new CommandDefinition("""
            SELECT s.id, c.email, c.full_name AS Name FROM structure s JOIN hr_contact c ON c.structure_id = s.id
             WHERE s.id = @first ORDER BY c.is_lead, c.email LIMIT 1
            """, new { first = structures[0] }, cancellationToken: ct));
        if (hr is null) return null;
        // The advisor from the records (the contract's advisor), the oldest workflow of the structure first.
        var advisor = await conn.QueryFirstOrDefaultAsync<DemoPerson>(new CommandDefinition("""
            SELECT a.id, a.work_email AS Email, a.full_name AS Name
              FROM workflow_instance i
              JOIN contract c ON c.id = i.subject_id
              JOIN advisor a ON a.id = c.advisor_id
             WHERE i.structure_id = @structureId AND i.definition_id = @def
             ORDER BY i.created_at, i.id LIMIT 1
            """, new { structureId = hr.Id, def }, cancellationToken: ct));
        return advisor is null ? null : new DemoPeople(structures, hr, advisor);
    }
}

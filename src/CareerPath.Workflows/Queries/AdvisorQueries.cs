using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

public sealed record AdvisorSummary(Guid Id, string FullName, string WorkEmail, Guid? StructureId);
/// <summary>An advisor's file as the read checks see it (<see cref="AdvisorQueries.FileStateAsync"/>).</summary>
public sealed record AdvisorFileState(IReadOnlyList<Guid?> Structures, DateOnly? ArchivedOn, IReadOnlyList<Guid> LedByCaller);

public sealed record AdvisorView(Guid Id, string FullName, string WorkEmail, Guid? StructureId, bool HasRecognisedDisability, IReadOnlyList<Guid> Contracts);

/// <summary>
/// Reads of advisors. An advisor belongs to the structure that recorded them (advisor.structure_id) and
/// to the structures of their contracts' posts: an HR manager of any of those sees them.
/// </summary>
public sealed class AdvisorQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static AdvisorQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "advisors";

    /// <summary>A page of the advisors in scope, by id (creation order); null when the cursor is not one of this list.</summary>
    public async Task<Page<AdvisorSummary>?> ListAsync(ReadScope scope, Guid? structureId, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, List, out var id)) return null;
            after = id;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<AdvisorSummary>(new CommandDefinition("""
            SELECT a.id, a.full_name AS FullName, a.work_email AS WorkEmail, a.structure_id AS StructureId
              FROM advisor a
             WHERE (@self::uuid IS NULL OR a.id = @self)
               AND (@all OR a.structure_id = ANY(@structures) OR EXISTS (
                    SELECT 1 FROM contract c JOIN funded_post p ON p.id = c.post_id
                     WHERE c.advisor_id = a.id AND p.structure_id = ANY(@structures)))
               AND (@structureId::uuid IS NULL OR a.structure_id = @structureId OR EXISTS (
                    SELECT 1 FROM contract c JOIN funded_post p ON p.id = c.post_id
                     WHERE c.advisor_id = a.id AND p.structure_id = @structureId))
               AND (@after::uuid IS NULL OR a.id > @after)
               -- An archived file has left the active base: it is read one by one, with a reason (AdvisorFiles), not listed.
               AND (@all OR a.archived_on IS NULL)
             ORDER BY a.id LIMIT @take
            """, new { self = scope.Advisor, all = scope.AllStructures, structures = scope.Structures, structureId, after, take = page.Take },
            cancellationToken: ct))).ToList();
        return Page<AdvisorSummary>.From(rows, page.Limit, a => Cursor.Key(List, a.Id.ToString()));
    }

    /// <summary>The structures an advisor is attached to: the one that recorded them and those of their contracts' posts.</summary>
    public async Task<IReadOnlyList<Guid?>> StructuresAsync(Guid advisorId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Guid?>(new CommandDefinition("""
            SELECT structure_id FROM advisor WHERE id = @advisorId
            UNION
            SELECT p.structure_id FROM contract c JOIN funded_post p ON p.id = c.post_id WHERE c.advisor_id = @advisorId
            """, new { advisorId }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// What decides who reads an advisor's file: the structures it is attached to, the day it left the active base (the
    /// retention job's archive), and which of those structures name <paramref name="callerEmail"/> as their HR lead
    /// (hr_contact.is_lead: the person escalations go to, and, once archived, the only HR reader besides administrators).
    /// </summary>
    public async Task<AdvisorFileState> FileStateAsync(Guid advisorId, string callerEmail, CancellationToken ct = default)
    {
        var structures = await StructuresAsync(advisorId, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var archivedOn = await conn.ExecuteScalarAsync<DateOnly?>(new CommandDefinition("SELECT archived_on FROM advisor WHERE id = @advisorId",
            new { advisorId }, cancellationToken: ct));
        var led = (await conn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT structure_id FROM hr_contact WHERE is_lead AND lower(email) = lower(@callerEmail) AND structure_id = ANY(@ids)
            """, new { callerEmail, ids = structures.OfType<Guid>().ToArray() }, cancellationToken: ct))).ToList();
        return new AdvisorFileState(structures, archivedOn, led);
    }

    /// <summary>One advisor, with the ids of their contracts that the scope reaches (by start date).</summary>
    public async Task<AdvisorView?> GetAsync(Guid id, ReadScope contracts, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<AdvisorRow>(new CommandDefinition(
            "SELECT id, full_name AS FullName, work_email AS WorkEmail, structure_id AS StructureId, has_recognised_disability AS Disability FROM advisor WHERE id = @id",
            new { id }, cancellationToken: ct));
        if (row is null) return null;
        var ids = (await conn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT c.id FROM contract c JOIN funded_post p ON p.id = c.post_id
             WHERE c.advisor_id = @id AND (@all OR p.structure_id = ANY(@structures))
             ORDER BY c.start_date, c.id
            """, new { id, all = contracts.AllStructures, structures = contracts.Structures }, cancellationToken: ct))).ToList();
        return new AdvisorView(row.Id, row.FullName, row.WorkEmail, row.StructureId, row.Disability, ids);
    }

    sealed record AdvisorRow
    {
        public Guid Id { get; init; }
        public string FullName { get; init; } = "";
        public string WorkEmail { get; init; } = "";
        public Guid? StructureId { get; init; }
        public bool Disability { get; init; }
    }
}

/// <summary>Changes to an advisor's record that are not a workflow's: attaching them to the structure that hires them now.</summary>
public sealed class AdvisorCommands(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static AdvisorCommands() => DapperTypes.Register();

    public enum AttachResult { Attached, NoSuchAdvisor, NoSuchStructure }

    /// <summary>
    /// An advisor hired by another structure: the record moves, the earlier contracts stay with the
    /// structure that held them (their posts' structure).
    /// </summary>
    public async Task<AttachResult> AttachToStructureAsync(Guid advisorId, Guid structureId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM structure WHERE id = @structureId)",
                new { structureId }, cancellationToken: ct)))
            return AttachResult.NoSuchStructure;
        var moved = await conn.ExecuteAsync(new CommandDefinition("UPDATE advisor SET structure_id = @structureId WHERE id = @advisorId",
            new { structureId, advisorId }, cancellationToken: ct));
        return moved == 0 ? AttachResult.NoSuchAdvisor : AttachResult.Attached;
    }
}

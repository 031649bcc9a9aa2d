using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

public sealed record HrContactView(string Name, string Email, bool IsLead);
/// <param name="Departement">INSEE code of the structure's département; null when not recorded yet.</param>
public sealed record StructureView(Guid Id, string Name, string Kind, string LegalRegime, string? Siret, string? Departement, int Posts, IReadOnlyList<HrContactView> HrContacts);

/// <summary>Employer structures with their number of posts and their HR contacts.</summary>
public sealed class StructureQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static StructureQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "structures";

    /// <summary>A page of the structures in scope, by id (creation order); null when the cursor is not one of this list.</summary>
    public async Task<Page<StructureView>?> ListAsync(ReadScope scope, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, List, out var id)) return null;
            after = id;
        }
        return Page<StructureView>.From(await ReadAsync(scope, null, after, page.Take, ct), page.Limit, s => Cursor.Key(List, s.Id.ToString()));
    }

    public async Task<StructureView?> GetAsync(Guid id, CancellationToken ct = default) =>
        (await ReadAsync(ReadScope.Everything, id, null, 1, ct)).SingleOrDefault();

    async Task<IReadOnlyList<StructureView>> ReadAsync(ReadScope scope, Guid? id, Guid? after, int take, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<(Guid Id, string Name, string Kind, string Regime, string? Siret, string? Departement, int Posts)>(new CommandDefinition("""
            SELECT s.id, s.name, s.kind, s.legal_regime, s.siret, s.departement, (SELECT count(*)::int FROM funded_post p WHERE p.structure_id = s.id)
              FROM structure s
             WHERE (@all OR s.id = ANY(@structures)) AND (@id::uuid IS NULL OR s.id = @id) AND (@after::uuid IS NULL OR s.id > @after)
             ORDER BY s.id LIMIT @take
            """, new { all = scope.AllStructures, structures = scope.Structures, id, after, take }, cancellationToken: ct))).ToList();
        var contacts = (await conn.QueryAsync<(Guid StructureId, string Name, string Email, bool IsLead)>(new CommandDefinition(
            "SELECT structure_id, full_name, email, is_lead FROM hr_contact WHERE structure_id = ANY(@ids) ORDER BY full_name, id",
            new { ids = rows.Select(r => r.Id).ToArray() }, cancellationToken: ct))).ToLookup(c => c.StructureId);
        return rows.Select(r => new StructureView(r.Id, r.Name, r.Kind, r.Regime, r.Siret, r.Departement, r.Posts,
            contacts[r.Id].Select(c => new HrContactView(c.Name, c.Email, c.IsLead)).ToList())).ToList();
    }
}

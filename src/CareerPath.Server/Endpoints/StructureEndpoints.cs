using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Records;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record HrContactView(string Name, string Email, bool IsLead);
public sealed record StructureView(Guid Id, string Name, string Kind, string LegalRegime, string? Siret, int Posts, IReadOnlyList<HrContactView> HrContacts);
public sealed record Created(Guid Id, bool IsNew);

/// <summary>Employer structures: an HR manager sees theirs, an administrator all and creates them.</summary>
public static class StructureEndpoints
{
    public static void MapStructures(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/structures").WithTags("Structures");

        group.MapGet("/", async (NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var list = await ReadAsync(db, caller.StructureFilter, null, ct);
            await log.RecordAsync(caller, "structures.list", "structure", null, list.Count, ct);
            return Results.Ok(list);
        }).RequireAuthorization(Policies.Staff);

        group.MapGet("/{id:guid}", async (Guid id, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeStructure(id)) return Problems.NotFound();
            var found = (await ReadAsync(db, null, id, ct)).SingleOrDefault();
            if (found is null) return Problems.NotFound();
            await log.RecordAsync(caller, "structures.read", "structure", id, 1, ct);
            return Results.Ok(found);
        }).RequireAuthorization(Policies.Staff);

        group.MapPost("/", async (NewStructure body, ReferenceData records, HttpContext http, CancellationToken ct) =>
            Common.Answer(await records.CreateStructureAsync(body, http.Caller().Actor, ct), "/api/structures"))
            .RequireAuthorization(Policies.Admin);
    }

    static async Task<IReadOnlyList<StructureView>> ReadAsync(NpgsqlDataSource db, Guid[]? scope, Guid? id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<(Guid Id, string Name, string Kind, string Regime, string? Siret, int Posts)>("""
            SELECT s.id, s.name, s.kind, s.legal_regime, s.siret, (SELECT count(*)::int FROM funded_post p WHERE p.structure_id = s.id)
              FROM structure s
             WHERE (@all OR s.id = ANY(@scope)) AND (@id::uuid IS NULL OR s.id = @id)
             ORDER BY s.name LIMIT 1000
            """, new { all = scope is null, scope = scope ?? [], id })).ToList();
        var contacts = (await conn.QueryAsync<(Guid StructureId, string Name, string Email, bool IsLead)>(
            "SELECT structure_id, full_name, email, is_lead FROM hr_contact WHERE structure_id = ANY(@ids) ORDER BY full_name",
            new { ids = rows.Select(r => r.Id).ToArray() })).ToLookup(c => c.StructureId);
        return rows.Select(r => new StructureView(r.Id, r.Name, r.Kind, r.Regime, r.Siret, r.Posts,
            contacts[r.Id].Select(c => new HrContactView(c.Name, c.Email, c.IsLead)).ToList())).ToList();
    }
}

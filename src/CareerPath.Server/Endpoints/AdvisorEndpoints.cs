using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Records;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record AdvisorSummary(Guid Id, string FullName, string WorkEmail, Guid? StructureId);
public sealed record StructureChange(Guid? StructureId);
public sealed record AdvisorView(Guid Id, string FullName, string WorkEmail, Guid? StructureId, bool HasRecognisedDisability, IReadOnlyList<Guid> Contracts);

/// <summary>Advisors: their structure's HR managers and administrators; an advisor sees only their own record.</summary>
public static class AdvisorEndpoints
{
    public static void MapAdvisors(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/advisors").WithTags("Conseillers");

        group.MapGet("/", async (Guid? structureId, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            await using var conn = await db.OpenConnectionAsync(ct);
            var list = (await conn.QueryAsync<AdvisorSummary>("""
                SELECT a.id, a.full_name AS FullName, a.work_email AS WorkEmail, a.structure_id AS StructureId
                  FROM advisor a
                 WHERE (@self::uuid IS NULL OR a.id = @self)
                   AND (@all OR a.structure_id = ANY(@scope) OR EXISTS (
                        SELECT 1 FROM workflow_instance i WHERE i.definition_id = 'advisor-contract'
                           AND i.data->'advisor'->>'id' = a.id::text AND i.structure_id = ANY(@scope)))
                   AND (@structureId::uuid IS NULL OR a.structure_id = @structureId OR EXISTS (
                        SELECT 1 FROM workflow_instance i WHERE i.definition_id = 'advisor-contract'
                           AND i.data->'advisor'->>'id' = a.id::text AND i.structure_id = @structureId))
                 ORDER BY a.full_name LIMIT 5000
                """, new
            {
                self = caller.IsAdvisor ? caller.AdvisorId : null,
                all = caller.IsAdmin || caller.IsAdvisor,
                scope = caller.StructureFilter ?? [],
                structureId,
            })).ToList();
            await log.RecordAsync(caller, "advisors.list", "advisor", null, list.Count, ct, list.Select(a => a.Id).ToList());
            return Results.Ok(list);
        }).RequireAuthorization(Policies.PersonalRecords);

        group.MapGet("/{id:guid}", async (Guid id, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.MaySeeAdvisor(id, await Common.AdvisorStructuresAsync(db, id, ct))) return Problems.NotFound();
            await using var conn = await db.OpenConnectionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<AdvisorRow>(
                "SELECT id, full_name AS FullName, work_email AS WorkEmail, structure_id AS StructureId, has_recognised_disability AS Disability FROM advisor WHERE id = @id",
                new { id });
            if (row is null) return Problems.NotFound();
            var contracts = (await conn.QueryAsync<Guid>("""
                SELECT subject_id FROM workflow_instance
                 WHERE definition_id = 'advisor-contract' AND data->'advisor'->>'id' = @text
                   AND (@all OR structure_id = ANY(@scope)) ORDER BY created_at
                """, new { text = id.ToString(), all = caller.IsAdmin || caller.IsAdvisor, scope = caller.StructureFilter ?? [] })).ToList();
            await log.RecordAsync(caller, "advisors.read", "advisor", id, 1, ct);
            return Results.Ok(new AdvisorView(row.Id, row.FullName, row.WorkEmail, row.StructureId, row.Disability, contracts));
        }).RequireAuthorization(Policies.PersonalRecords);

        // An advisor hired by another structure: an administrator moves the record, the earlier contracts
        // stay with the structure that held them (and their HR managers keep seeing those).
        group.MapPost("/{id:guid}/structure", async (Guid id, StructureChange body, NpgsqlDataSource db, ILogger<StructureChange> log, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Required("structureId", body.StructureId);
            if (!check.Ok) return check.Problem();
            await using var conn = await db.OpenConnectionAsync(ct);
            if (!await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM structure WHERE id = @s)", new { s = body.StructureId }))
                return check.Add("structureId", "Structure introuvable.").Problem();
            var moved = await conn.ExecuteAsync("UPDATE advisor SET structure_id = @s WHERE id = @id", new { s = body.StructureId, id });
            if (moved == 0) return Problems.NotFound();
            // Who moved whom where: an administrator's act on personal data, kept in the server's log.
            log.LogInformation("Advisor {Advisor} attached to structure {Structure} by {Actor}", id, body.StructureId, http.Caller().Actor);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Admin);

        group.MapPost("/", async (NewAdvisor body, ReferenceData records, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (body.StructureId is { } s && !caller.MaySeeStructure(s))
                return new Check().Add("structureId", "Structure introuvable, ou hors de votre périmètre.").Problem();
            return Common.Answer(await records.CreateAdvisorAsync(body, caller.Actor, ct), "/api/advisors");
        }).RequireAuthorization(Policies.Staff);
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

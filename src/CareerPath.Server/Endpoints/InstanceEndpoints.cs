using System.Text.Json.Nodes;
using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record DefinitionView(string Id, int Version, IReadOnlyCollection<string> States, string Mermaid);
public sealed record InstanceSummary
{
    public Guid Id { get; init; }
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public string State { get; init; } = "";
    public int Version { get; init; }
    public Guid SubjectId { get; init; }
    public Guid? StructureId { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
}
public sealed record InstanceDetail(InstanceSummary Instance, JsonNode? Data, IReadOnlyList<TimerView> Timers);
public sealed record MigrationRequest(string? DefinitionId, int? FromVersion, int? ToVersion, Dictionary<string, string>? StateMap, bool? DryRun = null);

/// <summary>The administrator's view of the engine: definitions, instances, journals, incidents, version migrations.</summary>
public static class InstanceEndpoints
{
    public static void MapInstances(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags("Administration").RequireAuthorization(Policies.Admin);

        admin.MapGet("/workflows", (DefinitionRegistry definitions) =>
            Results.Ok(definitions.All.Select(d => new DefinitionView(d.Id, d.Version, d.States, d.ToMermaid()))));

        admin.MapGet("/instances", async (string? definitionId, string? state, bool? open, int? limit, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var check = new Check().Text("definitionId", definitionId, 100, required: false).Text("state", state, 100, required: false).Range("limit", limit, 1, 5000, required: false);
            if (!check.Ok) return check.Problem();
            await using var conn = await db.OpenConnectionAsync(ct);
            return Results.Ok(await conn.QueryAsync<InstanceSummary>($"""
                {Select}
                 WHERE (@definitionId::text IS NULL OR definition_id = @definitionId) AND (@state::text IS NULL OR state = @state)
                   AND (@open::boolean IS NULL OR (closed_at IS NULL) = @open)
                 ORDER BY updated_at DESC LIMIT @limit
                """, new { definitionId, state, open, limit = limit ?? 500 }));
        });

        admin.MapGet("/instances/{id:guid}", async (Guid id, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<InstanceSummary>($"{Select} WHERE id = @id", new { id });
            if (row is null) return Problems.NotFound();
            var data = await conn.QuerySingleAsync<string>("SELECT data::text FROM workflow_instance WHERE id = @id", new { id });
            await log.RecordAsync(http.Caller(), "instances.read", "instance", id, 1, ct, AdvisorOf(data));
            return Results.Ok(new InstanceDetail(row, JsonNode.Parse(data), await InstanceQueries.TimersAsync(db, id, ct)));
        });

        admin.MapGet("/instances/{id:guid}/journal", async (Guid id, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var journal = await InstanceQueries.JournalAsync(db, id, ct);
            if (journal.Count == 0) return Problems.NotFound();
            await using var conn = await db.OpenConnectionAsync(ct);
            var data = await conn.QuerySingleAsync<string>("SELECT data::text FROM workflow_instance WHERE id = @id", new { id });
            await log.RecordAsync(http.Caller(), "instances.journal", "instance", id, journal.Count, ct, AdvisorOf(data));
            return Results.Ok(journal);
        });

        admin.MapGet("/incidents", async (bool? all, NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            // Error texts can hold an address (a refused recipient): logged as a read of personal data.
            var incidents = await Incidents.ListAsync(db, openOnly: all != true, ct);
            await log.RecordAsync(http.Caller(), "incidents.list", "incident", null, incidents.Count, ct);
            return Results.Ok(incidents);
        });

        admin.MapPost("/incidents/{id:guid}/retry", async (Guid id, NpgsqlDataSource db, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            await Incidents.RetryAsync(db, id, http.Caller().Actor, time.GetUtcNow(), ct);
            return Results.NoContent();
        });

        admin.MapPost("/instances/migrations", async (MigrationRequest body, DefinitionRegistry definitions, InstanceMigrator migrator, HttpContext http, CancellationToken ct) =>
        {
            var check = new Check().Text("definitionId", body.DefinitionId, 100).Range("fromVersion", body.FromVersion, 1, 1000).Range("toVersion", body.ToVersion, 1, 1000)
                .Required("stateMap", body.StateMap);
            if (check.Ok && !definitions.All.Any(d => d.Id == body.DefinitionId && d.Version == body.FromVersion)) check.Add("fromVersion", "Version de définition inconnue.");
            if (check.Ok && !definitions.All.Any(d => d.Id == body.DefinitionId && d.Version == body.ToVersion)) check.Add("toVersion", "Version de définition inconnue.");
            if (body.StateMap is { Count: > 200 }) check.Add("stateMap", "200 états au plus.");
            if (!check.Ok) return check.Problem();
            var plan = await migrator.MigrateAsync(body.DefinitionId!, body.FromVersion!.Value, body.ToVersion!.Value, body.StateMap!, body.DryRun ?? true, http.Caller().Actor, ct);
            return Results.Ok(plan);
        });
    }

    /// <summary>The advisor an instance's data is about (advisor-contract), for the access log.</summary>
    static Guid[] AdvisorOf(string data) =>
        JsonNode.Parse(data)?["advisor"]?["id"]?.GetValue<string>() is { } text && Guid.TryParse(text, out var advisor) ? [advisor] : [];

    const string Select = """
        SELECT id, definition_id AS DefinitionId, definition_version AS DefinitionVersion, state, version, subject_id AS SubjectId,
               structure_id AS StructureId, updated_at AS UpdatedAt, closed_at AS ClosedAt
          FROM workflow_instance
        """;
}

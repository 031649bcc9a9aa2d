using System.Text.Json.Nodes;
using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record DefinitionView(string Id, int Version, IReadOnlyCollection<string> States, string Mermaid);
public sealed record InstanceDetail(InstanceSummary Instance, JsonNode? Data, IReadOnlyList<TimerView> Timers);
public sealed record MigrationRequest(string? DefinitionId, int? FromVersion, int? ToVersion, Dictionary<string, string>? StateMap, bool? DryRun = null);

/// <summary>The administrator's view of the engine: definitions, instances, journals, incidents, version migrations.</summary>
public static class InstanceEndpoints
{
    public static void MapInstances(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags("Administration").RequireAuthorization(Policies.Admin);

        // The definitions are the code's (a handful), not rows: one answer holds them all.
        admin.MapGet("/workflows", (DefinitionRegistry definitions) =>
                TypedResults.Ok(definitions.All.Select(d => new DefinitionView(d.Id, d.Version, d.States, d.ToMermaid())).ToList()))
            .WithName("listWorkflowDefinitions").WithSummary("Lister les définitions de workflow (versions, états, diagramme Mermaid)");

        admin.MapGet("/instances", List).WithName("listInstances").WithSummary("Lister les instances de workflow (page par page, par identifiant ; filtres : définition, version, état, ouvertes, sujet, conseiller, structure)");
        admin.MapGet("/instances/{id:guid}", Get).WithName("getInstance").WithSummary("Lire une instance : état, données, minuteries");
        admin.MapGet("/instances/{id:guid}/journal", Journal).WithName("getInstanceJournal").WithSummary("Lire le journal d'une instance (page par page)");
        admin.MapGet("/incidents", Incidents).WithName("listIncidents").WithSummary("Lister les incidents (ouverts, ou tous avec all=true)");
        admin.MapPost("/incidents/{id:guid}/retry", Retry).WithName("retryIncident").WithSummary("Relancer l'effet en échec d'un incident et le clore");
        admin.MapPost("/instances/migrations", Migrate).WithName("migrateInstances")
            .WithSummary("Migrer les instances vers une autre version de leur définition (simulation par défaut)");
    }

    static async Task<Results<Ok<Page<InstanceSummary>>, ValidationProblem>> List(string? definitionId, int? definitionVersion, string? state, bool? open, Guid? subjectId,
        Guid? advisorId, Guid? structureId, [AsParameters] PageQuery paging, InstanceAdminQueries instances, AccessLog log, HttpContext http, CancellationToken ct)
    {
        var check = CheckFilter(definitionId, state);
        if (!check.Ok) return check.Problem();
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        if (await instances.ListAsync(new InstanceFilter(definitionId, state, open, subjectId, advisorId, structureId, definitionVersion), page, ct) is not { } rows)
            return Common.InvalidCursor();
        // A list of contracts' instances is a list of advisors' records (states, dates): logged as any other personal read.
        await log.RecordAsync(http.Caller(), "instances.list", "instance", null, rows.Items.Count, ct,
            await instances.AdvisorsOfAsync([.. rows.Items.Select(i => i.Id)], ct));
        return TypedResults.Ok(rows);
    }

    /// <summary>The text filters of the instance list (the API's and the page's).</summary>
    internal static Check CheckFilter(string? definitionId, string? state) =>
        new Check().Text("definitionId", definitionId, 100, required: false).Text("state", state, 100, required: false);

    static async Task<Results<Ok<InstanceDetail>, NotFoundProblem>> Get(Guid id, InstanceAdminQueries instances, NpgsqlDataSource db, AccessLog log, HttpContext http,
        CancellationToken ct)
    {
        if (await instances.GetAsync(id, ct) is not { } found) return new NotFoundProblem();
        await log.RecordAsync(http.Caller(), "instances.read", "instance", id, 1, ct, await instances.AdvisorsOfAsync([id], ct));
        return TypedResults.Ok(new InstanceDetail(found.Instance, JsonNode.Parse(found.Data), await InstanceQueries.TimersAsync(db, id, ct)));
    }

    static async Task<Results<Ok<Page<JournalEntry>>, ValidationProblem, NotFoundProblem>> Journal(Guid id, [AsParameters] PageQuery paging, InstanceAdminQueries instances,
        AccessLog log, HttpContext http, CancellationToken ct)
    {
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        if (!await instances.ExistsAsync(id, ct)) return new NotFoundProblem();
        if (await instances.JournalAsync(id, page, ct) is not { } journal) return Common.InvalidCursor();
        await log.RecordAsync(http.Caller(), "instances.journal", "instance", id, journal.Items.Count, ct, await instances.AdvisorsOfAsync([id], ct));
        return TypedResults.Ok(journal);
    }

    static async Task<Results<Ok<Page<IncidentRow>>, ValidationProblem>> Incidents(bool? all, [AsParameters] PageQuery paging, InstanceAdminQueries instances,
        AccessLog log, HttpContext http, CancellationToken ct)
    {
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        if (await instances.IncidentsAsync(openOnly: all != true, page, ct) is not { } incidents) return Common.InvalidCursor();
        // Error texts can hold an address (a refused recipient): logged as a read of personal data.
        await log.RecordAsync(http.Caller(), "incidents.list", "incident", null, incidents.Items.Count, ct);
        return TypedResults.Ok(incidents);
    }

    static async Task<Results<NoContent, NotFoundProblem, BadRequestProblem>> Retry(Guid id, EngineActions engine, HttpContext http, CancellationToken ct) =>
        await engine.RetryIncidentAsync(http.Caller(), id, ct) switch
        {
            null => TypedResults.NoContent(),
            { Kind: FailureKind.NotFound } => new NotFoundProblem(),
            var f => new BadRequestProblem(f.Message),
        };

    static async Task<Results<Ok<MigrationPlan>, ValidationProblem, BadRequestProblem, ConflictProblem>> Migrate(MigrationRequest body, EngineActions engine, HttpContext http,
        CancellationToken ct) =>
        await engine.MigrateAsync(http.Caller(), body, ct) switch
        {
            ({ } plan, _) => TypedResults.Ok(plan),
            (_, { Kind: FailureKind.Conflict } f) => new ConflictProblem(f.Message),
            (_, { Errors.Count: 0 } f) => new BadRequestProblem(f.Message),
            (_, var f) => Common.Invalid(f!.Errors.ToDictionary()),
        };
}

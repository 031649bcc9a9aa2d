using System.Globalization;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

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

/// <summary>An instance as the administrator reads it: its row and its data (jsonb, as text).</summary>
public sealed record InstanceWithData(InstanceSummary Instance, string Data);

/// <param name="SubjectId">The instance's subject: a contract (advisor-contract) or a post (post-funding).</param>
/// <param name="AdvisorId">The advisor whose contracts the instances follow.</param>
public sealed record InstanceFilter(string? DefinitionId = null, string? State = null, bool? Open = null, Guid? SubjectId = null, Guid? AdvisorId = null,
    Guid? StructureId = null, int? DefinitionVersion = null);

/// <summary>How many instances run on one version of a definition (open: not yet in a final state).</summary>
public sealed record VersionUse(string DefinitionId, int DefinitionVersion, long Open, long Closed);

/// <summary>
/// The administrator's reads of the engine: instances, their journals, the advisors they are about
/// (for the access log), incidents. The engine's own reads of one instance are InstanceQueries.
/// </summary>
public sealed class InstanceAdminQueries(NpgsqlDataSource db)
{
    static InstanceAdminQueries() => DapperTypes.Register();

    const string Select = """
        SELECT id, definition_id AS DefinitionId, definition_version AS DefinitionVersion, state, version, subject_id AS SubjectId,
               structure_id AS StructureId, updated_at AS UpdatedAt, closed_at AS ClosedAt
          FROM workflow_instance
        """;

    /// <summary>A page of instances, by id (creation order: an update never moves one); null when the cursor is not one of this list.</summary>
    public async Task<Page<InstanceSummary>?> ListAsync(InstanceFilter filter, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, "instances", out var id)) return null;
            after = id;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<InstanceSummary>(new CommandDefinition($"""
            {Select}
             WHERE (@DefinitionId::text IS NULL OR definition_id = @DefinitionId) AND (@State::text IS NULL OR state = @State)
               AND (@Open::boolean IS NULL OR (closed_at IS NULL) = @Open) AND (@after::uuid IS NULL OR id > @after)
               AND (@DefinitionVersion::integer IS NULL OR definition_version = @DefinitionVersion)
               AND (@SubjectId::uuid IS NULL OR subject_id = @SubjectId) AND (@StructureId::uuid IS NULL OR structure_id = @StructureId)
               AND (@AdvisorId::uuid IS NULL OR (definition_id = @contractDefinition
                    AND subject_id IN (SELECT c.id FROM contract c WHERE c.advisor_id = @AdvisorId)))
             ORDER BY id LIMIT @take
            """, new
            {
                filter.DefinitionId, filter.State, filter.Open, filter.DefinitionVersion, filter.SubjectId, filter.StructureId, filter.AdvisorId,
                contractDefinition = AdvisorContractWorkflow.DefinitionId, after, take = page.Take,
            }, cancellationToken: ct))).ToList();
        return Page<InstanceSummary>.From(rows, page.Limit, i => Cursor.Key("instances", i.Id.ToString()));
    }

    /// <summary>The versions of each definition the instances run on, with how many are open and closed (a count by PostgreSQL).</summary>
    public async Task<IReadOnlyList<VersionUse>> VersionsInUseAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<VersionUse>(new CommandDefinition("""
            SELECT definition_id AS DefinitionId, definition_version AS DefinitionVersion,
                   count(*) FILTER (WHERE closed_at IS NULL) AS Open, count(*) FILTER (WHERE closed_at IS NOT NULL) AS Closed
              FROM workflow_instance GROUP BY definition_id, definition_version ORDER BY definition_id, definition_version
            """, cancellationToken: ct))).ToList();
    }

    public async Task<InstanceWithData?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<InstanceSummary>(new CommandDefinition($"{Select} WHERE id = @id", new { id }, cancellationToken: ct));
        if (row is null) return null;
        var data = await conn.QuerySingleAsync<string>(new CommandDefinition("SELECT data::text FROM workflow_instance WHERE id = @id", new { id }, cancellationToken: ct));
        return new InstanceWithData(row, data);
    }

    public async Task<bool> ExistsAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM workflow_instance WHERE id = @id)", new { id }, cancellationToken: ct));
    }

    /// <summary>How many instances the database holds (a simulation needs an empty one).</summary>
    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM workflow_instance", cancellationToken: ct));
    }

    /// <summary>
    /// The advisors these instances are about, from the records (an advisor-contract instance's contract
    /// and its advisor); a post-funding instance is about no one. For the access log.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> AdvisorsOfAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken ct = default)
    {
        if (instanceIds.Count == 0) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT DISTINCT c.advisor_id FROM workflow_instance i JOIN contract c ON c.id = i.subject_id
             WHERE i.id = ANY(@ids) AND i.definition_id = @def
            """, new { ids = instanceIds.Distinct().ToArray(), def = AdvisorContractWorkflow.DefinitionId }, cancellationToken: ct))).ToList();
    }

    /// <summary>A page of an instance's journal, in order (seq); null when the cursor is not one of this list.</summary>
    public async Task<Page<JournalEntry>?> JournalAsync(Guid instanceId, PageRequest page, CancellationToken ct = default)
    {
        int? after = null;
        if (page.After is not null)
        {
            if (!int.TryParse(Cursor.TryDecode(page.After, "journal"), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return null;
            after = seq;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<JournalEntry>(new CommandDefinition("""
            SELECT seq, at, actor, trigger, from_state AS FromState, to_state AS ToState, reason, payload::text AS Payload
              FROM workflow_journal WHERE instance_id = @instanceId AND (@after::integer IS NULL OR seq > @after)
             ORDER BY seq LIMIT @take
            """, new { instanceId, after, take = page.Take }, cancellationToken: ct))).ToList();
        return Page<JournalEntry>.From(rows, page.Limit, e => Cursor.Key("journal", e.Seq.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>A page of incidents (the open ones, or all), oldest first by (created_at, id); null when the cursor is not one of this list.</summary>
    public async Task<Page<IncidentRow>?> IncidentsAsync(bool openOnly, PageRequest page, CancellationToken ct = default)
    {
        (DateTimeOffset At, Guid Id)? after = null;
        if (page.After is not null)
        {
            if (!TimeAndId.TryParse(Cursor.TryDecode(page.After, "incidents"), out var key)) return null;
            after = key;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<IncidentRow>(new CommandDefinition("""
            SELECT id, instance_id AS InstanceId, effect, effect_ref AS EffectRef, error, attempts, created_at AS CreatedAt,
                   resolved_at AS ResolvedAt, resolved_by AS ResolvedBy
              FROM incident
             WHERE (NOT @openOnly OR resolved_at IS NULL)
               AND (@afterAt::timestamptz IS NULL OR (created_at, id) > (@afterAt, @afterId))
             ORDER BY created_at, id LIMIT @take
            """, new { openOnly, afterAt = after?.At, afterId = after?.Id, take = page.Take }, cancellationToken: ct))).ToList();
        return Page<IncidentRow>.From(rows, page.Limit, i => Cursor.Key("incidents", TimeAndId.Format(i.CreatedAt, i.Id)));
    }
}

/// <summary>A cursor key made of an instant (to the microsecond, as PostgreSQL keeps it) and a row id.</summary>
static class TimeAndId
{
    public static string Format(DateTimeOffset at, Guid id) => $"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{id}";

    public static bool TryParse(string? key, out (DateTimeOffset At, Guid Id) value)
    {
        value = default;
        if (key?.Split('|') is not [var ticks, var id]
            || !long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t) || t > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParse(id, out var g)) return false;
        value = (new DateTimeOffset(t, TimeSpan.Zero), g);
        return true;
    }
}

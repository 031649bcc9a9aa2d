using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record StartRequest(string DefinitionId, Guid SubjectId, Guid? StructureId, JsonObject Data, string Actor, Guid? ParentId = null);

/// <param name="ExpectedVersion">The version the sender based its request on (e.g. from an ETag); a newer instance is a conflict.</param>
public sealed record SignalRequest(Guid InstanceId, string Trigger, JsonObject? Payload, string Actor, string? IdempotencyKey = null,
    string? Reason = null, int? ExpectedVersion = null);

/// <summary>What a signal did. <see cref="Duplicate"/>: the idempotency key was seen before, nothing changed.</summary>
public sealed record TransitionResult(Guid InstanceId, int Seq, string FromState, string ToState, bool Duplicate);

public sealed record InstanceRow
{
    public Guid Id { get; init; }
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public string State { get; init; } = "";
    public string Data { get; init; } = "{}";
    public int Version { get; init; }
    public int StateEnteredSeq { get; init; }
    public Guid SubjectId { get; init; }
    public Guid? StructureId { get; init; }
    public Guid? ParentId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }

    public JsonObject DataObject => JsonNode.Parse(Data)!.AsObject();
}

/// <summary>
/// Runs transitions: each one in one transaction that changes the instance row only from the
/// version it read, and writes the journal, timers, tasks, outbox and audit rows with it.
/// </summary>
public sealed class WorkflowEngine(NpgsqlDataSource db, DefinitionRegistry definitions, TimeProvider time, ILogger<WorkflowEngine>? log = null)
{
    static WorkflowEngine() => Storage.DapperTypes.Register();

    public const string TimerActor = "timer";
    const int MaxSignalDepth = 8;
    static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;

    public DefinitionRegistry Definitions => definitions;
    public TimeProvider Time => time;
    public NpgsqlDataSource DataSource => db;

    /// <summary>Timers fire at 08:00 in Paris on their due day: reminders arrive at the start of a working day.</summary>
    public static DateTimeOffset DueInstant(DateOnly day)
    {
        var local = day.ToDateTime(new TimeOnly(8, 0));
        return new DateTimeOffset(local, Paris.GetUtcOffset(local)).ToUniversalTime();
    }

    public static DateOnly ParisDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Paris).DateTime);

    public async Task<Guid> StartAsync(StartRequest request, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await StartAsync(conn, tx, request, depth: 0, ct);
        await tx.CommitAsync(ct);
        return id;
    }

    public async Task<TransitionResult> SignalAsync(SignalRequest request, CancellationToken ct = default)
    {
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var row = await LoadAsync(conn, tx, request.InstanceId, ct)
                ?? throw new WorkflowNotFoundException($"L'instance {request.InstanceId}");
            var result = await ApplyAsync(conn, tx, row, request, depth: 0, ct);
            await tx.CommitAsync(ct);
            return result;
        }
        catch (Exception e) when (request.IdempotencyKey is not null && IsRace(e))
        {
            // The same key may have won the race from another request: then this one is its duplicate.
            await using var conn = await db.OpenConnectionAsync(ct);
            var seen = await FindByKeyAsync(conn, null, request.InstanceId, request.IdempotencyKey, ct);
            if (seen is not null) return seen;
            throw;
        }
    }

    static bool IsRace(Exception e) =>
        e is WorkflowConflictException || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>Closes a human task and fires the trigger it stands for, in one transaction.</summary>
    public async Task<TransitionResult> CompleteTaskAsync(Guid taskId, string trigger, JsonObject? payload, string actor, string outcome, string? reason, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var task = await conn.QuerySingleOrDefaultAsync<(Guid InstanceId, string Status)>(
            "SELECT instance_id, status FROM human_task WHERE id = @taskId FOR UPDATE", new { taskId }, tx)
            ;
        if (task.InstanceId == Guid.Empty) throw new WorkflowNotFoundException($"La tâche {taskId}");
        if (task.Status != "Open") throw new WorkflowInputException($"La tâche {taskId} est déjà close.");
        var row = await LoadAsync(conn, tx, task.InstanceId, ct) ?? throw new WorkflowNotFoundException($"L'instance {task.InstanceId}");
        var result = await ApplyAsync(conn, tx, row, new SignalRequest(task.InstanceId, trigger, payload, actor, $"task:{taskId}", reason), 0, ct);
        await conn.ExecuteAsync("""
            UPDATE human_task SET status = 'Completed', completed_at = @now, completed_by = @actor, outcome = @outcome, reason = @reason
            WHERE id = @taskId AND status = 'Open'
            """, new { taskId, now = time.GetUtcNow(), actor, outcome, reason }, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    public async Task<InstanceRow?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await LoadAsync(conn, null, id, ct);
    }

    public async Task<InstanceRow?> FindRunningAsync(string definitionId, Guid subjectId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await FindRunningAsync(conn, null, definitionId, subjectId);
    }

    // ---- inside a transaction ----

    internal async Task<Guid> StartAsync(NpgsqlConnection conn, NpgsqlTransaction tx, StartRequest request, int depth, CancellationToken ct)
    {
        var definition = definitions.Latest(request.DefinitionId);
        var id = Guid.CreateVersion7(time.GetUtcNow());
        var now = time.GetUtcNow();
        await conn.ExecuteAsync("""
            INSERT INTO workflow_instance (id, definition_id, definition_version, state, data, version, state_entered_seq,
                                           subject_id, structure_id, parent_id, created_at, updated_at)
            VALUES (@id, @def, @ver, @state, @data::jsonb, 0, 0, @subject, @structure, @parent, @now, @now)
            """, new
        {
            id, def = definition.Id, ver = definition.Version, state = definition.CreatedState, data = request.Data.ToJsonString(),
            subject = request.SubjectId, structure = request.StructureId, parent = request.ParentId, now,
        }, tx);
        var row = (await LoadAsync(conn, tx, id, ct))!;
        await ApplyAsync(conn, tx, row, new SignalRequest(id, definition.StartTrigger, null, request.Actor, "start"), depth, ct);
        return id;
    }

    internal async Task<TransitionResult> ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, InstanceRow row, SignalRequest request, int depth, CancellationToken ct)
    {
        if (request.IdempotencyKey is not null && await FindByKeyAsync(conn, tx, row.Id, request.IdempotencyKey, ct) is { } seen)
            return seen;
        if (request.ExpectedVersion is { } expected && expected != row.Version)
            throw new WorkflowConflictException(row.Id, expected);
        if (depth > MaxSignalDepth)
            throw new InvalidOperationException($"Signals between instances nest deeper than {MaxSignalDepth}: a definition loops.");

        var definition = definitions.Get(row.DefinitionId, row.DefinitionVersion);
        var now = time.GetUtcNow();
        var outcome = definition.Fire(new FireRequest(row.Id, row.StructureId, row.State, row.DataObject, request.Trigger,
            request.Payload, request.Actor, request.Reason, now, ParisDate(now)));

        var seq = row.Version + 1;
        var enteredSeq = outcome.EnteredState ? seq : row.StateEnteredSeq;
        var closed = definition.IsFinal(outcome.ToState);
        var updated = await conn.ExecuteAsync("""
            UPDATE workflow_instance
               SET state = @state, data = @data::jsonb, version = @seq, state_entered_seq = @enteredSeq, updated_at = @now,
                   closed_at = CASE WHEN @closed THEN COALESCE(closed_at, @now) ELSE NULL END
             WHERE id = @id AND version = @expected
            """, new { id = row.Id, state = outcome.ToState, data = outcome.Data.ToJsonString(), seq, enteredSeq, now, closed, expected = row.Version }, tx);
        if (updated == 0) throw new WorkflowConflictException(row.Id, row.Version);

        var remarks = outcome.Effects.OfType<Remark>().Select(r => r.Text).ToList();
        var reason = string.Join(" ", new[] { request.Reason }.Concat(remarks).Where(s => !string.IsNullOrWhiteSpace(s)));
        await conn.ExecuteAsync("""
            INSERT INTO workflow_journal (instance_id, seq, at, actor, trigger, from_state, to_state, reason, payload, idempotency_key)
            VALUES (@id, @seq, @now, @actor, @trigger, @from, @to, @reason, @payload::jsonb, @key)
            """, new
        {
            id = row.Id, seq, now, actor = request.Actor, trigger = request.Trigger, from = row.State, to = outcome.ToState,
            reason = reason.Length == 0 ? null : reason, payload = request.Payload?.ToJsonString(), key = request.IdempotencyKey,
        }, tx);

        await RearmTimersAsync(conn, tx, row.Id, definition, outcome.ToState, outcome.Data, seq);
        var applied = row with { State = outcome.ToState, Data = outcome.Data.ToJsonString(), Version = seq, StateEnteredSeq = enteredSeq };
        foreach (var effect in outcome.Effects)
            await WriteEffectAsync(conn, tx, applied, request, effect, depth, ct);

        return new TransitionResult(row.Id, seq, row.State, outcome.ToState, Duplicate: false);
    }

    /// <summary>
    /// Makes the instance's unfired timers those its state asks for, given its current data: a changed
    /// contract end moves every dependent timer. A timer occurrence is its name and due day: one that
    /// fired is never armed again, while a deadline that moved is a new occurrence and fires anew.
    /// </summary>
    internal static async Task RearmTimersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid instanceId, IWorkflowDefinition definition,
        string state, JsonObject data, int seq)
    {
        var specs = definition.Timers(state, data);
        var existing = (await conn.QueryAsync<ArmedTimer>(
            "SELECT id, name, due_on AS DueOn, fired_at IS NOT NULL AS Fired FROM workflow_timer WHERE instance_id = @instanceId",
            new { instanceId }, tx)).ToList();
        var fired = existing.Where(e => e.Fired).Select(e => (e.Name, e.DueOn)).ToHashSet();
        var pending = existing.Where(e => !e.Fired).ToDictionary(e => e.Name);

        var wanted = new HashSet<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var due = spec.Deadline.Date;
            if (fired.Contains((spec.Name, due)) || !wanted.Add(spec.Name)) continue;
            var node = WorkflowJson.ToObject(spec.Deadline);
            node["description"] = spec.Deadline.Describe();
            var explanation = node.ToJsonString();
            if (pending.TryGetValue(spec.Name, out var current))
            {
                if (current.DueOn != due)
                    await conn.ExecuteAsync("""
                        UPDATE workflow_timer SET due_on = @due, due_at = @dueAt, explanation = @explanation::jsonb, rule_id = @rule, armed_seq = @seq
                        WHERE id = @id
                        """, new { id = current.Id, due, dueAt = DueInstant(due), explanation, rule = spec.Deadline.RuleId, seq }, tx);
                continue;
            }
            await conn.ExecuteAsync("""
                INSERT INTO workflow_timer (instance_id, name, trigger, due_on, due_at, ordinal, armed_in_state, armed_seq, rule_id, explanation)
                VALUES (@instanceId, @name, @trigger, @due, @dueAt, @ordinal, @state, @seq, @rule, @explanation::jsonb)
                """, new
            {
                instanceId, name = spec.Name, trigger = spec.Trigger, due, dueAt = DueInstant(due),
                ordinal = i, state, seq, rule = spec.Deadline.RuleId, explanation,
            }, tx);
        }
        var stale = pending.Values.Where(p => !wanted.Contains(p.Name)).Select(p => p.Id).ToArray();
        if (stale.Length > 0)
            await conn.ExecuteAsync("DELETE FROM workflow_timer WHERE id = ANY(@stale)", new { stale }, tx);
    }

    async Task WriteEffectAsync(NpgsqlConnection conn, NpgsqlTransaction tx, InstanceRow row, SignalRequest cause, Effect effect, int depth, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        switch (effect)
        {
            case Notify n:
                await conn.ExecuteAsync("""
                    INSERT INTO outbox_message (id, instance_id, created_at, recipient_role, recipient_address, template_id, data, dedupe_key, next_attempt_at)
                    VALUES (@id, @instance, @now, @role, @address, @template, @data::jsonb, @dedupe, @now)
                    ON CONFLICT (dedupe_key) DO NOTHING
                    """, new
                {
                    id = Guid.CreateVersion7(now), instance = row.Id, now, role = n.RecipientRole, address = n.RecipientAddress,
                    template = n.TemplateId, data = n.Data.ToJsonString(), dedupe = n.DedupeKey,
                }, tx);
                break;
            case OpenTask t:
                await conn.ExecuteAsync("""
                    INSERT INTO human_task (id, instance_id, kind, structure_id, assignee_role, title, due_on, escalation_on, opened_at, status)
                    VALUES (@id, @instance, @kind, @structure, @role, @title, @due, @escalation, @now, 'Open')
                    """, new
                {
                    id = Guid.CreateVersion7(now), instance = row.Id, kind = t.Kind, structure = row.StructureId, role = t.AssigneeRole,
                    title = t.Title, due = t.DueOn, escalation = t.EscalationOn, now,
                }, tx);
                break;
            case CloseTasks c:
                await conn.ExecuteAsync("""
                    UPDATE human_task SET status = @status, completed_at = @now, completed_by = @actor, outcome = @outcome, reason = @reason
                    WHERE instance_id = @instance AND kind = @kind AND status = 'Open'
                    """, new
                {
                    status = c.Completed ? "Completed" : "Cancelled", now, actor = cause.Actor, outcome = c.Outcome, reason = cause.Reason,
                    instance = row.Id, kind = c.Kind,
                }, tx);
                break;
            case AuditDecision a:
                await DecisionAuditLog.AppendAsync(conn, tx, row.Id, now, cause.Actor, a.Kind, a.Details);
                break;
            case SignalSubject s:
                var target = await FindRunningAsync(conn, tx, s.DefinitionId, s.SubjectId);
                if (target is null)
                {
                    _log.LogInformation("No running {Definition} for {Subject}: signal {Trigger} from {Instance} dropped", s.DefinitionId, s.SubjectId, s.Trigger, row.Id);
                    break;
                }
                var targetDefinition = definitions.Get(target.DefinitionId, target.DefinitionVersion);
                try
                {
                    await ApplyAsync(conn, tx, target, new SignalRequest(target.Id, s.Trigger, s.Payload, $"instance:{row.Id}",
                        $"signal:{row.Id}:{row.Version}:{s.Trigger}"), depth + 1, ct);
                }
                catch (TriggerNotPermittedException e)
                {
                    // The other workflow has moved on (e.g. its funding already ended): nothing to tell it.
                    _log.LogInformation("Signal {Trigger} to {Target} ({Definition}) not applicable: {Message}", s.Trigger, target.Id, targetDefinition.Id, e.Message);
                }
                break;
            case StartInstance start:
                await StartAsync(conn, tx, new StartRequest(start.DefinitionId, start.SubjectId, start.StructureId, start.Data, cause.Actor, row.Id), depth + 1, ct);
                break;
            case Remark:
                break; // written into the journal row's reason
            default:
                throw new InvalidOperationException($"Unknown effect {effect.GetType().Name}");
        }
    }

    sealed record ArmedTimer
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public DateOnly DueOn { get; init; }
        public bool Fired { get; init; }
    }

    internal static async Task<InstanceRow?> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid id, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<InstanceRow>(new CommandDefinition($"{SelectInstance} WHERE id = @id", new { id }, tx, cancellationToken: ct));

    static Task<InstanceRow?> FindRunningAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string definitionId, Guid subjectId) =>
        conn.QueryFirstOrDefaultAsync<InstanceRow>(
            $"{SelectInstance} WHERE definition_id = @definitionId AND subject_id = @subjectId AND closed_at IS NULL ORDER BY created_at DESC",
            new { definitionId, subjectId }, tx);

    internal const string SelectInstance = """
        SELECT id, definition_id AS DefinitionId, definition_version AS DefinitionVersion, state, data::text AS Data, version,
               state_entered_seq AS StateEnteredSeq, subject_id AS SubjectId, structure_id AS StructureId, parent_id AS ParentId,
               created_at AS CreatedAt, updated_at AS UpdatedAt, closed_at AS ClosedAt
          FROM workflow_instance
        """;

    static async Task<TransitionResult?> FindByKeyAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid instanceId, string key, CancellationToken ct)
    {
        var hit = await conn.QuerySingleOrDefaultAsync<(int Seq, string? From, string To)?>(new CommandDefinition(
            "SELECT seq, from_state, to_state FROM workflow_journal WHERE instance_id = @instanceId AND idempotency_key = @key",
            new { instanceId, key }, tx, cancellationToken: ct));
        return hit is { } h ? new TransitionResult(instanceId, h.Seq, h.From ?? "", h.To, Duplicate: true) : null;
    }
}

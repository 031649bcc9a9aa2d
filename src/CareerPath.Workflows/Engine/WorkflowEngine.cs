using System.Text.Json.Nodes;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Storage;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record StartRequest(string DefinitionId, Guid SubjectId, Guid? StructureId, JsonObject Data, string Actor, Guid? ParentId = null);

/// <param name="ExpectedVersion">The version the sender based its request on (e.g. from an ETag); a newer instance is a conflict.</param>
/// <param name="Fingerprint">What the key was sent with (method, route, body hash): the same key with another fingerprint is refused.</param>
public sealed record SignalRequest(Guid InstanceId, string Trigger, JsonObject? Payload, string Actor, string? IdempotencyKey = null,
    string? Reason = null, int? ExpectedVersion = null, string? Fingerprint = null);

/// <summary>
/// A timer a transition would add, move or drop: <see cref="Before"/> null = new, <see cref="After"/> null = dropped;
/// <see cref="OfNewInstance"/>: a timer of an instance the transition would start (a renewal's new contract).
/// </summary>
public sealed record TimerChange(string Name, string Label, DateOnly? Before, DateOnly? After, Deadline? Deadline, bool OfNewInstance = false);

/// <summary>What a transition would do, computed by the engine as for real and written nowhere.</summary>
public sealed record TransitionPreview(InstanceRow Instance, string ToState, IReadOnlyList<TimerChange> Changes);

/// <summary>What a signal did. <see cref="Duplicate"/>: the idempotency key was seen before, nothing changed.</summary>
public sealed record TransitionResult(Guid InstanceId, int Seq, string FromState, string ToState, bool Duplicate);

/// <summary>One request of a batch (<see cref="WorkflowEngine.SignalManyAsync"/>): what it did, or why it was refused (and then changed nothing).</summary>
public sealed record SignalOutcome(SignalRequest Request, TransitionResult? Result, Exception? Refusal)
{
    public bool Applied => Refusal is null;
}

public sealed record InstanceRow
{
    public Guid Id { get; init; }
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public string State { get; init; } = "";
    public string Data { get; init; } = "{}";
    public int Version { get; init; }
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
    static WorkflowEngine() => DapperTypes.Register();

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

    /// <summary>The first instant of a day in Paris: a cut-off "before that day".</summary>
    public static DateTimeOffset ParisMidnight(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Paris.GetUtcOffset(local)).ToUniversalTime();
    }

    public static DateOnly ParisDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Paris).DateTime);

    public async Task<Guid> StartAsync(StartRequest request, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        using var counted = EngineMetrics.Begin();
        var id = await StartAsync(conn, tx, request, depth: 0, ct);
        await tx.CommitAsync(ct);
        counted.Committed();
        return id;
    }

    /// <summary>Starts an instance inside the caller's transaction, so that it commits with the caller's other writes (an import).</summary>
    public Task<Guid> StartAsync(NpgsqlConnection conn, NpgsqlTransaction tx, StartRequest request, CancellationToken ct = default) =>
        StartAsync(conn, tx, request, depth: 0, ct);

    /// <summary>A transition inside the caller's transaction, so that it commits with the caller's other writes.</summary>
    public async Task<TransitionResult> SignalAsync(NpgsqlConnection conn, NpgsqlTransaction tx, SignalRequest request, CancellationToken ct = default)
    {
        var row = await LoadAsync(conn, tx, request.InstanceId, ct) ?? throw new WorkflowNotFoundException($"L'instance {request.InstanceId}");
        return await ApplyAsync(conn, tx, row, request, depth: 0, ct);
    }

    public async Task<TransitionResult> SignalAsync(SignalRequest request, CancellationToken ct = default)
    {
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            using var counted = EngineMetrics.Begin();
            var row = await LoadAsync(conn, tx, request.InstanceId, ct)
                ?? throw new WorkflowNotFoundException($"L'instance {request.InstanceId}");
            var result = await ApplyAsync(conn, tx, row, request, depth: 0, ct);
            await tx.CommitAsync(ct);
            counted.Committed();
            return result;
        }
        catch (Exception e) when (request.IdempotencyKey is not null && IsRace(e))
        {
            // The same key may have won the race from another request: then this one is its duplicate.
            await using var conn = await db.OpenConnectionAsync(ct);
            var seen = await FindByKeyAsync(conn, null, request.InstanceId, request.IdempotencyKey, ct, request.Fingerprint);
            if (seen is not null) return seen;
            throw;
        }
    }

    /// <summary>
    /// Signals to distinct instances, as one batch: one transaction, the instances read in one query, each kind of row
    /// written in one statement for all of them (<see cref="TransitionWrites"/>), the audit chain and the signals to
    /// other instances wave by wave (<see cref="ApplyReadingEffectsAsync"/>). What <see cref="SignalAsync(SignalRequest, CancellationToken)"/>
    /// would refuse (a trigger the state does not permit, a bad input, an instance that does not exist, an instance at
    /// another version than the request expected) is refused here too, request by request, and changes nothing; the others go on. If the batch as a whole cannot be written (an
    /// instance moved meanwhile, a signalled instance starts another), it is undone and each request runs on its own.
    /// Idempotency keys are not taken: a keyed request goes through <see cref="SignalAsync(SignalRequest, CancellationToken)"/>.
    /// </summary>
    public async Task<IReadOnlyList<SignalOutcome>> SignalManyAsync(IReadOnlyList<SignalRequest> requests, CancellationToken ct = default)
    {
        if (requests.Select(r => r.InstanceId).Distinct().Count() != requests.Count)
            throw new ArgumentException("SignalManyAsync: one request per instance; a second one must read the first one's result.", nameof(requests));
        if (requests.Any(r => r.IdempotencyKey is not null))
            throw new ArgumentException("SignalManyAsync: keyed requests go through SignalAsync.", nameof(requests));
        if (requests.Count == 0) return [];
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            using var counted = EngineMetrics.Begin();
            var rows = (await conn.QueryAsync<InstanceRow>(new CommandDefinition($"{SelectInstance} WHERE id = ANY(@ids)",
                new { ids = requests.Select(r => r.InstanceId).ToArray() }, tx, cancellationToken: ct))).ToDictionary(r => r.Id);
            var outcomes = new SignalOutcome[requests.Count];
            var items = new List<(int Index, InstanceRow Row, SignalRequest Request)>();
            for (var i = 0; i < requests.Count; i++)
            {
                if (rows.TryGetValue(requests[i].InstanceId, out var row)) items.Add((i, row, requests[i]));
                else outcomes[i] = new SignalOutcome(requests[i], null, new WorkflowNotFoundException($"L'instance {requests[i].InstanceId}"));
            }
            var applied = await ApplyManyAsync(conn, tx, items.Select(x => (x.Row, x.Request)).ToList(), firedByTimer: false, ct);
            for (var k = 0; k < items.Count; k++) outcomes[items[k].Index] = new SignalOutcome(items[k].Request, applied[k].Result, applied[k].Refusal);
            await tx.CommitAsync(ct);
            counted.Committed();
            return outcomes;
        }
        catch (Exception e) when (e is WorkflowConflictException or NotBatchableException)
        {
            _log.LogInformation("A batch of {Count} signals could not be written at once ({Message}); each runs on its own", requests.Count, e.Message);
            var outcomes = new List<SignalOutcome>();
            foreach (var request in requests)
            {
                try { outcomes.Add(new SignalOutcome(request, await SignalAsync(request, ct), null)); }
                catch (Exception refusal) when (IsRefusal(refusal) || refusal is WorkflowConflictException) { outcomes.Add(new SignalOutcome(request, null, refusal)); }
            }
            return outcomes;
        }
    }

    /// <summary>
    /// Starts instances as one batch: the rows inserted in one statement, their first transitions written as
    /// <see cref="SignalManyAsync"/> writes its signals. All of them or none: a start that fails fails the batch.
    /// </summary>
    /// <returns>The new instances' ids, in the order of <paramref name="requests"/>.</returns>
    public async Task<IReadOnlyList<Guid>> StartManyAsync(IReadOnlyList<StartRequest> requests, CancellationToken ct = default)
    {
        if (requests.Count == 0) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        using var counted = EngineMetrics.Begin();
        var now = time.GetUtcNow();
        var rows = requests.Select(r =>
        {
            var definition = definitions.Latest(r.DefinitionId);
            return new InstanceRow
            {
                Id = Guid.CreateVersion7(now), DefinitionId = definition.Id, DefinitionVersion = definition.Version, State = definition.CreatedState,
                Data = r.Data.ToJsonString(), Version = 0, SubjectId = r.SubjectId, StructureId = r.StructureId, ParentId = r.ParentId,
                CreatedAt = now, UpdatedAt = now,
            };
        }).ToList();
        await using (var insert = new NpgsqlBatch(conn, tx))
        {
            Sql.Add(insert, """
                INSERT INTO workflow_instance (id, definition_id, definition_version, state, data, version, subject_id, structure_id, parent_id, created_at, updated_at)
                SELECT u.id, u.definition_id, u.definition_version, u.state, u.data::jsonb, 0, u.subject_id, u.structure_id, u.parent_id, $10, $10
                  FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[], $9::int[])
                       AS u(id, definition_id, definition_version, state, data, subject_id, structure_id, parent_id, n)
                 ORDER BY u.n
                """, rows.Select(r => r.Id).ToArray(), rows.Select(r => r.DefinitionId).ToArray(), rows.Select(r => r.DefinitionVersion).ToArray(),
                rows.Select(r => r.State).ToArray(), rows.Select(r => r.Data).ToArray(), rows.Select(r => r.SubjectId).ToArray(),
                rows.Select(r => r.StructureId).ToArray(), rows.Select(r => r.ParentId).ToArray(), Enumerable.Range(0, rows.Count).ToArray(), now);
            await insert.ExecuteNonQueryAsync(ct);
        }
        var applied = await ApplyManyAsync(conn, tx,
            rows.Select((row, i) => (row, new SignalRequest(row.Id, definitions.Latest(row.DefinitionId).StartTrigger, null, requests[i].Actor, "start"))).ToList(),
            firedByTimer: false, ct);
        if (applied.FirstOrDefault(a => a.Refusal is not null).Refusal is { } refused) throw refused;
        await tx.CommitAsync(ct);
        counted.Committed();
        return rows.Select(r => r.Id).ToList();
    }

    /// <summary>What a signal would be refused for, the same one by one or in a batch: it changes nothing.</summary>
    static bool IsRefusal(Exception e) => e is TriggerNotPermittedException or WorkflowInputException or WorkflowNotFoundException;

    /// <summary>Transitions per round trip in a batch (<see cref="ChunkedWrites"/>): the next chunk is computed while PostgreSQL writes this one.</summary>
    internal const int ChunkSize = 100;

    /// <summary>
    /// Transitions of distinct instances, read by the caller in this transaction, prepared and written as one batch (in
    /// chunks, <see cref="ChunkedWrites"/>); a refused one is returned with its refusal and writes nothing. One that starts another instance is written one by one
    /// after the others (<see cref="ApplyAsync"/>).
    /// </summary>
    async Task<(TransitionResult? Result, Exception? Refusal)[]> ApplyManyAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        IReadOnlyList<(InstanceRow Row, SignalRequest Request)> items, bool firedByTimer, CancellationToken ct)
    {
        var results = new (TransitionResult? Result, Exception? Refusal)[items.Count];
        var records = await ReadRecordsAsync(conn, tx, items.Select(x => x.Row).ToList(), ct);
        var chunks = new ChunkedWrites(conn, tx, ChunkSize);
        var starting = new List<int>();
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                var (row, request) = items[i];
                PreparedTransition transition;
                try
                {
                    transition = Prepare(row, request, depth: 0, firingTimerId: null, records.GetValueOrDefault(row.Id));
                }
                catch (Exception e) when (IsRefusal(e) || e is WorkflowConflictException)
                {
                    results[i] = (null, e);
                    continue;
                }
                if (transition.StartsInstances)
                {
                    starting.Add(i);
                    continue;
                }
                await chunks.AddAsync(transition, ct);
                results[i] = (new TransitionResult(row.Id, transition.Applied.Version, row.State, transition.Outcome.ToState, Duplicate: false), null);
            }
            await chunks.CompleteAsync(ct);
        }
        finally
        {
            await chunks.DrainAsync();
        }
        EngineMetrics.Transitions(chunks.All.Select(t => t.Row.DefinitionId), firedByTimer);
        await ApplyReadingEffectsAsync(conn, tx, chunks.All, ct);
        foreach (var i in starting)
            results[i] = (await ApplyAsync(conn, tx, items[i].Row, items[i].Request, 0, ct), null);
        return results;
    }

    /// <summary>
    /// Runs a transition as <see cref="SignalAsync(SignalRequest, CancellationToken)"/> would — same records read,
    /// same definition, same checks (a refused trigger or a bad input throws the same exception) — and
    /// writes nothing: the timers it would leave, against those armed now. A person sees every deadline
    /// that would move before committing to an amendment or a renewal.
    /// </summary>
    public async Task<TransitionPreview> PreviewAsync(SignalRequest request, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await LoadAsync(conn, null, request.InstanceId, ct) ?? throw new WorkflowNotFoundException($"L'instance {request.InstanceId}");
        var records = await ReadRecordsAsync(conn, null, [row], ct);
        var prepared = Prepare(row, request, depth: 0, firingTimerId: null, records.GetValueOrDefault(row.Id));
        var armed = (await conn.QueryAsync<(string Name, DateOnly DueOn, string Explanation)>(new CommandDefinition(
            "SELECT name, due_on, explanation::text FROM workflow_timer WHERE instance_id = @id AND fired_at IS NULL", new { id = row.Id },
            cancellationToken: ct))).ToDictionary(t => t.Name);
        var fired = (await conn.QueryAsync<(string Name, DateOnly DueOn)>(new CommandDefinition(
            "SELECT name, due_on FROM workflow_timer WHERE instance_id = @id AND fired_at IS NOT NULL", new { id = row.Id },
            cancellationToken: ct))).ToHashSet();
        var changes = new List<TimerChange>();
        var wanted = prepared.Outcome.Timers.DistinctBy(t => t.Name).ToList();
        foreach (var spec in wanted)
        {
            // An occurrence that already fired is never armed again (TransitionWrites.Rearm): not a change.
            if (fired.Contains((spec.Name, spec.Deadline.Date))) continue;
            var before = armed.TryGetValue(spec.Name, out var now) ? now.DueOn : (DateOnly?)null;
            if (before != spec.Deadline.Date) changes.Add(new TimerChange(spec.Name, spec.Deadline.Label, before, spec.Deadline.Date, spec.Deadline));
        }
        foreach (var (name, timer) in armed)
            if (wanted.All(w => w.Name != name))
                changes.Add(new TimerChange(name, DeadlineJson.Read(timer.Explanation).Label, timer.DueOn, null, null));
        // An instance the transition starts (a renewal's new contract): its first transition, run the same way, in memory too.
        foreach (var start in prepared.Outcome.Effects.OfType<StartInstance>())
        {
            var definition = definitions.Latest(start.DefinitionId);
            var child = new InstanceRow
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()), DefinitionId = definition.Id, DefinitionVersion = definition.Version,
                State = definition.CreatedState, Data = start.Data.ToJsonString(), SubjectId = start.SubjectId, StructureId = start.StructureId, ParentId = row.Id,
            };
            var childRecords = await ReadRecordsAsync(conn, null, [child], ct);
            var started = Prepare(child, new SignalRequest(child.Id, definition.StartTrigger, null, request.Actor, "start"), depth: 1, firingTimerId: null,
                childRecords.GetValueOrDefault(child.Id));
            changes.AddRange(started.Outcome.Timers.DistinctBy(t => t.Name)
                .Select(t => new TimerChange(t.Name, t.Deadline.Label, null, t.Deadline.Date, t.Deadline, OfNewInstance: true)));
        }
        return new TransitionPreview(row, prepared.Outcome.ToState, changes.OrderBy(c => c.After ?? c.Before).ToList());
    }

    /// <summary>"hr:someone@example.fr" → "hr": the part of an actor that names a role, not a person.</summary>
    public static string ActorRole(string actor) => actor.Split(':', 2)[0];

    static bool IsRace(Exception e) =>
        e is WorkflowConflictException || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>Closes a human task and fires the trigger it stands for, in one transaction.</summary>
    /// <param name="expectedVersion">The instance version the person saw (a form's); a newer instance is a conflict and nothing is closed.</param>
    public async Task<TransitionResult> CompleteTaskAsync(Guid taskId, string trigger, JsonObject? payload, string actor, string outcome, string? reason,
        CancellationToken ct = default, int? expectedVersion = null)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var task = await conn.QuerySingleOrDefaultAsync<(Guid InstanceId, string Status)>(
            "SELECT instance_id, status FROM human_task WHERE id = @taskId FOR UPDATE", new { taskId }, tx);
        if (task.InstanceId == Guid.Empty) throw new WorkflowNotFoundException($"La tâche {taskId}");
        if (task.Status != "Open") throw new WorkflowInputException($"La tâche {taskId} est déjà close.");
        var row = await LoadAsync(conn, tx, task.InstanceId, ct) ?? throw new WorkflowNotFoundException($"L'instance {task.InstanceId}");
        // The person's own words close the task first; the transition's effects then find it closed.
        await conn.ExecuteAsync("""
            UPDATE human_task SET status = 'Completed', completed_at = @now, completed_by = @actor, outcome = @outcome, reason = @reason
            WHERE id = @taskId AND status = 'Open'
            """, new { taskId, now = time.GetUtcNow(), actor, outcome, reason }, tx);
        using var counted = EngineMetrics.Begin();
        var result = await ApplyAsync(conn, tx, row, new SignalRequest(task.InstanceId, trigger, payload, actor, $"task:{taskId}", reason, expectedVersion), 0, ct);
        await tx.CommitAsync(ct);
        counted.Committed();
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
            INSERT INTO workflow_instance (id, definition_id, definition_version, state, data, version,
                                           subject_id, structure_id, parent_id, created_at, updated_at)
            VALUES (@id, @def, @ver, @state, @data::jsonb, 0, @subject, @structure, @parent, @now, @now)
            """, new
        {
            id, def = definition.Id, ver = definition.Version, state = definition.CreatedState, data = request.Data.ToJsonString(),
            subject = request.SubjectId, structure = request.StructureId, parent = request.ParentId, now,
        }, tx);
        var row = (await LoadAsync(conn, tx, id, ct))!;
        await ApplyAsync(conn, tx, row, new SignalRequest(id, definition.StartTrigger, null, request.Actor, "start"), depth, ct);
        return id;
    }

    /// <summary>How the sweeper folds its own bookkeeping into a transition's single round trip.</summary>
    internal sealed record TimerFiring(long TimerId, string Savepoint);

    /// <summary>A transition computed in memory, its writes ready to add to any batch (<see cref="TransitionWrites"/>).</summary>
    internal sealed record PreparedTransition(
        InstanceRow Row, SignalRequest Request, TransitionOutcome Outcome, InstanceRow Applied, bool Final, string? Reason,
        DateTimeOffset Now, long? FiringTimerId, int Depth)
    {
        /// <summary>Effects that must read before they write: the audit chain, other instances (<see cref="ApplyReadingEffectsAsync"/>).</summary>
        public bool HasReadingEffects => Outcome.Effects.Any(e => e is AuditDecision or SignalSubject or StartInstance);

        /// <summary>A start of another instance: its own first transition and timers, written one by one (<see cref="ApplyAsync"/>).</summary>
        public bool StartsInstances => Outcome.Effects.Any(e => e is StartInstance);

        public void AddTo(TransitionWrites writes) =>
            writes.Add(Row.Id, Row.StructureId, Row.State, Row.Version, Outcome, Final, Request, Reason, Now, FiringTimerId);
    }

    /// <summary>
    /// Runs the definition and computes every write of the transition, without touching the database.
    /// Throws what the definition throws (trigger not permitted, invalid input).
    /// </summary>
    internal PreparedTransition Prepare(InstanceRow row, SignalRequest request, int depth, long? firingTimerId, object? records)
    {
        if (request.ExpectedVersion is { } expected && expected != row.Version)
            throw new WorkflowConflictException(row.Id, expected);
        if (depth > MaxSignalDepth)
            throw new InvalidOperationException($"Signals between instances nest deeper than {MaxSignalDepth}: a definition loops.");

        var definition = definitions.Get(row.DefinitionId, row.DefinitionVersion);
        var now = time.GetUtcNow();
        var outcome = definition.Fire(new FireRequest(row.Id, row.StructureId, row.State, row.Data, request.Trigger,
            request.Payload, request.Actor, request.Reason, now, ParisDate(now), records));

        var remarks = outcome.Effects.OfType<Remark>().Select(r => r.Text);
        var reason = string.Join(" ", remarks.Prepend(request.Reason).Where(text => !string.IsNullOrWhiteSpace(text)));
        var applied = row with { State = outcome.ToState, Data = outcome.Data, Version = row.Version + 1 };
        return new PreparedTransition(row, request, outcome, applied, definition.IsFinal(outcome.ToState), reason.Length == 0 ? null : reason,
            now, firingTimerId, depth);
    }

    internal async Task<TransitionResult> ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, InstanceRow row, SignalRequest request, int depth,
        CancellationToken ct, TimerFiring? firing = null)
    {
        // A timer is fired once by its own row's fired_at; only signals need the journal lookup.
        if (firing is null && request.IdempotencyKey is not null && await FindByKeyAsync(conn, tx, row.Id, request.IdempotencyKey, ct, request.Fingerprint) is { } seen)
            return seen;
        using var counted = EngineMetrics.Transition(row.DefinitionId, firedByTimer: firing is not null);
        var records = await ReadRecordsAsync(conn, tx, [row], ct);
        var prepared = Prepare(row, request, depth, firing?.TimerId, records.GetValueOrDefault(row.Id));

        // Everything the transition writes, but for the effects that must read first, goes in one round trip.
        // The sweeper's savepoint ends with that batch, unless such effects (which may fail) come after it.
        var writes = new TransitionWrites();
        prepared.AddTo(writes);
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var command in writes.Commands()) batch.BatchCommands.Add(command);
        if (firing is not null && !prepared.HasReadingEffects)
            Sql.Add(batch, $"RELEASE SAVEPOINT {firing.Savepoint}");
        await ExecuteAsync(batch, writes, [prepared], ct);

        if (prepared.HasReadingEffects)
        {
            foreach (var effect in prepared.Outcome.Effects)
                await WriteReadingEffectAsync(conn, tx, prepared.Applied, request, effect, depth, ct);
            if (firing is not null) await tx.ReleaseAsync(firing.Savepoint, ct);
        }
        counted.Done();
        return new TransitionResult(row.Id, prepared.Applied.Version, row.State, prepared.Outcome.ToState, Duplicate: false);
    }

    /// <summary>What the rows' definitions read from the records for them: one query per definition, whatever the number of rows.</summary>
    internal async Task<IReadOnlyDictionary<Guid, object>> ReadRecordsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<InstanceRow> rows, CancellationToken ct)
    {
        var all = new Dictionary<Guid, object>();
        foreach (var group in rows.GroupBy(r => (r.DefinitionId, r.DefinitionVersion)))
            foreach (var (id, value) in await definitions.Get(group.Key.DefinitionId, group.Key.DefinitionVersion).ReadRecordsAsync(conn, tx, group.ToList(), ct))
                all[id] = value;
        return all;
    }

    /// <summary>
    /// Sends prepared transitions (one, or a sweeper's whole batch: <paramref name="batch"/> holds the statements of <paramref name="writes"/>)
    /// and checks that each changed its instance from the version it read.
    /// </summary>
    internal static async Task ExecuteAsync(NpgsqlBatch batch, TransitionWrites writes, IReadOnlyList<PreparedTransition> transitions, CancellationToken ct)
    {
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "workflow_journal_pkey" })
        {
            // A concurrent transition took a sequence number first.
            var lost = transitions[0].Row;
            throw new WorkflowConflictException(lost.Id, lost.Version);
        }
        if (writes.InstanceUpdate is { } update && update.RecordsAffected != writes.Transitions)
        {
            // An instance moved on since it was read: the caller undoes the whole batch.
            var lost = transitions[0].Row;
            throw new WorkflowConflictException(lost.Id, lost.Version);
        }
    }

    /// <summary>
    /// The effects that read before they write, for transitions whose other writes this transaction has sent, set-based
    /// and wave by wave. A wave appends its transitions' decisions to the audit chain in one step and applies their
    /// signals to other instances, at most one per instance: a second signal to the same instance waits for the next
    /// wave, so that it reads the first one's result, as it would one by one. The next wave does the same for what
    /// those signals did. A wave is four round trips at most, whatever its size. A signal the other instance refuses is
    /// dropped and logged, as one by one. A start of another instance is not batched: <see cref="NotBatchableException"/>,
    /// and the caller redoes its work one transition at a time.
    /// </summary>
    /// <returns>The transitions the signals made, for the caller's count.</returns>
    internal async Task<IReadOnlyList<PreparedTransition>> ApplyReadingEffectsAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        IEnumerable<PreparedTransition> written, CancellationToken ct)
    {
        var made = new List<PreparedTransition>();
        var wave = written.Where(t => t.HasReadingEffects).ToList();
        var waiting = new List<(PreparedTransition From, SignalSubject Signal)>();
        while (wave.Count > 0 || waiting.Count > 0)
        {
            var decisions = new List<DecisionAuditLog.Decision>();
            foreach (var t in wave)
                foreach (var effect in t.Outcome.Effects)
                    switch (effect)
                    {
                        case AuditDecision a:
                            // The chain is for union auditors too: it records the actor's role, never who (the journal does).
                            decisions.Add(new(t.Applied.Id, t.Now, ActorRole(t.Request.Actor), a.Kind, a.Details));
                            break;
                        case SignalSubject signal:
                            if (t.Depth + 1 > MaxSignalDepth)
                                throw new InvalidOperationException($"Signals between instances nest deeper than {MaxSignalDepth}: a definition loops.");
                            waiting.Add((t, signal));
                            break;
                        case StartInstance:
                            throw new NotBatchableException($"{t.Row.DefinitionId} {t.Row.Id} starts another instance");
                    }
            if (decisions.Count > 0) await DecisionAuditLog.AppendAsync(conn, tx, decisions, ct);
            if (waiting.Count == 0) break;

            var targets = await FindTargetsAsync(conn, tx, waiting, ct);
            var next = new List<(InstanceRow Row, SignalRequest Request, int Depth)>();
            var later = new List<(PreparedTransition From, SignalSubject Signal)>();
            var taken = new HashSet<Guid>();
            for (var i = 0; i < waiting.Count; i++)
            {
                var (from, s) = waiting[i];
                if (!targets.TryGetValue(i, out var target))
                {
                    _log.LogInformation("No running {Definition} for {Subject}: signal {Trigger} from {Instance} dropped", s.DefinitionId, s.SubjectId, s.Trigger, from.Row.Id);
                    continue;
                }
                if (target.Seen) continue; // this very signal was applied before: its key is in the target's journal
                if (!taken.Add(target.Row.Id))
                {
                    later.Add(waiting[i]);
                    continue;
                }
                next.Add((target.Row, new SignalRequest(target.Row.Id, s.Trigger, s.Payload, $"instance:{from.Applied.Id}",
                    SignalKey(from.Applied, s)), from.Depth + 1));
            }
            waiting = later;

            var records = await ReadRecordsAsync(conn, tx, next.Select(n => n.Row).ToList(), ct);
            var writes = new TransitionWrites();
            wave = [];
            foreach (var (row, request, depth) in next)
            {
                try
                {
                    var transition = Prepare(row, request, depth, firingTimerId: null, records.GetValueOrDefault(row.Id));
                    transition.AddTo(writes);
                    wave.Add(transition);
                }
                catch (TriggerNotPermittedException e)
                {
                    // The other workflow has moved on (e.g. its funding already ended): nothing to tell it.
                    _log.LogInformation("Signal {Trigger} to {Target} ({Definition}) not applicable: {Message}", request.Trigger, row.Id, row.DefinitionId, e.Message);
                }
            }
            if (writes.IsEmpty) continue;
            await using var batch = new NpgsqlBatch(conn, tx);
            foreach (var command in writes.Commands()) batch.BatchCommands.Add(command);
            await ExecuteAsync(batch, writes, wave, ct);
            EngineMetrics.Transitions(wave.Select(t => t.Row.DefinitionId), firedByTimer: false);
            made.AddRange(wave);
        }
        return made;
    }

    /// <summary>A signal between instances is keyed by the transition that sent it: applied once, whatever the retries.</summary>
    static string SignalKey(InstanceRow from, SignalSubject s) => $"signal:{from.Id}:{from.Version}:{s.Trigger}";

    sealed record SignalTarget(InstanceRow Row, bool Seen);

    sealed class TargetFlags
    {
        public long N { get; init; }
        public bool Seen { get; init; }
    }

    /// <summary>Each waiting signal's target (the running instance of its definition for its subject), by position; one query.</summary>
    static async Task<Dictionary<int, SignalTarget>> FindTargetsAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        List<(PreparedTransition From, SignalSubject Signal)> waiting, CancellationToken ct)
    {
        var found = await conn.QueryAsync<InstanceRow, TargetFlags, (InstanceRow Row, TargetFlags Flags)>(new CommandDefinition($"""
            SELECT i.*, u.n - 1 AS n,
                   EXISTS (SELECT 1 FROM workflow_journal j WHERE j.instance_id = i.id AND j.idempotency_key = u.key) AS seen
              FROM unnest(@definitions, @subjects, @keys) WITH ORDINALITY AS u(definition_id, subject_id, key, n)
              CROSS JOIN LATERAL ({SelectInstance}
                                   WHERE definition_id = u.definition_id AND subject_id = u.subject_id AND closed_at IS NULL
                                   ORDER BY created_at DESC LIMIT 1) i
            """, new
        {
            definitions = waiting.Select(w => w.Signal.DefinitionId).ToArray(),
            subjects = waiting.Select(w => w.Signal.SubjectId).ToArray(),
            keys = waiting.Select(w => SignalKey(w.From.Applied, w.Signal)).ToArray(),
        }, tx, cancellationToken: ct), (row, flags) => (row, flags), splitOn: "n");
        return found.ToDictionary(f => (int)f.Flags.N, f => new SignalTarget(f.Row, f.Flags.Seen));
    }

    /// <summary>The effects that must read before they write: the audit chain, signals to and starts of other instances.</summary>
    async Task WriteReadingEffectAsync(NpgsqlConnection conn, NpgsqlTransaction tx, InstanceRow row, SignalRequest cause, Effect effect, int depth, CancellationToken ct)
    {
        switch (effect)
        {
            case AuditDecision a:
                // The chain is for union auditors too: it records the actor's role, never who (the journal does).
                await DecisionAuditLog.AppendAsync(conn, tx, row.Id, time.GetUtcNow(), ActorRole(cause.Actor), a.Kind, a.Details);
                break;
            case SignalSubject s:
                var target = await FindRunningAsync(conn, tx, s.DefinitionId, s.SubjectId);
                if (target is null)
                {
                    _log.LogInformation("No running {Definition} for {Subject}: signal {Trigger} from {Instance} dropped", s.DefinitionId, s.SubjectId, s.Trigger, row.Id);
                    break;
                }
                try
                {
                    await ApplyAsync(conn, tx, target, new SignalRequest(target.Id, s.Trigger, s.Payload, $"instance:{row.Id}",
                        SignalKey(row, s)), depth + 1, ct);
                }
                catch (TriggerNotPermittedException e)
                {
                    // The other workflow has moved on (e.g. its funding already ended): nothing to tell it.
                    _log.LogInformation("Signal {Trigger} to {Target} ({Definition}) not applicable: {Message}", s.Trigger, target.Id, target.DefinitionId, e.Message);
                }
                break;
            case StartInstance start:
                await StartAsync(conn, tx, new StartRequest(start.DefinitionId, start.SubjectId, start.StructureId, start.Data, cause.Actor, row.Id), depth + 1, ct);
                break;
            case Notify or OpenTask or CloseTasks or Remark or RecordWrite:
                break; // written in the transition's batch, or into the journal row's reason
            default:
                throw new InvalidOperationException($"Unknown effect {effect.GetType().Name}");
        }
    }

    internal static async Task<InstanceRow?> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid id, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<InstanceRow>(new CommandDefinition($"{SelectInstance} WHERE id = @id", new { id }, tx, cancellationToken: ct));

    static Task<InstanceRow?> FindRunningAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string definitionId, Guid subjectId) =>
        conn.QueryFirstOrDefaultAsync<InstanceRow>(
            $"{SelectInstance} WHERE definition_id = @definitionId AND subject_id = @subjectId AND closed_at IS NULL ORDER BY created_at DESC",
            new { definitionId, subjectId }, tx);

    internal const string SelectInstance = """
        SELECT id, definition_id AS DefinitionId, definition_version AS DefinitionVersion, state, data::text AS Data, version,
               subject_id AS SubjectId, structure_id AS StructureId, parent_id AS ParentId,
               created_at AS CreatedAt, updated_at AS UpdatedAt, closed_at AS ClosedAt
          FROM workflow_instance
        """;

    /// <summary>The transition a key already made; a key first sent with another request (fingerprints both known and different) is refused.</summary>
    static async Task<TransitionResult?> FindByKeyAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid instanceId, string key, CancellationToken ct,
        string? fingerprint = null)
    {
        var hit = await conn.QuerySingleOrDefaultAsync<(int Seq, string? From, string To, string? Fingerprint)?>(new CommandDefinition(
            "SELECT seq, from_state, to_state, request_fingerprint FROM workflow_journal WHERE instance_id = @instanceId AND idempotency_key = @key",
            new { instanceId, key }, tx, cancellationToken: ct));
        if (hit is { Fingerprint: { } first } && fingerprint is not null && first != fingerprint) throw new IdempotencyKeyReusedException(key);
        return hit is { } h ? new TransitionResult(instanceId, h.Seq, h.From ?? "", h.To, Duplicate: true) : null;
    }
}

using CareerPath.Workflows.Storage;
using Npgsql;

namespace CareerPath.Workflows.Engine;

/// <summary>
/// The rows that transitions write, gathered by kind: each kind goes to PostgreSQL as one statement over
/// arrays (<c>unnest</c>), whatever the number of transitions. A sweeper batch of 500 transitions is then
/// about ten statements instead of thousands, and PostgreSQL parses and plans each of them once.
/// One transition (a signal) goes through the same path, with arrays of one.
/// </summary>
/// <remarks>
/// The statements keep the order one transition's own statements had (instance, journal, timers, tasks,
/// outbox, records), and within a kind the order the transitions were added in. Two effects of one
/// transition on the same rows keep their meaning: a task opened then closed by the same transition is
/// inserted closed; of two closings of the same tasks, the first wins; of two messages with the same
/// dedupe key, the first; of two writes of the same record, the last.
/// </remarks>
internal sealed class TransitionWrites
{
    // workflow_instance
    readonly List<Guid> _instanceIds = [];
    readonly List<string> _states = [];
    readonly List<string> _data = [];
    readonly List<int> _versions = [];
    readonly List<int> _fromVersions = [];
    readonly List<bool> _final = [];
    readonly List<DateTimeOffset> _at = [];

    // workflow_journal
    readonly List<string> _actors = [];
    readonly List<string> _triggers = [];
    readonly List<string> _fromStates = [];
    readonly List<string?> _reasons = [];
    readonly List<string?> _payloads = [];
    readonly List<string?> _keys = [];
    readonly List<string?> _fingerprints = [];

    // workflow_timer: marks (fired, ignored, failed), then the timers each instance's state asks for
    readonly List<long> _markedTimers = [];
    readonly List<string> _markOutcomes = [];
    readonly List<DateTimeOffset> _markedAt = [];
    readonly List<Guid> _rearmInstances = [];
    readonly List<Guid> _specInstances = [];
    readonly List<TimerSpec> _specs = [];
    readonly List<string> _specStates = [];
    readonly List<int> _specSeqs = [];

    readonly List<TaskClosing> _closings = [];
    readonly List<TaskOpening> _openings = [];
    readonly List<Message> _messages = [];
    readonly HashSet<string> _messageKeys = [];
    readonly Dictionary<string, RecordWrite> _records = [];
    readonly HashSet<Guid> _moved = [];

    sealed record TaskClosing(Guid InstanceId, string Kind, string Status, DateTimeOffset At, string Actor, string? Outcome, string? Reason);

    sealed class TaskOpening(Guid id, Guid instanceId, Guid? structureId, OpenTask task, DateTimeOffset at)
    {
        public Guid Id { get; } = id;
        public Guid InstanceId { get; } = instanceId;
        public Guid? StructureId { get; } = structureId;
        public OpenTask Task { get; } = task;
        public DateTimeOffset At { get; } = at;
        /// <summary>Set when the same transition closes the task after opening it.</summary>
        public TaskClosing? ClosedBy { get; set; }
    }

    sealed record Message(Guid Id, Guid InstanceId, DateTimeOffset At, Notify Notify);

    public int Transitions => _instanceIds.Count;

    public bool IsEmpty => _instanceIds.Count == 0 && _markedTimers.Count == 0 && _rearmInstances.Count == 0;

    /// <summary>A transition's writes: the instance moved on from the version it was read at, its journal row, its timers, and its simple effects.</summary>
    public void Add(Guid instanceId, Guid? structureId, string fromState, int fromVersion, TransitionOutcome outcome, bool final,
        SignalRequest request, string? reason, DateTimeOffset at, long? firingTimerId)
    {
        if (!_moved.Add(instanceId))
            throw new InvalidOperationException($"Instance {instanceId} moves twice in one batch: its second transition must read the first's result.");
        var seq = fromVersion + 1;
        _instanceIds.Add(instanceId);
        _states.Add(outcome.ToState);
        _data.Add(outcome.Data);
        _versions.Add(seq);
        _fromVersions.Add(fromVersion);
        _final.Add(final);
        _at.Add(at);

        _actors.Add(request.Actor);
        _triggers.Add(request.Trigger);
        _fromStates.Add(fromState);
        _reasons.Add(reason);
        _payloads.Add(request.Payload?.ToJsonString());
        _keys.Add(request.IdempotencyKey);
        _fingerprints.Add(request.IdempotencyKey is null ? null : request.Fingerprint);

        if (firingTimerId is { } timerId) MarkTimer(timerId, "Fired", at);
        Rearm(instanceId, outcome.Timers, outcome.ToState, seq);

        var opened = new List<TaskOpening>();
        foreach (var effect in outcome.Effects)
        {
            switch (effect)
            {
                case Notify n:
                    if (_messageKeys.Add(n.DedupeKey)) _messages.Add(new Message(Guid.CreateVersion7(at), instanceId, at, n));
                    break;
                case OpenTask t:
                    var opening = new TaskOpening(Guid.CreateVersion7(at), instanceId, structureId, t, at);
                    opened.Add(opening);
                    _openings.Add(opening);
                    break;
                case CloseTasks c:
                    var closing = new TaskClosing(instanceId, c.Kind, c.Completed ? "Completed" : "Cancelled", at, request.Actor, c.Outcome, request.Reason);
                    // A task this very transition opened is closed as it is inserted; the statement closes those opened before.
                    foreach (var o in opened.Where(o => o.Task.Kind == c.Kind && o.ClosedBy is null)) o.ClosedBy = closing;
                    if (!_closings.Any(x => x.InstanceId == instanceId && x.Kind == c.Kind)) _closings.Add(closing);
                    break;
                case RecordWrite r:
                    _records[r.Key] = r;
                    break;
            }
        }
    }

    /// <summary>A timer that fired, or that the sweeper set aside (Ignored, Failed).</summary>
    public void MarkTimer(long timerId, string outcome, DateTimeOffset at)
    {
        _markedTimers.Add(timerId);
        _markOutcomes.Add(outcome);
        _markedAt.Add(at);
    }

    /// <summary>
    /// Makes the instance's unfired timers those its state asks for, given its current data: a changed
    /// contract end moves every dependent timer. A timer occurrence is its name and due day: one that
    /// fired is never armed again, while a deadline that moved is a new occurrence and fires anew.
    /// </summary>
    public void Rearm(Guid instanceId, IReadOnlyList<TimerSpec> specs, string state, int seq)
    {
        _rearmInstances.Add(instanceId);
        foreach (var spec in specs.DistinctBy(s => s.Name))
        {
            _specInstances.Add(instanceId);
            _specs.Add(spec);
            _specStates.Add(state);
            _specSeqs.Add(seq);
        }
    }

    /// <summary>The statements, in order. <see cref="InstanceUpdate"/> is set to the one whose row count says whether every instance was still at the version read.</summary>
    public IEnumerable<NpgsqlBatchCommand> Commands()
    {
        InstanceUpdate = null;
        if (_instanceIds.Count > 0)
        {
            yield return InstanceUpdate = Sql.Command("""
                UPDATE workflow_instance i
                   SET state = u.state, data = u.data::jsonb, version = u.version, updated_at = u.at,
                       closed_at = CASE WHEN u.final THEN COALESCE(i.closed_at, u.at) ELSE NULL END
                  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bool[], $7::timestamptz[])
                       AS u(id, state, data, version, from_version, final, at)
                 WHERE i.id = u.id AND i.version = u.from_version
                """, _instanceIds.ToArray(), _states.ToArray(), _data.ToArray(), _versions.ToArray(), _fromVersions.ToArray(), _final.ToArray(), _at.ToArray());
            yield return Sql.Command("""
                INSERT INTO workflow_journal (instance_id, seq, at, actor, trigger, from_state, to_state, reason, payload, idempotency_key, request_fingerprint)
                SELECT u.instance_id, u.seq, u.at, u.actor, u.trigger, u.from_state, u.to_state, u.reason, u.payload::jsonb, u.key, u.fingerprint
                  FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                       AS u(instance_id, seq, at, actor, trigger, from_state, to_state, reason, payload, key, fingerprint)
                """, _instanceIds.ToArray(), _versions.ToArray(), _at.ToArray(), _actors.ToArray(), _triggers.ToArray(), _fromStates.ToArray(),
                _states.ToArray(), _reasons.ToArray(), _payloads.ToArray(), _keys.ToArray(), _fingerprints.ToArray());
        }
        if (_markedTimers.Count > 0)
            yield return Sql.Command("""
                UPDATE workflow_timer t SET fired_at = u.at, outcome = u.outcome
                  FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS u(id, outcome, at)
                 WHERE t.id = u.id
                """, _markedTimers.ToArray(), _markOutcomes.ToArray(), _markedAt.ToArray());
        if (_rearmInstances.Count > 0)
            // The occurrences no longer wanted go; the new ones come, in the order the states list them (ids break ties in the
            // sweeper's order). Most re-arms insert nothing: the explanation is parsed as jsonb only for the rows inserted.
            // Each instance's pending timers are found through a LATERAL subquery on that instance alone (OFFSET 0 keeps
            // PostgreSQL from flattening it into a join): a prepared statement's generic plan then cannot but look each
            // instance up in an index, where a join or = ANY was planned, on a table whose statistics were young, as a
            // scan of every pending timer at every transition. Each spec carries its instance's state and version, so that
            // no join of two arrays is left to plan: one was planned as a nested loop that unnested the instances' array
            // again for every spec, a batch's specs times its instances (33 ms a call, the costliest statement at 100,000 advisors).
            yield return Sql.Command("""
                WITH spec AS (
                    SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::date[], $6::timestamptz[], $7::int[], $8::text[], $9::text[],
                                         $10::text[], $11::int[])
                        WITH ORDINALITY AS s(instance_id, name, trigger, due_on, due_at, ordinal, rule_id, explanation, state, seq, n)
                ), removed AS (
                    DELETE FROM workflow_timer t
                     WHERE t.id IN (SELECT p.id
                                      FROM unnest($1::uuid[]) AS i(instance_id)
                                      CROSS JOIN LATERAL (SELECT w.id, w.name, w.due_on FROM workflow_timer w
                                                           WHERE w.instance_id = i.instance_id AND w.fired_at IS NULL OFFSET 0) p
                                     WHERE NOT EXISTS (SELECT 1 FROM spec
                                                        WHERE spec.instance_id = i.instance_id AND spec.name = p.name AND spec.due_on = p.due_on))
                )
                INSERT INTO workflow_timer (instance_id, name, trigger, due_on, due_at, ordinal, armed_in_state, armed_seq, rule_id, explanation)
                SELECT s.instance_id, s.name, s.trigger, s.due_on, s.due_at, s.ordinal, s.state, s.seq, s.rule_id, s.explanation::jsonb
                  FROM spec s
                 WHERE NOT EXISTS (SELECT 1 FROM workflow_timer t WHERE t.instance_id = s.instance_id AND t.name = s.name AND t.due_on = s.due_on)
                 ORDER BY s.n
                """,
                _rearmInstances.ToArray(),
                _specInstances.ToArray(),
                _specs.Select(s => s.Name).ToArray(),
                _specs.Select(s => s.Trigger).ToArray(),
                _specs.Select(s => s.Deadline.Date).ToArray(),
                _specs.Select(s => WorkflowEngine.DueInstant(s.Deadline.Date)).ToArray(),
                OrdinalsWithinInstance(),
                _specs.Select(s => s.Deadline.RuleId).ToArray(),
                _specs.Select(s => DeadlineJson.Write(s.Deadline)).ToArray(),
                _specStates.ToArray(),
                _specSeqs.ToArray());
        if (_closings.Count > 0)
            // Each instance's open tasks through its own index lookup (LATERAL, OFFSET 0), as for the timers above: a join
            // was planned as a scan of every open task at every transition (0.85 ms and 120 buffers a call at 1,000 advisors).
            yield return Sql.Command("""
                UPDATE human_task t SET status = u.status, completed_at = u.at, completed_by = u.actor, outcome = u.outcome, reason = u.reason
                  FROM (SELECT o.id, c.*
                          FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
                               AS c(instance_id, kind, status, at, actor, outcome, reason)
                          CROSS JOIN LATERAL (SELECT h.id FROM human_task h
                                               WHERE h.instance_id = c.instance_id AND h.kind = c.kind AND h.status = 'Open' OFFSET 0) o) u
                 WHERE t.id = u.id
                """, _closings.Select(c => c.InstanceId).ToArray(), _closings.Select(c => c.Kind).ToArray(), _closings.Select(c => c.Status).ToArray(),
                _closings.Select(c => c.At).ToArray(), _closings.Select(c => c.Actor).ToArray(), _closings.Select(c => c.Outcome).ToArray(),
                _closings.Select(c => c.Reason).ToArray());
        if (_openings.Count > 0)
            yield return Sql.Command("""
                INSERT INTO human_task (id, instance_id, kind, structure_id, assignee_role, title, due_on, escalation_on, opened_at,
                                        status, completed_at, completed_by, outcome, reason)
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::date[], $8::date[], $9::timestamptz[],
                                     $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::text[])
                """, _openings.Select(o => o.Id).ToArray(), _openings.Select(o => o.InstanceId).ToArray(), _openings.Select(o => o.Task.Kind).ToArray(),
                _openings.Select(o => o.StructureId).ToArray(), _openings.Select(o => o.Task.AssigneeRole).ToArray(),
                _openings.Select(o => o.Task.Title).ToArray(), _openings.Select(o => o.Task.DueOn).ToArray(),
                _openings.Select(o => o.Task.EscalationOn).ToArray(), _openings.Select(o => o.At).ToArray(),
                _openings.Select(o => o.ClosedBy?.Status ?? "Open").ToArray(), _openings.Select(o => o.ClosedBy?.At).ToArray(),
                _openings.Select(o => o.ClosedBy?.Actor).ToArray(), _openings.Select(o => o.ClosedBy?.Outcome).ToArray(),
                _openings.Select(o => o.ClosedBy?.Reason).ToArray());
        if (_messages.Count > 0)
            yield return Sql.Command("""
                INSERT INTO outbox_message (id, instance_id, created_at, recipient_role, recipient_address, template_id, data, dedupe_key, next_attempt_at)
                SELECT u.id, u.instance_id, u.at, u.role, u.address, u.template, u.data::jsonb, u.key, u.at
                  FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                       WITH ORDINALITY AS u(id, instance_id, at, role, address, template, data, key, n)
                 ORDER BY u.n
                ON CONFLICT (dedupe_key) DO NOTHING
                """, _messages.Select(m => m.Id).ToArray(), _messages.Select(m => m.InstanceId).ToArray(), _messages.Select(m => m.At).ToArray(),
                _messages.Select(m => m.Notify.RecipientRole).ToArray(), _messages.Select(m => m.Notify.RecipientAddress).ToArray(),
                _messages.Select(m => m.Notify.TemplateId).ToArray(), _messages.Select(m => m.Notify.Data.ToJsonString()).ToArray(),
                _messages.Select(m => m.Notify.DedupeKey).ToArray());
        foreach (var kind in _records.Values.GroupBy(r => r.GetType()))
            foreach (var command in kind.First().Commands(kind.ToList()))
                yield return command;
    }

    /// <summary>The statement updating the instances, once <see cref="Commands"/> has run: its row count must be <see cref="Transitions"/>.</summary>
    public NpgsqlBatchCommand? InstanceUpdate { get; private set; }

    /// <summary>Each spec's place among its instance's: the sweeper fires an instance's timers due the same day in this order.</summary>
    int[] OrdinalsWithinInstance()
    {
        var ordinals = new int[_specs.Count];
        for (int i = 0, n = 0; i < _specs.Count; i++)
        {
            n = i > 0 && _specInstances[i] == _specInstances[i - 1] ? n + 1 : 0;
            ordinals[i] = n;
        }
        return ordinals;
    }
}

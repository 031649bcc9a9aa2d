using System.Text.Json.Nodes;

namespace CareerPath.Workflows.Engine;

/// <summary>
/// What entering a state (or taking an internal transition) asks for. A definition only records
/// effects; the engine writes them in the transition's own transaction.
/// </summary>
public abstract record Effect;

/// <summary>An e-mail to send later through the outbox. The dedupe key makes a replay harmless.</summary>
public sealed record Notify(string RecipientRole, string RecipientAddress, string TemplateId, JsonObject Data, string DedupeKey) : Effect;

/// <summary>A task for a person in a role, with a due date and an escalation date.</summary>
public sealed record OpenTask(string Kind, string AssigneeRole, string Title, DateOnly DueOn, DateOnly? EscalationOn) : Effect;

/// <summary>Closes the open tasks of a kind (completed by the transition's actor, or cancelled).</summary>
public sealed record CloseTasks(string Kind, bool Completed, string? Outcome = null) : Effect;

/// <summary>Fires a trigger on the running instance of another definition for a subject (e.g. the post's funding workflow).</summary>
public sealed record SignalSubject(string DefinitionId, Guid SubjectId, string Trigger, JsonObject? Payload = null) : Effect;

/// <summary>Starts a new instance (e.g. the renewed contract's), in the same transaction.</summary>
public sealed record StartInstance(string DefinitionId, Guid SubjectId, Guid? StructureId, JsonObject Data) : Effect;

/// <summary>A decision for the tamper-evident audit log.</summary>
public sealed record AuditDecision(string Kind, JsonObject Details) : Effect;

/// <summary>A fact for the journal row's "why" (e.g. "notice deadline missed").</summary>
public sealed record Remark(string Text) : Effect;

/// <summary>
/// A change to the records (the one home of the facts people ask about), declared by a definition's
/// projection: the engine sends its commands in the transition's own batch, so a record is never behind
/// its workflow. <see cref="Key"/> names the record: a projection that did not change is not written again.
/// </summary>
public abstract record RecordWrite : Effect
{
    public abstract string Key { get; }

    /// <summary>
    /// The statements writing <paramref name="all"/>, the writes of this type in a batch of transitions (this one among them),
    /// one statement per kind of row whatever their number; at most one write per <see cref="Key"/>.
    /// </summary>
    public abstract IEnumerable<Npgsql.NpgsqlBatchCommand> Commands(IReadOnlyList<RecordWrite> all);
}

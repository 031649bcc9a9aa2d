using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CareerPath.Domain.Rules;
using Npgsql;
using Stateless;
using Stateless.Graph;

namespace CareerPath.Workflows.Engine;

/// <summary>A timer a state arms: when its deadline comes, <see cref="Trigger"/> fires on the instance.</summary>
public sealed record TimerSpec(string Name, string Trigger, Deadline Deadline);

/// <param name="Data">The instance's data as JSON text, as stored.</param>
/// <param name="Records">What the definition read from the records for this instance (<see cref="IWorkflowDefinition.ReadRecordsAsync"/>).</param>
public sealed record FireRequest(
    Guid InstanceId, Guid? StructureId, string State, string Data, string Trigger, JsonObject? Payload,
    string Actor, string? Reason, DateTimeOffset Now, DateOnly Today, object? Records = null);

/// <summary>Where a trigger led, the data after it (JSON text), what it asks for, and the timers of the state it left the instance in.</summary>
public sealed record TransitionOutcome(string FromState, string ToState, string Data, IReadOnlyList<Effect> Effects,
    IReadOnlyList<TimerSpec> Timers);

/// <summary>The engine's view of a definition: states and triggers as strings, data as JSON.</summary>
public interface IWorkflowDefinition
{
    string Id { get; }
    int Version { get; }
    /// <summary>The state an instance is created in, before <see cref="StartTrigger"/> takes it to its first real state.</summary>
    string CreatedState { get; }
    string StartTrigger { get; }
    IReadOnlyList<string> States { get; }
    bool IsFinal(string state);
    TransitionOutcome Fire(FireRequest request);
    IReadOnlyList<TimerSpec> Timers(string state, string data, object? records);
    string ToMermaid();

    /// <summary>
    /// Reads from the records what these instances' rules need beyond their own data (an advisor's other
    /// contracts), in one round trip for the whole batch; keyed by instance id, absent when nothing is needed.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, object>> ReadRecordsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<InstanceRow> rows, CancellationToken ct);
}

/// <summary>What a transition's actions may read and record. Guards must only read.</summary>
public sealed class TransitionContext<TData>(FireRequest request, TData data)
{
    readonly List<Effect> _effects = [];

    public TData Data { get; } = data;
    public Guid InstanceId => request.InstanceId;
    public Guid? StructureId => request.StructureId;
    public string Actor => request.Actor;
    public string? Reason => request.Reason;
    public DateTimeOffset Now => request.Now;
    public DateOnly Today => request.Today;
    public IReadOnlyList<Effect> Effects => _effects;

    public void Record(Effect effect) => _effects.Add(effect);

    /// <summary>A required value of the signal's payload, or a clear input error.</summary>
    public T Arg<T>(string name)
    {
        var node = request.Payload?[name];
        if (node is null)
            throw new WorkflowInputException($"Le champ « {name} » est obligatoire pour « {request.Trigger} ».");
        try
        {
            return node.Deserialize<T>(WorkflowJson.Options)
                ?? throw new WorkflowInputException($"Le champ « {name} » est vide.");
        }
        catch (JsonException)
        {
            throw new WorkflowInputException($"Le champ « {name} » n'a pas le bon format.");
        }
    }

    public T? OptionalArg<T>(string name) => request.Payload?[name] is null ? default : Arg<T>(name);
}

public static class WorkflowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static JsonObject ToObject<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!.AsObject();
    public static T FromObject<T>(JsonObject node) => node.Deserialize<T>(Options)!;
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Dates in payloads and message data: ISO, as the serializer writes DateOnly.</summary>
    public static string? IsoDate(DateOnly? date) => date?.ToString("yyyy-MM-dd");
    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}

/// <summary>
/// A workflow definition in one file: a Stateless configuration (the transition table), the timers
/// each state arms, and the effects of entering states, recorded through the context.
/// </summary>
public abstract class WorkflowDefinition<TState, TTrigger, TData> : IWorkflowDefinition
    where TState : struct, Enum
    where TTrigger : struct, Enum
    where TData : class, new()
{
    public abstract string Id { get; }
    public virtual int Version => 1;
    protected abstract TState Created { get; }
    protected abstract TTrigger Start { get; }
    protected abstract IReadOnlySet<TState> Final { get; }

    /// <summary>The transition table. Actions record effects and update data through <paramref name="ctx"/>.</summary>
    protected abstract void Configure(StateMachine<TState, TTrigger> machine, TransitionContext<TData> ctx);

    /// <summary>The timers armed while an instance is in <paramref name="state"/>, computed from its data.</summary>
    protected abstract IEnumerable<TimerSpec> Timers(TState state, TData data);

    static readonly IReadOnlyDictionary<Guid, object> NoRecords = new Dictionary<Guid, object>();

    /// <inheritdoc cref="IWorkflowDefinition.ReadRecordsAsync"/>
    public virtual Task<IReadOnlyDictionary<Guid, object>> ReadRecordsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<InstanceRow> rows, CancellationToken ct) =>
        Task.FromResult(NoRecords);

    /// <summary>Gives the data what <see cref="ReadRecordsAsync"/> read, before any rule runs (not stored with the data).</summary>
    protected virtual void Attach(TData data, object? records) { }

    /// <summary>
    /// The records this instance's data stands for (e.g. its contract row). After each transition the engine
    /// writes those that changed, in the transition's own batch; on the start trigger, all of them.
    /// </summary>
    protected virtual IEnumerable<RecordWrite> Project(TData data) => [];

    public string CreatedState => Created.ToString();
    public string StartTrigger => Start.ToString();
    public IReadOnlyList<string> States { get; } = Enum.GetNames<TState>();
    public bool IsFinal(string state) => Final.Contains(Parse<TState>(state));

    public TransitionOutcome Fire(FireRequest request)
    {
        var state = Parse<TState>(request.State);
        var trigger = Enum.TryParse<TTrigger>(request.Trigger, out var t)
            ? t
            : throw new TriggerNotPermittedException(request.Trigger, request.State, Permitted(state, request));
        var ctx = new TransitionContext<TData>(request, Load(request.Data, request.Records));
        var current = state;
        var machine = new StateMachine<TState, TTrigger>(() => current, s => current = s);
        Configure(machine, ctx);
        if (!machine.CanFire(trigger, out var unmet))
            throw new TriggerNotPermittedException(request.Trigger, request.State,
                PermittedNames(machine),
                unmet is { Count: > 0 } ? string.Join("; ", unmet) : null);
        var before = request.Trigger == StartTrigger ? null : Project(ctx.Data).ToDictionary(r => r.Key, Fingerprint);
        machine.Fire(trigger);
        var effects = ctx.Effects.ToList();
        foreach (var record in Project(ctx.Data))
            if (before is null || !before.TryGetValue(record.Key, out var old) || old != Fingerprint(record))
                effects.Add(record);
        return new TransitionOutcome(request.State, current.ToString(), WorkflowJson.Serialize(ctx.Data), effects, TimersOf(current, ctx.Data));
    }

    static string Fingerprint(RecordWrite record) => JsonSerializer.Serialize(record, record.GetType(), WorkflowJson.Options);

    TData Load(string json, object? records)
    {
        var data = WorkflowJson.Deserialize<TData>(json);
        Attach(data, records);
        return data;
    }

    public IReadOnlyList<TimerSpec> Timers(string state, string data, object? records) => TimersOf(Parse<TState>(state), Load(data, records));

    IReadOnlyList<TimerSpec> TimersOf(TState state, TData data) => Final.Contains(state) ? [] : Timers(state, data).ToList();

    public string ToMermaid()
    {
        var state = Created;
        var machine = new StateMachine<TState, TTrigger>(() => state, s => state = s);
        var request = new FireRequest(Guid.Empty, null, Created.ToString(), "{}", Start.ToString(), null, "diagram", null, default, default);
        Configure(machine, new TransitionContext<TData>(request, new TData()));
        // Stateless names every lambda "Function": that says nothing to a reader of the diagram.
        return MermaidGraph.Format(machine.GetInfo()).Replace(" / Function", "").Replace(" [Function]", "");
    }

    IReadOnlyList<string> Permitted(TState state, FireRequest request)
    {
        var current = state;
        var machine = new StateMachine<TState, TTrigger>(() => current, s => current = s);
        Configure(machine, new TransitionContext<TData>(request, Load(request.Data, request.Records)));
        return PermittedNames(machine);
    }

    static List<string> PermittedNames(StateMachine<TState, TTrigger> machine)
    {
        var names = new List<string>();
        foreach (TriggerDetails<TState, TTrigger> detail in machine.GetDetailedPermittedTriggers().GetAwaiter().GetResult())
            names.Add(detail.Trigger.ToString());
        return names;
    }

    static T Parse<T>(string value) where T : struct, Enum =>
        Enum.TryParse<T>(value, out var parsed) ? parsed : throw new InvalidOperationException($"Unknown state '{value}' for {typeof(T).Name}.");
}

/// <summary>The definitions this process knows, by id and version.</summary>
public sealed class DefinitionRegistry
{
    readonly Dictionary<(string, int), IWorkflowDefinition> _byVersion = [];

    public DefinitionRegistry(IEnumerable<IWorkflowDefinition> definitions)
    {
        foreach (var d in definitions) _byVersion.Add((d.Id, d.Version), d);
    }

    public IEnumerable<IWorkflowDefinition> All => _byVersion.Values.OrderBy(d => d.Id).ThenBy(d => d.Version);

    public IWorkflowDefinition Get(string id, int version) =>
        _byVersion.TryGetValue((id, version), out var d) ? d : throw new WorkflowNotFoundException($"La définition {id} v{version}");

    public IWorkflowDefinition Latest(string id) =>
        _byVersion.Values.Where(d => d.Id == id).MaxBy(d => d.Version) ?? throw new WorkflowNotFoundException($"La définition {id}");
}

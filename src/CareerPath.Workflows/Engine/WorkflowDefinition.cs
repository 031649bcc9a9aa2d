using System.Collections.Concurrent;
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

/// <summary>
/// What a transition's actions may read and record. Guards must only read. A definition's state machine is
/// configured once against one context, which each transition then fills with its own request and data.
/// </summary>
public sealed class TransitionContext<TData>
{
    readonly List<Effect> _effects = [];
    FireRequest _request;
    TData _data;

    public TransitionContext(FireRequest request, TData data)
    {
        _request = request;
        _data = data;
    }

    /// <summary>Makes this context the next transition's: its request, its data, no effects yet.</summary>
    internal void Reset(FireRequest request, TData data)
    {
        _request = request;
        _data = data;
        _effects.Clear();
    }

    public TData Data => _data;
    public Guid InstanceId => _request.InstanceId;
    public Guid? StructureId => _request.StructureId;
    public string Actor => _request.Actor;
    public string? Reason => _request.Reason;
    public DateTimeOffset Now => _request.Now;
    public DateOnly Today => _request.Today;
    public IReadOnlyList<Effect> Effects => _effects;

    public void Record(Effect effect) => _effects.Add(effect);

    /// <summary>A required value of the signal's payload, or a clear input error.</summary>
    public T Arg<T>(string name)
    {
        var node = _request.Payload?[name];
        if (node is null)
            throw new WorkflowInputException($"Le champ « {name} » est obligatoire pour « {_request.Trigger} ».");
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

    public T? OptionalArg<T>(string name) => _request.Payload?[name] is null ? default : Arg<T>(name);
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

    /// <summary>
    /// A state machine configured once, with the context its actions read and the state it moves. Building the
    /// machine (every state, trigger, guard and action) cost as much as running a transition, so machines are kept
    /// and reused, one transition at a time each: Fire runs synchronously from start to end on one machine.
    /// </summary>
    sealed class Runner
    {
        public TState Current;
        public readonly TransitionContext<TData> Context;
        public readonly StateMachine<TState, TTrigger> Machine;

        public Runner(WorkflowDefinition<TState, TTrigger, TData> definition)
        {
            var created = new FireRequest(Guid.Empty, null, definition.Created.ToString(), "{}", definition.Start.ToString(), null, "", null, default, default);
            Context = new TransitionContext<TData>(created, new TData());
            Machine = new StateMachine<TState, TTrigger>(() => Current, s => Current = s);
            definition.Configure(Machine, Context);
        }
    }

    readonly ConcurrentBag<Runner> _runners = [];

    Runner Rent(TState state, FireRequest request, TData data)
    {
        if (!_runners.TryTake(out var runner)) runner = new Runner(this);
        runner.Current = state;
        runner.Context.Reset(request, data);
        return runner;
    }

    public TransitionOutcome Fire(FireRequest request)
    {
        var state = Parse<TState>(request.State);
        var trigger = Enum.TryParse<TTrigger>(request.Trigger, out var t)
            ? t
            : throw new TriggerNotPermittedException(request.Trigger, request.State, Permitted(state, request));
        var runner = Rent(state, request, Load(request.Data, request.Records));
        var ctx = runner.Context;
        if (!runner.Machine.CanFire(trigger, out var unmet))
        {
            var permitted = PermittedNames(runner.Machine);
            _runners.Add(runner);
            throw new TriggerNotPermittedException(request.Trigger, request.State, permitted,
                unmet is { Count: > 0 } ? string.Join("; ", unmet) : null);
        }
        var before = request.Trigger == StartTrigger ? null : Project(ctx.Data).ToDictionary(r => r.Key, Fingerprint);
        // A machine whose action threw is not reused: nothing says where the exception left it.
        runner.Machine.Fire(trigger);
        var effects = ctx.Effects.ToList();
        foreach (var record in Project(ctx.Data))
            if (before is null || !before.TryGetValue(record.Key, out var old) || old != Fingerprint(record))
                effects.Add(record);
        var outcome = new TransitionOutcome(request.State, runner.Current.ToString(), WorkflowJson.Serialize(ctx.Data), effects, TimersOf(runner.Current, ctx.Data));
        _runners.Add(runner);
        return outcome;
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
        var runner = Rent(state, request, Load(request.Data, request.Records));
        var names = PermittedNames(runner.Machine);
        _runners.Add(runner);
        return names;
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

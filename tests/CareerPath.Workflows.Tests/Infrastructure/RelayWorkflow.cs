using System.Text.Json.Nodes;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Engine;
using Stateless;

namespace CareerPath.Workflows.Tests.Infrastructure;

public enum RelayState { Created, Waiting, Done }

public enum RelayTrigger { Start, Tick, Poke, Finish }

public sealed class RelayData
{
    /// <summary>The counter every tick and poke signals (its subject).</summary>
    public Guid Counter { get; set; }
    public List<DateOnly> Ticks { get; set; } = [];
}

/// <summary>
/// A test-only definition whose every tick and poke does what must read before it writes: a decision for the
/// audit chain and a signal to another instance (a <see cref="CounterWorkflow"/>), so that the engine's batched
/// reading effects can be tested apart from the shipped definitions.
/// </summary>
public sealed class RelayWorkflow : WorkflowDefinition<RelayState, RelayTrigger, RelayData>
{
    public const string DefinitionId = "relay";
    static readonly RuleInfo Rule = new("test.relay", "Relais", "Minuterie posée par un test.", "Tests du moteur");

    public override string Id => DefinitionId;
    protected override RelayState Created => RelayState.Created;
    protected override RelayTrigger Start => RelayTrigger.Start;
    protected override IReadOnlySet<RelayState> Final { get; } = new HashSet<RelayState> { RelayState.Done };

    protected override void Configure(StateMachine<RelayState, RelayTrigger> m, TransitionContext<RelayData> ctx)
    {
        m.Configure(RelayState.Created).Permit(RelayTrigger.Start, RelayState.Waiting);
        m.Configure(RelayState.Waiting)
            .InternalTransition(RelayTrigger.Tick, () => Relay(ctx, "tick"))
            .InternalTransition(RelayTrigger.Poke, () => Relay(ctx, "poke"))
            .Permit(RelayTrigger.Finish, RelayState.Done);
    }

    static void Relay(TransitionContext<RelayData> ctx, string what)
    {
        ctx.Record(new AuditDecision("Relay", new JsonObject { ["what"] = what }));
        ctx.Record(new SignalSubject(CounterWorkflow.DefinitionId, ctx.Data.Counter, nameof(CounterTrigger.Bump), new JsonObject { ["from"] = ctx.InstanceId.ToString() }));
    }

    protected override IEnumerable<TimerSpec> Timers(RelayState state, RelayData data)
    {
        if (state != RelayState.Waiting) yield break;
        for (var i = 0; i < data.Ticks.Count; i++)
            yield return new($"tick:{i}", nameof(RelayTrigger.Tick),
                new Deadline($"{Rule.Id}:{i}", $"Tick {i}", data.Ticks[i], data.Ticks[i], new Explanation(Rule, [], [])));
    }

    public static StartRequest Request(Guid counter, params DateOnly[] ticks) =>
        new(DefinitionId, Guid.NewGuid(), null, WorkflowJson.ToObject(new RelayData { Counter = counter, Ticks = [.. ticks] }), "test");
}

public enum CounterState { Created, Counting, Full }

public enum CounterTrigger { Start, Bump }

public sealed class CounterData
{
    public int Count { get; set; }
    /// <summary>At this count the counter is full and refuses further bumps.</summary>
    public int Capacity { get; set; } = int.MaxValue;
    /// <summary>Who bumped, in the order the bumps were applied.</summary>
    public List<string> From { get; set; } = [];
}

/// <summary>The other end of <see cref="RelayWorkflow"/>'s signals: counts them, and decides (audits) when it becomes full.</summary>
public sealed class CounterWorkflow : WorkflowDefinition<CounterState, CounterTrigger, CounterData>
{
    public const string DefinitionId = "counter";

    public override string Id => DefinitionId;
    protected override CounterState Created => CounterState.Created;
    protected override CounterTrigger Start => CounterTrigger.Start;
    protected override IReadOnlySet<CounterState> Final { get; } = new HashSet<CounterState>();

    protected override void Configure(StateMachine<CounterState, CounterTrigger> m, TransitionContext<CounterData> ctx)
    {
        m.Configure(CounterState.Created).Permit(CounterTrigger.Start, CounterState.Counting);
        m.Configure(CounterState.Counting)
            .PermitIf(CounterTrigger.Bump, CounterState.Full, () => ctx.Data.Count + 1 >= ctx.Data.Capacity)
            .InternalTransitionIf(CounterTrigger.Bump, _ => ctx.Data.Count + 1 < ctx.Data.Capacity, _ => Bump(ctx));
        m.Configure(CounterState.Full).OnEntry(() =>
        {
            Bump(ctx);
            ctx.Record(new AuditDecision("Full", new JsonObject { ["count"] = ctx.Data.Count }));
        });
    }

    static void Bump(TransitionContext<CounterData> ctx)
    {
        ctx.Data.Count++;
        ctx.Data.From.Add(ctx.Arg<string>("from"));
    }

    protected override IEnumerable<TimerSpec> Timers(CounterState state, CounterData data) => [];

    public static StartRequest Request(Guid subject, int capacity = int.MaxValue) =>
        new(DefinitionId, subject, null, WorkflowJson.ToObject(new CounterData { Capacity = capacity }), "test");
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Engine;
using Stateless;

namespace CareerPath.Workflows.Tests.Infrastructure;

public enum ProbeState { Created, Waiting, Done }

public enum ProbeTrigger { Start, Tick, Finish }

public sealed class ProbeData
{
    /// <summary>One timer per day, named tick:0, tick:1, …</summary>
    public List<DateOnly> Ticks { get; set; } = [];
    /// <summary>While set, every tick throws, as a definition bug or bad data would.</summary>
    public bool Fail { get; set; }
    /// <summary>Fail with an exception the engine has no special case for, as a plain bug would.</summary>
    public bool FailUnexpectedly { get; set; }
    public int Fired { get; set; }
}

/// <summary>
/// A test-only definition whose timers are whatever days the test asks for, so that the engine's sweeping,
/// concurrency and incidents can be tested apart from the shipped definitions' rules.
/// </summary>
public sealed class ProbeWorkflow : WorkflowDefinition<ProbeState, ProbeTrigger, ProbeData>
{
    public const string DefinitionId = "probe";
    static readonly RuleInfo Rule = new("test.probe", "Sonde", "Minuterie posée par un test.", "Tests du moteur");

    /// <summary>Every tick this definition applied, in the order the engine asked, including attempts later rolled back.</summary>
    public ConcurrentQueue<(Guid Instance, string Timer)> Applied { get; } = new();

    public override string Id => DefinitionId;
    protected override ProbeState Created => ProbeState.Created;
    protected override ProbeTrigger Start => ProbeTrigger.Start;
    protected override IReadOnlySet<ProbeState> Final { get; } = new HashSet<ProbeState> { ProbeState.Done };

    protected override void Configure(StateMachine<ProbeState, ProbeTrigger> m, TransitionContext<ProbeData> ctx)
    {
        m.Configure(ProbeState.Created).Permit(ProbeTrigger.Start, ProbeState.Waiting);
        m.Configure(ProbeState.Waiting)
            .InternalTransition(ProbeTrigger.Tick, () =>
            {
                if (ctx.Data.Fail) throw new InvalidOperationException("La sonde échoue : fail est vrai.");
                if (ctx.Data.FailUnexpectedly) throw new ArgumentException("La sonde échoue autrement.");
                ctx.Data.Fired++;
                Applied.Enqueue((ctx.InstanceId, ctx.Arg<string>("timer")));
            })
            .Permit(ProbeTrigger.Finish, ProbeState.Done);
    }

    protected override IEnumerable<TimerSpec> Timers(ProbeState state, ProbeData data)
    {
        if (state != ProbeState.Waiting) yield break;
        for (var i = 0; i < data.Ticks.Count; i++)
        {
            var day = data.Ticks[i];
            yield return new($"tick:{i}", nameof(ProbeTrigger.Tick),
                new Deadline($"{Rule.Id}:{i}", $"Tick {i}", day, day, new Explanation(Rule, [], [])));
        }
    }

    public static Task<Guid> StartAsync(EngineHarness h, IEnumerable<DateOnly> ticks, bool fail = false, bool failUnexpectedly = false) =>
        h.Engine.StartAsync(new StartRequest(DefinitionId, Guid.NewGuid(), null,
            WorkflowJson.ToObject(new ProbeData { Ticks = [.. ticks], Fail = fail, FailUnexpectedly = failUnexpectedly }), "test"));

    public static async Task<ProbeData> DataAsync(EngineHarness h, Guid instance) =>
        WorkflowJson.FromObject<ProbeData>((await h.Engine.GetAsync(instance))!.DataObject);
}

using System.Diagnostics.Metrics;

namespace CareerPath.Workflows.Engine;

/// <summary>
/// The engine's own meter: transitions counted once committed. A transition is written inside a transaction
/// that may still roll back (a conflict, a failed batch redone one timer at a time, a savepoint undone), so
/// the engine notes each one in the unit of work that commits it, and the counter moves only on commit.
/// The database-backed gauges (due timers, outbox, incidents…) share the meter's name; they are read by the
/// server's scrape (MetricsQueries), not here.
/// </summary>
public static class EngineMetrics
{
    public const string MeterName = "CareerPath.Engine";
    public const string TransitionsName = "careerpath.transitions";

    /// <summary>What fired a transition: a timer, or anything else (an API call, a task, another instance, a start).</summary>
    public const string Signal = "signal", Timer = "timer";

    // Process-wide, as the engine is constructed without a container in tools and tests; the exporter
    // listens to it by name. Labels are a definition id and a kind: never a person, never an instance.
    static readonly Meter Meter = new(MeterName);
    static readonly Counter<long> TransitionCounter = Meter.CreateCounter<long>(TransitionsName, "{transition}",
        "Workflow transitions committed, by workflow definition and by what fired them (signal or timer).");

    static readonly AsyncLocal<UnitOfWork?> Current = new();

    /// <summary>
    /// Opens the unit of work of one database transaction, in the method that commits it: transitions run
    /// below it (in the same async flow) are noted, then counted by <see cref="UnitOfWork.Committed"/>, or
    /// forgotten when it is disposed uncommitted. Transitions run in a caller's transaction without one are not counted.
    /// </summary>
    public static UnitOfWork Begin() => new();

    /// <summary>One transition about to run in the current unit of work; it counts only if <see cref="Noted.Done"/> is reached.</summary>
    internal static Noted Transition(string definitionId, bool firedByTimer) => new(Current.Value, definitionId, firedByTimer ? Timer : Signal);

    /// <summary>Transitions already written in the current unit of work (the sweeper's batch).</summary>
    internal static void Transitions(IEnumerable<string> definitionIds, bool firedByTimer)
    {
        if (Current.Value is not { } work) return;
        foreach (var id in definitionIds) work.Items.Add((id, firedByTimer ? Timer : Signal));
    }

    public sealed class UnitOfWork : IDisposable
    {
        readonly UnitOfWork? _outer;
        internal readonly List<(string Definition, string Kind)> Items = [];

        internal UnitOfWork()
        {
            _outer = Current.Value;
            Current.Value = this;
        }

        /// <summary>Call right after the commit: the noted transitions are now facts.</summary>
        public void Committed()
        {
            foreach (var group in Items.GroupBy(i => i))
                TransitionCounter.Add(group.Count(), new("workflow.definition", group.Key.Definition), new("workflow.trigger.kind", group.Key.Kind));
            Items.Clear();
        }

        public void Dispose()
        {
            Items.Clear();
            Current.Value = _outer;
        }
    }

    /// <summary>
    /// A transition in progress. Disposed without <see cref="Done"/> (it threw), it also forgets the transitions it
    /// caused in other instances: a savepoint rolled back undoes them with it.
    /// </summary>
    internal sealed class Noted(UnitOfWork? work, string definitionId, string kind) : IDisposable
    {
        readonly int _mark = work?.Items.Count ?? 0;
        bool _done;

        public void Done()
        {
            _done = true;
            work?.Items.Add((definitionId, kind));
        }

        public void Dispose()
        {
            if (!_done && work is not null && work.Items.Count > _mark) work.Items.RemoveRange(_mark, work.Items.Count - _mark);
        }
    }
}

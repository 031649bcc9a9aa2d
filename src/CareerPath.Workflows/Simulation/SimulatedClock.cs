namespace CareerPath.Workflows.Simulation;

/// <summary>A clock the simulator moves forward; it never goes back.</summary>
public sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Set(DateTimeOffset instant)
    {
        if (instant > _now) _now = instant;
    }
}

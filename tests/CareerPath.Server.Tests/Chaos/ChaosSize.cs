namespace CareerPath.Server.Tests.Chaos;

/// <summary>
/// How big a chaos run is. The suite runs the small size; <c>./chaos.sh --size large</c> sets
/// CAREERPATH_CHAOS_SIZE=large, and CAREERPATH_CHAOS_NODES / _SIGNALS / _KILLS / _SECONDS / _CONTRACTS
/// override one figure each.
/// </summary>
/// <param name="Duration">How long the signals are spread over: the kills and the database fault fall inside it.</param>
/// <remarks>The small size runs inside the suite beside the other projects: 2 nodes per set-up (each runs a one-second job loop), 5 kills in each, 10 in all; node start-ups are most of its time.</remarks>
/// <param name="Skip">How far the shared clock moves while the signals flow (timers fall due, reminders go out).</param>
public sealed record ChaosSize(string Name, int Nodes, int Contracts, int Signals, int Kills, TimeSpan Duration, int Workers, TimeSpan Skip)
{
    public static readonly ChaosSize Small = new("small", Nodes: 2, Contracts: 8, Signals: 80, Kills: 5, Duration: TimeSpan.FromSeconds(15), Workers: 4,
        Skip: TimeSpan.FromDays(120));

    public static readonly ChaosSize Large = new("large", Nodes: 3, Contracts: 60, Signals: 2000, Kills: 30, Duration: TimeSpan.FromMinutes(4), Workers: 6,
        Skip: TimeSpan.FromDays(240));

    public static ChaosSize FromEnvironment()
    {
        var size = Environment.GetEnvironmentVariable("CAREERPATH_CHAOS_SIZE") == "large" ? Large : Small;
        static int? Int(string name) => int.TryParse(Environment.GetEnvironmentVariable($"CAREERPATH_CHAOS_{name}"), out var v) && v > 0 ? v : null;
        return size with
        {
            Nodes = Math.Max(2, Int("NODES") ?? size.Nodes),
            Contracts = Int("CONTRACTS") ?? size.Contracts,
            Signals = Int("SIGNALS") ?? size.Signals,
            Kills = Int("KILLS") ?? size.Kills,
            Duration = Int("SECONDS") is { } s ? TimeSpan.FromSeconds(s) : size.Duration,
        };
    }
}

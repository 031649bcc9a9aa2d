using System.Diagnostics;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Simulation;

/// <summary>What a simulated program did, read back from the database it ran on.</summary>
public sealed record SimulationReport
{
    public int Advisors { get; init; }
    public long Transitions { get; init; }
    public long TimersFired { get; init; }
    public long Emails { get; init; }
    public SortedDictionary<string, int> Outcomes { get; init; } = [];
    public SortedDictionary<string, int> Decisions { get; init; } = [];
    public int EarlyEnds { get; init; }
    public int TrialFailures { get; init; }
    public int NoticeDeadlinesMissed { get; init; }
    public int LateDecisions { get; init; }
    public int MissingCertifications { get; init; }
    public long OpenInstances { get; init; }
    /// <summary>The records consistency check run on the finished program: contracts compared, and differences found.</summary>
    public int RecordsChecked { get; init; }
    public int RecordsDifferences { get; init; }
    public double WallSeconds { get; init; }
    public double TransitionsPerSecond { get; init; }
    public long PeakMemoryMb { get; init; }

    /// <summary>
    /// One outcome per advisor, from the last contract of each: kept by the structure (a permanent hire or an
    /// open-ended contract), else the situation recorded at 12 months, else at 6 months, else Unknown.
    /// </summary>
    public static async Task<SimulationReport> CollectAsync(NpgsqlDataSource db, int advisors, Stopwatch wall, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var transitions = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_journal");
        var timers = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_timer WHERE outcome = 'Fired'");
        var emails = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_message");
        var open = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_instance WHERE closed_at IS NULL");
        var contracts = (await conn.QueryAsync<string>("""
            SELECT data::text FROM workflow_instance WHERE definition_id = @def ORDER BY created_at
            """, new { def = AdvisorContractWorkflow.DefinitionId })).Select(WorkflowJson.Deserialize<AdvisorContractData>).ToList();

        var last = contracts.GroupBy(c => c.Advisor.Id).Select(g => g.Last()).ToList();
        var outcomes = new SortedDictionary<string, int>();
        foreach (var c in last)
        {
            var kind = c.Decision?.Kind is DecisionKind.PermanentHireCdi or DecisionKind.Titularisation
                ? OutcomeKind.HiredByStructure
                : c.Outcomes.FirstOrDefault(o => o.Kind == OutcomeKind.HiredByStructure)?.Kind
                  ?? c.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month12)?.Kind
                  ?? c.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month6)?.Kind
                  ?? OutcomeKind.Unknown;
            outcomes[kind.ToString()] = outcomes.GetValueOrDefault(kind.ToString()) + 1;
        }
        var decisions = new SortedDictionary<string, int>();
        foreach (var d in contracts.Where(c => c.Decision is not null))
            decisions[d.Decision!.Kind.ToString()] = decisions.GetValueOrDefault(d.Decision.Kind.ToString()) + 1;

        var seconds = wall.Elapsed.TotalSeconds;
        var records = await Records.RecordsCheck.RunAsync(db, ct);
        return new SimulationReport
        {
            Advisors = advisors,
            Transitions = transitions,
            TimersFired = timers,
            Emails = emails,
            Outcomes = outcomes,
            Decisions = decisions,
            EarlyEnds = contracts.Count(c => c.Contract.EarlyTermination is { Reason: not TerminationReason.TrialFailed }),
            TrialFailures = contracts.Count(c => c.TrialFailed),
            NoticeDeadlinesMissed = contracts.Count(c => c.NoticeDeadlineMissed),
            LateDecisions = contracts.Count(c => c.DecisionLate),
            MissingCertifications = contracts.Count(c => c.InitialTrainingDone && !c.CertificationDone),
            OpenInstances = open,
            RecordsChecked = records.Contracts,
            RecordsDifferences = records.Differences.Count,
            WallSeconds = Math.Round(seconds, 2),
            TransitionsPerSecond = seconds > 0 ? Math.Round(transitions / seconds, 1) : 0,
            PeakMemoryMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
        };
    }

    public override string ToString() => string.Join(Environment.NewLine,
    [
        $"Advisors:                 {Advisors}",
        $"Transitions:              {Transitions}",
        $"Timers fired:             {TimersFired}",
        $"E-mails (outbox rows):    {Emails}",
        $"Outcomes:                 {string.Join(", ", Outcomes.Select(o => $"{o.Key} {o.Value}"))}",
        $"Decisions:                {string.Join(", ", Decisions.Select(o => $"{o.Key} {o.Value}"))}",
        $"Early ends / trial fails: {EarlyEnds} / {TrialFailures}",
        $"Notice deadlines missed:  {NoticeDeadlinesMissed} (late decisions: {LateDecisions})",
        $"Missing certifications:   {MissingCertifications}",
        $"Open instances:           {OpenInstances}",
        $"Records check:            {RecordsChecked} contracts, {RecordsDifferences} difference(s)",
        $"Wall time:                {WallSeconds} s ({TransitionsPerSecond} transitions/s)",
        $"Peak memory:              {PeakMemoryMb} MiB",
    ]);
}

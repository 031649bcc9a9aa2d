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
    /// The contracts are read as a stream, advisor by advisor, so that memory does not grow with the program.
    /// </summary>
    /// <param name="contractLines">When given, one line per contract (advisor, its contract's rank, what became of it), in advisor order:
    /// two runs of the same seed, before and after a change to the engine, compare with diff.</param>
    public static async Task<SimulationReport> CollectAsync(NpgsqlDataSource db, int advisors, Stopwatch wall, CancellationToken ct = default,
        TextWriter? contractLines = null)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var transitions = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_journal");
        var timers = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_timer WHERE outcome = 'Fired'");
        var emails = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_message");
        var open = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_instance WHERE closed_at IS NULL");

        var outcomes = new SortedDictionary<string, int>();
        var decisions = new SortedDictionary<string, int>();
        int earlyEnds = 0, trialFailures = 0, noticeMissed = 0, lateDecisions = 0, missingCertifications = 0;
        AdvisorContractData? last = null;
        var rank = 0;
        void CountOutcome(AdvisorContractData c)
        {
            var kind = c.Decision?.Kind is DecisionKind.PermanentHireCdi or DecisionKind.Titularisation
                ? OutcomeKind.HiredByStructure
                : c.Outcomes.FirstOrDefault(o => o.Kind == OutcomeKind.HiredByStructure)?.Kind
                  ?? c.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month12)?.Kind
                  ?? c.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month6)?.Kind
                  ?? OutcomeKind.Unknown;
            outcomes[kind.ToString()] = outcomes.GetValueOrDefault(kind.ToString()) + 1;
        }
        // Unbuffered: one instance's data at a time. Ordered by advisor, then as the contracts were started.
        var rows = conn.QueryUnbufferedAsync<(string State, string Data)>("""
            SELECT state, data::text FROM workflow_instance WHERE definition_id = @def
             ORDER BY data->'advisor'->>'id', created_at, id
            """, new { def = AdvisorContractWorkflow.DefinitionId });
        await foreach (var (state, json) in rows.WithCancellation(ct))
        {
            var c = WorkflowJson.Deserialize<AdvisorContractData>(json);
            if (last is not null && last.Advisor.Id != c.Advisor.Id)
            {
                CountOutcome(last);
                rank = 0;
            }
            rank++;
            last = c;
            if (c.Decision is { } d) decisions[d.Kind.ToString()] = decisions.GetValueOrDefault(d.Kind.ToString()) + 1;
            if (c.Contract.EarlyTermination is { Reason: not TerminationReason.TrialFailed }) earlyEnds++;
            if (c.TrialFailed) trialFailures++;
            if (c.NoticeDeadlineMissed) noticeMissed++;
            if (c.DecisionLate) lateDecisions++;
            if (c.InitialTrainingDone && !c.CertificationDone) missingCertifications++;
            contractLines?.WriteLine(string.Join(',',
                c.Advisor.Id, rank, state, c.Contract.Type, c.Contract.Start.ToString("yyyy-MM-dd"), c.Contract.EffectiveEnd?.ToString("yyyy-MM-dd"),
                c.Contract.EarlyTermination?.Reason, c.Decision?.Kind, c.Decision?.DecidedOn.ToString("yyyy-MM-dd"), c.DecisionLate, c.NoticeDeadlineMissed,
                c.TrialFailed, c.InitialTrainingDone, c.CertificationDone,
                string.Join(' ', c.Outcomes.Select(o => $"{o.At}:{o.Kind}"))));
        }
        if (last is not null) CountOutcome(last);

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
            EarlyEnds = earlyEnds,
            TrialFailures = trialFailures,
            NoticeDeadlinesMissed = noticeMissed,
            LateDecisions = lateDecisions,
            MissingCertifications = missingCertifications,
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

using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>
/// What the engine's gauges show, read at one instant of the engine's clock. Counts only: no instance,
/// person or address.
/// </summary>
public sealed record EngineGaugeReading(
    long TimersDue, long TimersOverdue, double SweepLagSeconds, IReadOnlyDictionary<string, long> OutboxByStatus,
    long OpenIncidents, bool SmtpUnreachable);

/// <summary>
/// The database side of the metrics: every gauge from one statement, so that a scrape costs one round trip.
/// Each part rides on an index (the timers' and incidents' partial ones) except the outbox count by status,
/// a scan of a table that grows by a few messages per contract; the server caches the reading for a few
/// seconds, so any number of scrapers costs at most one statement per cache period.
/// </summary>
public sealed class MetricsQueries(NpgsqlDataSource db)
{
    static MetricsQueries() => DapperTypes.Register();

    sealed record Row
    {
        public long Due { get; init; }
        public long Overdue { get; init; }
        public double Lag { get; init; }
        public string[] Statuses { get; init; } = [];
        public long[] Counts { get; init; } = [];
        public long Incidents { get; init; }
        public bool Smtp { get; init; }
    }

    const string Gauges = """
        SELECT (SELECT count(*) FROM workflow_timer WHERE fired_at IS NULL AND due_at <= @now) AS Due,
               (SELECT count(*) FROM workflow_timer WHERE fired_at IS NULL AND due_at <= @overdueBefore) AS Overdue,
               (SELECT coalesce(extract(epoch FROM @now - min(due_at)), 0)::float8
                  FROM workflow_timer WHERE fired_at IS NULL AND due_at <= @now) AS Lag,
               o.statuses AS Statuses, o.counts AS Counts,
               (SELECT count(*) FROM incident WHERE resolved_at IS NULL) AS Incidents,
               -- The circuit's one row: unreachable_since set = SMTP server unreachable, delivery paused for every node.
               coalesce((SELECT unreachable_since IS NOT NULL FROM mail_circuit WHERE id = 1), false) AS Smtp
          FROM (SELECT coalesce(array_agg(status ORDER BY status), '{}') AS statuses, coalesce(array_agg(n ORDER BY status), '{}') AS counts
                  FROM (SELECT status, count(*) AS n FROM outbox_message GROUP BY status) s) o
        """;

    /// <summary>
    /// Synchronous on purpose: metric instruments are observed by a synchronous callback during a scrape.
    /// </summary>
    /// <param name="overdueAfter">How long past its due instant a pending timer is overdue (a sweep should have fired it).</param>
    public EngineGaugeReading Read(DateTimeOffset now, TimeSpan overdueAfter)
    {
        using var conn = db.OpenConnection();
        var row = conn.QuerySingle<Row>(new CommandDefinition(Gauges, new { now, overdueBefore = now - overdueAfter }, commandTimeout: 10));
        var outbox = OutboxQueries.Statuses.ToDictionary(s => s, _ => 0L);
        for (var i = 0; i < row.Statuses.Length; i++) outbox[row.Statuses[i]] = row.Counts[i];
        return new EngineGaugeReading(row.Due, row.Overdue, Math.Max(0, row.Lag), outbox, row.Incidents, row.Smtp);
    }
}

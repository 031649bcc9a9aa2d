using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CareerPath.Workflows.Tests.Simulation;

/// <summary>The demo data set must show, on the day it is seeded, each situation CareerPath exists for.</summary>
public sealed class DemoDataTests : IClassFixture<MigratedDatabase>
{
    readonly MigratedDatabase _db;

    public DemoDataTests(MigratedDatabase db) => _db = db;

    [Fact]
    public async Task Seeded_demo_shows_reminders_an_overdue_decision_a_missing_certification_a_vacant_post_and_a_funding_end()
    {
        var today = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        var report = await DemoData.SeedAsync(_db.ConnectionString, today, NullLogger.Instance);
        Assert.StartsWith("Seeded the demo data set", report);

        await using var conn = new NpgsqlConnection(_db.ConnectionString);
        Assert.Equal(DemoData.Advisors, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM advisor"));
        Assert.InRange(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM structure"), 3, 10);
        Assert.True(await conn.ExecuteScalarAsync<long>("SELECT count(DISTINCT legal_regime) FROM structure") == 2);

        // Reminders due: a decision pending whose reminders have been sent.
        Assert.True(await conn.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM workflow_instance i
             WHERE i.state = 'DecisionPending'
               AND EXISTS (SELECT 1 FROM outbox_message o WHERE o.instance_id = i.id AND o.template_id = 'decision-reminder')
            """) >= 1);
        // A decision overdue: the notice deadline passed, escalated to the HR lead.
        Assert.True(await conn.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM workflow_instance WHERE closed_at IS NULL AND (data->>'noticeDeadlineMissed')::boolean AND data->'decision' = 'null'::jsonb
            """) >= 1);
        Assert.True(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_message WHERE template_id = 'decision-overdue' AND recipient_role = 'hr-lead'") >= 1);
        // A missing certification: the exam deadline came with the exams not passed, and the advisor is still in post.
        Assert.True(await conn.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM workflow_journal j JOIN workflow_instance i ON i.id = j.instance_id
             WHERE j.trigger = 'CertificationDeadline' AND j.reason LIKE 'Certification non obtenue%' AND i.closed_at IS NULL
            """) >= 1);
        Assert.True(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_message WHERE template_id = 'certification-deadline'") >= 1);
        Assert.True(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_instance WHERE definition_id = 'post-funding' AND state = 'Vacant'") >= 1);
        Assert.True(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_instance WHERE definition_id = 'post-funding' AND state = 'FundingEnding'") >= 1);
        // Nothing is due that the seed left unplayed.
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM workflow_timer WHERE fired_at IS NULL AND due_at <= @now", new { now = today.GetUtcNow() }));

        var again = await DemoData.SeedAsync(_db.ConnectionString, today, NullLogger.Instance);
        Assert.Contains("Nothing changed", again);
        Assert.Equal(DemoData.Advisors, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM advisor"));
    }
}

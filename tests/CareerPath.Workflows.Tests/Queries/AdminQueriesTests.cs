using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Queries;

/// <summary>The administrators' reads and writes: sending a failed e-mail again, the instance filters, a password reset.</summary>
public sealed class AdminQueriesTests
{
    [Fact]
    public async Task A_failed_message_resent_is_pending_again_with_all_its_attempts_and_its_incident_closed()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2024-03-01");
        var bad = (await h.QueryAsync<Guid>("SELECT id FROM outbox_message ORDER BY created_at LIMIT 1")).Single();
        // An address the mail server cannot take: the dispatcher gives up on it at once, with an incident.
        await h.QueryAsync<int>("UPDATE outbox_message SET recipient_address = 'pas une adresse' WHERE id = @bad RETURNING 1", new { bad });
        await new OutboxDispatcher(h.DataSource, new PickupFolderTransport(Path.Combine(Path.GetTempPath(), $"careerpath-resend-{Guid.NewGuid():N}")), h.Clock,
            new SmtpOptions(), "https://careerpath.example.fr").DeliverDueAsync();
        Assert.Equal(["Failed"], await h.QueryAsync<string>("SELECT status FROM outbox_message WHERE id = @bad", new { bad }));
        var outbox = new OutboxQueries(h.DataSource);
        var now = h.Clock.GetUtcNow();

        var (outcome, was) = await outbox.ResendAsync(bad, "admin:test", now);

        Assert.Equal((ResendOutcome.Resent, "Failed"), (outcome, was));
        Assert.Equal([("Pending", 0, now)], await h.QueryAsync<(string, int, DateTimeOffset)>(
            "SELECT status, attempts, next_attempt_at FROM outbox_message WHERE id = @bad", new { bad }));
        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource, openOnly: false));
        Assert.Equal((bad.ToString(), "admin:test", (DateTimeOffset?)now), (incident.EffectRef, incident.ResolvedBy, incident.ResolvedAt));
        Assert.Empty(await Incidents.ListAsync(h.DataSource));

        // Pending now (and the others sent): not sent twice, nor is an unknown one found.
        Assert.Equal((ResendOutcome.NotFailed, "Pending"), await outbox.ResendAsync(bad, "admin:test", now));
        var sent = (await h.QueryAsync<Guid>("SELECT id FROM outbox_message WHERE status = 'Sent' LIMIT 1")).Single();
        Assert.Equal((ResendOutcome.NotFailed, "Sent"), await outbox.ResendAsync(sent, "admin:test", now));
        Assert.Equal((ResendOutcome.NotFound, (string?)null), await outbox.ResendAsync(Guid.NewGuid(), "admin:test", now));
    }

    [Fact]
    public async Task Instances_filter_by_advisor_subject_structure_and_version_and_versions_in_use_are_counted()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (post, contract, data) = await Scenario.StartPublicCddAsync(h);
        await Scenario.StartPublicCddAsync(h, "2024-02-01", "2025-01-31");
        var queries = new InstanceAdminQueries(h.DataSource);
        async Task<IReadOnlyList<Guid>> Ids(InstanceFilter filter) => (await queries.ListAsync(filter, PageRequest.First()))!.Items.Select(i => i.Id).ToList();

        Assert.Equal([contract], await Ids(new InstanceFilter(AdvisorId: data.Advisor.Id)));
        Assert.Equal([contract], await Ids(new InstanceFilter(SubjectId: data.Contract.Id)));
        Assert.Equal([post], await Ids(new InstanceFilter(SubjectId: data.Post!.Id)));
        Assert.Empty(await Ids(new InstanceFilter(AdvisorId: Guid.NewGuid())));
        Assert.Equal(4, (await Ids(new InstanceFilter(StructureId: data.StructureId, DefinitionVersion: 1))).Count);
        Assert.Empty(await Ids(new InstanceFilter(DefinitionVersion: 2)));

        var uses = await queries.VersionsInUseAsync();
        Assert.Equal([new VersionUse(AdvisorContractWorkflow.DefinitionId, 1, 2, 0), new VersionUse(PostFundingWorkflow.DefinitionId, 1, 2, 0)], uses);
    }

    [Fact]
    public async Task A_new_password_lifts_the_lockout_and_ends_the_web_sessions_and_a_disabled_account_still_reads_whole()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        const string Session = "session-de-test-0123456789abcdef0123";
        var store = new AccountStore(h.DataSource);
        var sessions = new WebSessionStore(h.DataSource);
        var now = h.Clock.GetUtcNow();
        var structure = Guid.NewGuid();
        await h.QueryAsync<int>("""
            INSERT INTO structure (id, name, kind, legal_regime) VALUES (@structure, 'Mairie de Test', 'Commune', 'Public')
            RETURNING 1
            """, new { structure });
        var id = Guid.NewGuid();
        await store.CreateAsync(id, "rh@mairie.fr", "Rh", "hr", "ancien", [structure], null, now);
        await h.QueryAsync<int>("UPDATE app_user SET failed_logins = 5, locked_until = @until WHERE id = @id RETURNING 1", new { id, until = now.AddMinutes(15) });
        await sessions.CreateAsync(Session, id, now, now.AddHours(8));
        await store.CreateTokenAsync(Guid.NewGuid(), id, "script", "empreinte-du-jeton", now, null);

        Assert.True(await store.SetPasswordAsync(id, "nouveau", now));

        Assert.Equal([("nouveau", 0, (DateTimeOffset?)null)], await h.QueryAsync<(string, int, DateTimeOffset?)>(
            "SELECT password_hash, failed_logins, locked_until FROM app_user WHERE id = @id", new { id }));
        Assert.False(await sessions.IsLiveAsync(Session, id, now, TimeSpan.FromHours(1)));
        // The tokens made with the old password are revoked with it.
        Assert.Null(await store.FindTokenUserAsync("empreinte-du-jeton", now));
        Assert.False(await store.SetPasswordAsync(Guid.NewGuid(), "nouveau", now));

        await store.UpdateAsync(id, disabled: true, structures: null);
        var account = await store.GetAsync(id);
        Assert.NotNull(account);
        Assert.True(account.User.Disabled);
        Assert.Equal([structure], account.Structures);
        Assert.True(account.HasPassword);
        Assert.Null(await store.GetAsync(Guid.NewGuid()));
    }
}

using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Tests.Infrastructure;
using MailKit.Security;
using MimeKit;

namespace CareerPath.Workflows.Tests.Notifications;

public sealed class OutboxDispatcherTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), $"careerpath-pickup-{Guid.NewGuid():N}");

    static readonly SmtpOptions From = new() { From = "CareerPath <no-reply@careerpath.example.fr>" };

    OutboxDispatcher Dispatcher(EngineHarness h, IMailTransport transport) =>
        new(h.DataSource, transport, h.Clock, From, "https://careerpath.example.fr");

    /// <summary>A contract a few months in: welcome, training and review messages are waiting in the outbox.</summary>
    static async Task<EngineHarness> HarnessWithMessagesAsync()
    {
        var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2024-03-01");
        return h;
    }

    [Fact]
    public async Task Without_smtp_each_message_becomes_one_eml_file_named_and_identified_by_its_outbox_row()
    {
        await using var h = await HarnessWithMessagesAsync();
        var pending = await h.QueryAsync<Guid>("SELECT id FROM outbox_message ORDER BY created_at");
        Assert.NotEmpty(pending);

        var result = await Dispatcher(h, new PickupFolderTransport(_folder)).DeliverDueAsync();

        Assert.Equal((pending.Count, 0, 0), (result.Sent, result.Retrying, result.Failed));
        var files = Directory.GetFiles(_folder, "*.eml");
        Assert.Equal(pending.Count, files.Length);
        foreach (var id in pending)
        {
            var message = await MimeMessage.LoadAsync(Path.Combine(_folder, $"{OutboxDispatcher.MessageId(id)}.eml"));
            Assert.Equal(OutboxDispatcher.MessageId(id), message.MessageId);
            Assert.Equal("no-reply@careerpath.example.fr", message.From.Mailboxes.Single().Address);
            Assert.Contains("https://careerpath.example.fr/", message.TextBody);
        }
        Assert.Equal(pending.Count, await h.CountAsync("SELECT count(*)::int FROM outbox_message WHERE status = 'Sent' AND sent_at IS NOT NULL"));

        var recent = await OutboxMessages.RecentAsync(h.DataSource, limit: 2);
        Assert.Equal(2, recent.Count);
        Assert.All(recent, m => Assert.Equal(("Sent", 1), (m.Status, m.Attempts)));
        Assert.True(recent[0].CreatedAt >= recent[1].CreatedAt);
        Assert.Empty(await OutboxMessages.RecentAsync(h.DataSource, status: "Pending"));

        var again = await Dispatcher(h, new PickupFolderTransport(_folder)).DeliverDueAsync();
        Assert.Equal(0, again.Sent);
        Assert.Equal(pending.Count, Directory.GetFiles(_folder, "*.eml").Length);
    }

    [Fact]
    public async Task An_unreachable_smtp_server_charges_no_attempt_and_retrying_its_incident_probes_at_the_next_run()
    {
        await using var h = await HarnessWithMessagesAsync();
        var total = await h.CountAsync("SELECT count(*)::int FROM outbox_message");
        var closedPort = Smtp4Dev.FreePort();
        var down = Dispatcher(h, new SmtpTransport(new SmtpOptions { Host = "127.0.0.1", Port = closedPort, Security = SecureSocketOptions.None }));

        Assert.True((await down.DeliverDueAsync()).ServerUnreachable);
        h.Clock.Advance(new SmtpOptions().OutageIncidentAfter);
        Assert.True((await down.DeliverDueAsync()).ServerUnreachable);
        Assert.Equal(total, await h.CountAsync("SELECT count(*)::int FROM outbox_message WHERE status = 'Pending' AND attempts = 0"));
        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource));
        Assert.Equal(Incidents.SmtpEffect, incident.Effect);
        Assert.Contains("SocketException ConnectionRefused", incident.Error);

        // The server is back (here: the pickup folder) before the next probe is due; the administrator retries.
        await Incidents.RetryAsync(h.DataSource, incident.Id, "admin:test", h.Clock.GetUtcNow());
        Assert.Equal(0, (await down.DeliverDueAsync()).Sent);
        await Incidents.RetryAsync(h.DataSource, Assert.Single(await Incidents.ListAsync(h.DataSource)).Id, "admin:test", h.Clock.GetUtcNow());
        var delivered = await Dispatcher(h, new PickupFolderTransport(_folder)).DeliverDueAsync();
        Assert.Equal((total, false), (delivered.Sent, delivered.ServerUnreachable));
        Assert.Empty(await Incidents.ListAsync(h.DataSource));
    }

    [Fact]
    public async Task An_invalid_address_is_an_incident_and_the_other_messages_are_still_sent()
    {
        await using var h = await HarnessWithMessagesAsync();
        var total = await h.CountAsync("SELECT count(*)::int FROM outbox_message");
        var bad = (await h.QueryAsync<Guid>("SELECT id FROM outbox_message ORDER BY created_at LIMIT 1")).Single();
        await h.QueryAsync<int>("UPDATE outbox_message SET recipient_address = 'pas une adresse' WHERE id = @bad RETURNING 1", new { bad });

        var result = await Dispatcher(h, new PickupFolderTransport(_folder)).DeliverDueAsync();

        Assert.Equal((total - 1, 1), (result.Sent, result.Failed));
        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource));
        Assert.Equal(bad.ToString(), incident.EffectRef);
        Assert.Contains("pas une adresse", incident.Error);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

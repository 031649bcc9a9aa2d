using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace CareerPath.Workflows.Tests.Notifications;

/// <summary>How the SMTP transport tells a message's failure from the server's, against a real server (smtp4dev).</summary>
public sealed class MailTransportsTests
{
    const string RefusedDomain = "refus.example.fr";

    // smtp4dev takes its recipient rule from its environment (it has no command-line option for it), and the
    // Smtp4Dev it starts inherits ours. Set once and never unset, so no start races a change; only this domain
    // is refused, which no other test uses.
    static MailTransportsTests() =>
        Environment.SetEnvironmentVariable("ServerOptions__RecipientValidationExpression", $"!recipient.endsWith(\"@{RefusedDomain}\")");

    [Fact]
    public async Task A_refused_recipient_counts_its_attempts_to_an_incident_while_the_other_messages_go_and_the_server_stays_reachable()
    {
        await using var smtp = await Smtp4Dev.StartAsync();
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2024-03-01");
        var total = await h.CountAsync("SELECT count(*)::int FROM outbox_message");
        var refused = (await h.QueryAsync<Guid>("SELECT id FROM outbox_message ORDER BY created_at LIMIT 1")).Single();
        await h.QueryAsync<int>($"UPDATE outbox_message SET recipient_address = 'camille@{RefusedDomain}' WHERE id = @refused RETURNING 1", new { refused });
        var transport = new SmtpTransport(new SmtpOptions { Host = "127.0.0.1", Port = smtp.SmtpPort, Security = SecureSocketOptions.None });
        var dispatcher = new OutboxDispatcher(h.DataSource, transport, h.Clock, new SmtpOptions { From = "CareerPath <no-reply@careerpath.example.fr>" }, "https://careerpath.example.fr");

        // The refusal is the message's own (a command error), not the server's.
        var refusal = await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendAsync(Message($"camille@{RefusedDomain}"), default));
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refusal.ErrorCode);

        var first = await dispatcher.DeliverDueAsync();
        Assert.Equal((total - 1, 1, 0, false), (first.Sent, first.Retrying, first.Failed, first.ServerUnreachable));
        for (var attempt = 1; attempt < OutboxDispatcher.MaxAttempts; attempt++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(OutboxDispatcher.BackoffMinutes[attempt - 1]));
            var run = await dispatcher.DeliverDueAsync();
            Assert.Equal(attempt + 1 == OutboxDispatcher.MaxAttempts ? (0, 0, 1) : (0, 1, 0), (run.Sent, run.Retrying, run.Failed));
        }

        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource));
        Assert.Equal(("outbox", refused.ToString(), OutboxDispatcher.MaxAttempts), (incident.Effect, incident.EffectRef, incident.Attempts));
        Assert.Equal(total - 1, (await smtp.MessagesAsync()).Count);
        Assert.Equal(1, await h.CountAsync("SELECT count(*)::int FROM mail_circuit WHERE unreachable_since IS NULL"));
    }

    [Fact]
    public async Task A_closed_port_is_the_server_unreachable_and_names_no_one()
    {
        var transport = new SmtpTransport(new SmtpOptions { Host = "127.0.0.1", Port = Smtp4Dev.FreePort(), Security = SecureSocketOptions.None });

        var e = await Assert.ThrowsAsync<MailServerUnreachableException>(() => transport.SendAsync(Message("camille.martin@mairie-exemple.fr"), default));

        Assert.Contains("ConnectionRefused", e.Message);
        Assert.DoesNotContain("camille", e.Message);
    }

    static MimeKit.MimeMessage Message(string to)
    {
        var message = new MimeKit.MimeMessage { Subject = "Essai", MessageId = OutboxDispatcher.MessageId(Guid.NewGuid()) };
        message.From.Add(MimeKit.MailboxAddress.Parse("no-reply@careerpath.example.fr"));
        message.To.Add(MimeKit.MailboxAddress.Parse(to));
        message.Body = new MimeKit.TextPart("plain") { Text = "Essai" };
        return message;
    }
}

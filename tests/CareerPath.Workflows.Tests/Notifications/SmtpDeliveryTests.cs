using System.Text.Json.Nodes;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Tests.Infrastructure;
using MailKit.Security;
using MimeKit;
using static CareerPath.Workflows.Definitions.ContractTrigger;

namespace CareerPath.Workflows.Tests.Notifications;

/// <summary>The outbox delivered to a real SMTP server (smtp4dev), read back through its HTTP API.</summary>
public sealed class SmtpDeliveryTests
{
    static OutboxDispatcher Dispatcher(EngineHarness h, Smtp4Dev smtp, IMailTransport? transport = null) =>
        new(h.DataSource, transport ?? Transport(smtp), h.Clock, new SmtpOptions { From = "CareerPath <no-reply@careerpath.example.fr>" }, "https://careerpath.example.fr");

    static SmtpTransport Transport(Smtp4Dev smtp) => new(new SmtpOptions { Host = "127.0.0.1", Port = smtp.SmtpPort, Security = SecureSocketOptions.None });

    [Fact]
    public async Task One_advisors_two_year_run_delivers_exactly_the_expected_messages_in_order_to_the_right_recipients()
    {
        await using var smtp = await Smtp4Dev.StartAsync();
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var dispatcher = Dispatcher(h, smtp);
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        async Task Until(string day)
        {
            await h.RunUntilAsync(day);
            await dispatcher.DeliverDueAsync();
        }

        await Until("2024-01-20");
        await h.SignalAsync(contract, TrainingScheduled, Scenario.Training("2024-02-05", "2024-04-26"));
        await dispatcher.DeliverDueAsync();
        await Until("2024-04-29");
        await h.SignalAsync(contract, TrainingCompleted, new JsonObject { ["completedOn"] = "2024-04-26" });
        await h.SignalAsync(contract, ExamPassed, new JsonObject { ["exam"] = "Pix" });
        await h.SignalAsync(contract, ExamPassed, new JsonObject { ["exam"] = "Ccp1" });
        await dispatcher.DeliverDueAsync();
        await Until("2025-01-20");
        await h.SignalAsync(contract, ReviewCompleted);
        await Until("2025-10-20");
        await h.SignalAsync(contract, Decide, new JsonObject { ["kind"] = "Titularisation", ["reason"] = "Emploi permanent" });
        await Until("2027-02-01");

        var received = await smtp.MessagesAsync();
        var expected = new (string To, string SubjectStart)[]
        {
            ("camille.martin@mairie-exemple.fr", "Bienvenue dans le programme Conseiller numérique"),
            ("rh@mairie-exemple.fr", "Versement de subvention attendu"),
            ("camille.martin@mairie-exemple.fr", "Vos prochaines étapes de formation"),
            ("camille.martin@mairie-exemple.fr", "Vos prochaines étapes de formation"),
            ("rh@mairie-exemple.fr", "Entretien de mi-parcours"),
            ("camille.martin@mairie-exemple.fr", "Module thématique à suivre"),
            ("rh@mairie-exemple.fr", "Décision à notifier avant le vendredi 14 novembre 2025"), // notice − 60 days, 15 Sept. 2025
            ("rh@mairie-exemple.fr", "Décision à notifier avant le vendredi 14 novembre 2025"), // notice − 30 days, 15 Oct. 2025
            ("rh@mairie-exemple.fr", "Fin du financement le mercredi 14 janvier 2026"),          // funding end − 90 days
            ("camille.martin@mairie-exemple.fr", "Décision enregistrée : titularisation"),          // the decision, to the advisor
            ("drh@mairie-exemple.fr", "Décision enregistrée : titularisation"),                     // and to the HR lead
            ("rh@mairie-exemple.fr", "Suivi à 6 mois"),
            ("rh@mairie-exemple.fr", "Suivi à 12 mois"),
        };
        // The two messages of one transition (the decision, to the advisor and to the HR lead) may leave in either order.
        static IEnumerable<(string To, string Subject)> Ordered(IEnumerable<(string To, string Subject)> mails) =>
            mails.Select((m, i) => (m, i)).OrderBy(x => x.m.Subject.StartsWith("Décision enregistrée") ? 9 : x.i).ThenBy(x => x.m.To).Select(x => x.m);
        var sent = Ordered(received.Select(r => (r.Message.To.Mailboxes.Single().Address, r.Message.Subject ?? ""))).ToList();
        Assert.Equal(Ordered(expected).Select(e => e.To), sent.Select(r => r.To));
        Assert.All(Ordered(expected).Zip(sent), pair => Assert.StartsWith(pair.First.Subject, pair.Second.Subject));
        // Each message is its outbox row, sent once.
        var rows = await h.QueryAsync<Guid>("SELECT id FROM outbox_message WHERE status = 'Sent' ORDER BY sent_at, created_at");
        Assert.Equal(rows.Select(OutboxDispatcher.MessageId).Order(), received.Select(r => r.Message.MessageId).Order());
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM outbox_message WHERE status <> 'Sent'"));
        Assert.Contains("Règle notice.public-contract — Décret n° 88-145", received[6].Message.TextBody);
        Assert.Contains("https://careerpath.example.fr/contracts/", received[6].Message.TextBody);

        // Deadline reminders carry the deadline as an .ics event that calendars read back; the
        // reminders of one deadline (60 and 30 days before) are the same event.
        var sixtyDays = await EventAsync(received[6].Message);
        // Machines read them right: no automatic reply to any message, and each .ics is a published event of CareerPath's.
        Assert.All(received, r => Assert.Equal("auto-generated", r.Message.Headers["Auto-Submitted"]));
        Assert.Equal(new DateOnly(2025, 11, 14), DateOnly.FromDateTime(sixtyDays.DtStart!.Value));
        Assert.EndsWith("-decision-reminder-20251114@careerpath", sixtyDays.Uid);
        Assert.Equal(sixtyDays.Uid, (await EventAsync(received[7].Message)).Uid);
        Assert.Empty(received[0].Message.Attachments); // the welcome e-mail has no deadline to keep
    }

    [Fact]
    public async Task A_three_hour_smtp_outage_charges_no_attempt_opens_one_incident_and_each_message_arrives_once_when_it_is_back()
    {
        await using var smtp = await Smtp4Dev.StartAsync();
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await Scenario.StartPublicCddAsync(h);
        await h.RunUntilAsync("2024-03-01");
        var ids = await h.QueryAsync<Guid>("SELECT id FROM outbox_message");
        Assert.True(ids.Count >= 3);
        var tries = new CountingTransport(Transport(smtp));
        // Two nodes on one database: the circuit is theirs together.
        var nodes = new[] { Dispatcher(h, smtp, tries), Dispatcher(h, smtp, tries) };
        var after = new SmtpOptions().OutageIncidentAfter;
        Assert.Equal(TimeSpan.FromMinutes(30), after);

        await smtp.StopAsync();
        var start = h.Clock.GetUtcNow();
        var runs = 0;
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(3); elapsed += TimeSpan.FromMinutes(5), runs++)
        {
            h.Clock.SetUtcNow(start + elapsed);
            // Both nodes run at the same moment: one probe between them.
            foreach (var node in nodes)
            {
                var run = await node.DeliverDueAsync();
                Assert.Equal((0, 0, 0, true), (run.Sent, run.Retrying, run.Failed, run.ServerUnreachable));
            }
            Assert.Equal(runs + 1, tries.Count);
            Assert.Equal(elapsed >= after ? 1 : 0, await h.CountAsync("SELECT count(*)::int FROM incident"));
        }
        // Nothing charged, nothing lost: every message as it was, and one incident for the whole outage.
        Assert.Equal(ids.Count, await h.CountAsync("SELECT count(*)::int FROM outbox_message WHERE status = 'Pending' AND attempts = 0 AND last_error IS NULL"));
        var incident = Assert.Single(await Incidents.ListAsync(h.DataSource));
        Assert.Equal((Incidents.SmtpEffect, (Guid?)null), (incident.Effect, incident.InstanceId));
        Assert.Equal(start + after, incident.CreatedAt);
        Assert.Equal([start], await h.QueryAsync<DateTimeOffset>("SELECT unreachable_since FROM mail_circuit"));

        await smtp.StartAgainAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var delivered = await nodes[0].DeliverDueAsync();
        Assert.Equal((ids.Count, false), (delivered.Sent, delivered.ServerUnreachable));
        Assert.Equal(0, (await nodes[1].DeliverDueAsync()).Sent);

        var received = await smtp.MessagesAsync();
        Assert.Equal(ids.Select(OutboxDispatcher.MessageId).Order(), received.Select(r => r.Message.MessageId).Order());
        Assert.Empty(await Incidents.ListAsync(h.DataSource));
        Assert.Equal("system", Assert.Single(await Incidents.ListAsync(h.DataSource, openOnly: false)).ResolvedBy);
        Assert.Equal(1, await h.CountAsync("SELECT count(*)::int FROM mail_circuit WHERE unreachable_since IS NULL AND incident_id IS NULL"));
    }

    [Fact]
    public async Task A_crash_after_the_server_accepted_a_message_resends_it_with_the_same_message_id()
    {
        await using var smtp = await Smtp4Dev.StartAsync();
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await Scenario.StartPublicCddAsync(h);
        var pending = await h.CountAsync("SELECT count(*)::int FROM outbox_message");

        // The server accepts the first message, then the process dies before the row is marked sent:
        // the exception escapes the dispatcher and its transaction is rolled back, as a crash would.
        await Assert.ThrowsAsync<OperationCanceledException>(() => Dispatcher(h, smtp, new CrashAfterAcceptance(Transport(smtp))).DeliverDueAsync());
        Assert.Equal(pending, await h.CountAsync("SELECT count(*)::int FROM outbox_message WHERE status = 'Pending' AND attempts = 0"));
        await Dispatcher(h, smtp).DeliverDueAsync();

        var received = await smtp.MessagesAsync();
        var duplicates = received.GroupBy(r => r.Message.MessageId).Where(g => g.Count() > 1).ToList();
        // Counted, not hidden: exactly one message arrived twice, both times with the same Message-Id.
        var duplicate = Assert.Single(duplicates);
        Assert.Equal(2, duplicate.Count());
        Assert.Equal(pending + 1, received.Count);
        Assert.Equal(pending, await h.CountAsync("SELECT count(*)::int FROM outbox_message WHERE status = 'Sent'"));
    }

    static async Task<Ical.Net.CalendarComponents.CalendarEvent> EventAsync(MimeMessage message)
    {
        var ics = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("text/calendar", ics.ContentType.MimeType);
        Assert.Equal("PUBLISH", ics.ContentType.Parameters["method"]);
        using var content = new MemoryStream();
        await ics.Content!.DecodeToAsync(content);
        var calendar = Ical.Net.Calendar.Load(System.Text.Encoding.UTF8.GetString(content.ToArray()))!;
        Assert.Equal(("PUBLISH", "-//CareerPath//Conseillers numériques//FR"), (calendar.Method, calendar.ProductId));
        return Assert.Single(calendar.Events);
    }

    /// <summary>The real transport, counting how often the server was tried.</summary>
    sealed class CountingTransport(IMailTransport inner) : IMailTransport
    {
        int _count;
        public int Count => _count;

        public Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            Interlocked.Increment(ref _count);
            return inner.SendAsync(message, ct);
        }
    }

    /// <summary>Fault injection around the real transport: the send succeeds, then the "process" fails.</summary>
    sealed class CrashAfterAcceptance(IMailTransport inner) : IMailTransport
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            await inner.SendAsync(message, ct);
            throw new OperationCanceledException("the process stops right after the SMTP server accepted the message");
        }
    }
}

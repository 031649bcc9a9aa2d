using System.Text;
using System.Text.Json.Nodes;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Npgsql;

namespace CareerPath.Workflows.Notifications;

/// <param name="ServerUnreachable">The run stopped because the mail server could not be reached (or was paused: the circuit is open).</param>
public sealed record DeliveryResult(int Sent, int Retrying, int Failed, bool ServerUnreachable = false);

/// <summary>
/// Sends the outbox. Each message is claimed alone (FOR UPDATE SKIP LOCKED), sent, and marked sent
/// in the same transaction only after the server accepted it: a crash between the two re-sends that
/// one message, with the same Message-Id. A failure of the message (refused recipient or content) is
/// retried with back-off; after the last attempt, or at once when the message cannot be built (bad
/// address, template without its value), it becomes an incident, and the other messages go on.
/// A server that cannot be reached charges no message: it opens the shared <see cref="MailCircuit"/>,
/// which pauses delivery for every node until a probe gets through.
/// </summary>
public sealed class OutboxDispatcher(NpgsqlDataSource db, IMailTransport transport, TimeProvider time, SmtpOptions options, string baseUrl,
    ILogger<OutboxDispatcher>? log = null)
{
    /// <summary>Minutes to wait after the 1st, 2nd... failure; one attempt more than its length, then an incident.</summary>
    public static readonly int[] BackoffMinutes = [1, 5, 15, 60];
    public static int MaxAttempts => BackoffMinutes.Length + 1;
    public const string MessageIdDomain = "careerpath";

    readonly ILogger _log = (ILogger?)log ?? NullLogger.Instance;
    // Parsed once: a wrong sender is a configuration error at start, not an incident per message.
    readonly MailboxAddress _from = MailboxAddress.Parse(options.From);

    sealed record Row
    {
        public Guid Id { get; init; }
        public Guid? InstanceId { get; init; }
        public string RecipientAddress { get; init; } = "";
        public string TemplateId { get; init; } = "";
        public string Data { get; init; } = "{}";
        public int Attempts { get; init; }
    }

    public async Task<DeliveryResult> DeliverDueAsync(CancellationToken ct = default)
    {
        DapperTypes.Register();
        int sent = 0, retrying = 0, failed = 0;
        // Read once per run: a node that opens the circuit meanwhile is heard from at this run's next failure.
        var open = (await MailCircuit.ReadAsync(db, ct)).IsOpen;
        // Open: this run may only probe, and only if no other run (of any node) did within the interval.
        if (open && !await MailCircuit.TryClaimProbeAsync(db, time.GetUtcNow(), options.ProbeInterval, ct))
            return new DeliveryResult(0, 0, 0, ServerUnreachable: true);
        while (true)
        {
            var now = time.GetUtcNow();
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
                SELECT id, instance_id AS InstanceId, recipient_address AS RecipientAddress, template_id AS TemplateId, data::text AS Data, attempts
                  FROM outbox_message
                 WHERE status = 'Pending' AND next_attempt_at <= @now
                 ORDER BY next_attempt_at, created_at, id
                 LIMIT 1
                 FOR UPDATE SKIP LOCKED
                """, new { now }, tx, cancellationToken: ct));
            if (row is null) return new DeliveryResult(sent, retrying, failed);

            MimeMessage message;
            try
            {
                message = Build(row);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever stops this message from being built is this message's incident, not the outbox's.
                await FailAsync(conn, tx, row, row.Attempts, e.Message, now, ct);
                await tx.CommitAsync(ct);
                failed++;
                continue;
            }
            try
            {
                await transport.SendAsync(message, ct);
            }
            catch (MailServerUnreachableException e)
            {
                // Not this message's fault: it stays as it was (no attempt, same due time), and nobody sends until a probe gets through.
                await tx.RollbackAsync(CancellationToken.None);
                var outcome = await MailCircuit.RecordUnreachableAsync(conn, now, e.Message, options, CancellationToken.None);
                if (outcome.Opened)
                    _log.LogWarning("SMTP server unreachable: delivery paused for every node, one probe every {Interval}: {Error}", options.ProbeInterval, e.Message);
                else
                    _log.LogDebug("SMTP probe failed: {Error}", e.Message);
                if (outcome.IncidentOpened)
                    _log.LogError("SMTP server unreachable since {Since:O} (longer than {After}): incident opened", outcome.UnreachableSince, options.OutageIncidentAfter);
                return new DeliveryResult(sent, retrying, failed, ServerUnreachable: true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var attempts = row.Attempts + 1;
                if (attempts >= MaxAttempts)
                {
                    await FailAsync(conn, tx, row, attempts, e.Message, now, ct);
                    failed++;
                }
                else
                {
                    await conn.ExecuteAsync("""
                        UPDATE outbox_message SET attempts = @attempts, next_attempt_at = @next, last_error = @error WHERE id = @id
                        """, new { attempts, next = now.AddMinutes(BackoffMinutes[attempts - 1]), error = e.Message, id = row.Id }, tx);
                    retrying++;
                }
                // The server's text may quote the address: it stays in last_error, not in the log.
                _log.LogWarning("Message {Id} ({Template}) not sent, attempt {Attempts}: {Error}", row.Id, row.TemplateId, attempts, e.GetType().Name);
                // The server answered (it refused this message): it is reachable, and the others go on.
                open = await CloseCircuitIfOpenAsync(conn, tx, open, now);
                await tx.CommitAsync(CancellationToken.None);
                continue;
            }
            await conn.ExecuteAsync("""
                UPDATE outbox_message SET status = 'Sent', sent_at = @now, attempts = attempts + 1, last_error = NULL WHERE id = @id
                """, new { now, id = row.Id }, tx);
            open = await CloseCircuitIfOpenAsync(conn, tx, open, now);
            // Accepted by the server: record it even if a shutdown was asked meanwhile.
            await tx.CommitAsync(CancellationToken.None);
            sent++;
        }
    }

    /// <summary>Closes the circuit in the message's transaction when this run found it open; false (closed) from then on.</summary>
    async Task<bool> CloseCircuitIfOpenAsync(NpgsqlConnection conn, NpgsqlTransaction tx, bool open, DateTimeOffset now)
    {
        if (!open) return false;
        if (await MailCircuit.CloseAsync(conn, tx, now, CancellationToken.None) is { } since)
            _log.LogInformation("SMTP server reachable again after {Outage}: delivery resumed", now - since);
        return false;
    }

    /// <summary>The Message-Id a row is always sent with, so a re-sent message is recognisable.</summary>
    public static string MessageId(Guid outboxId) => $"{outboxId}@{MessageIdDomain}";

    MimeMessage Build(Row row)
    {
        if (!MailboxAddress.TryParse(row.RecipientAddress, out var to) || !to.Address.Contains('@'))
            throw new FormatException($"Adresse du destinataire invalide : « {row.RecipientAddress} ».");
        var mail = MailTemplates.Render(row.TemplateId, JsonNode.Parse(row.Data)!.AsObject(), baseUrl);
        var message = new MimeMessage { Subject = mail.Subject, MessageId = MessageId(row.Id), Date = time.GetUtcNow() };
        message.From.Add(_from);
        message.To.Add(to);
        // No human wrote it: an out-of-office or other automatic reply must not answer it (RFC 3834 §5),
        // and Exchange, which reads its own header rather than RFC 3834's, is asked the same.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        var body = new BodyBuilder { TextBody = mail.Text, HtmlBody = mail.Html };
        if (mail.Deadline is { } deadline)
            body.Attachments.Add("echeance.ics", Encoding.UTF8.GetBytes(Calendar(row, deadline, mail.Text)),
                new ContentType("text", "calendar") { Charset = "utf-8", Parameters = { { "method", CareerCalendar.Method } } });
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>
    /// An all-day event on the deadline. Its UID names the instance, the template and the day, so the
    /// reminders of one deadline (60, 30, 7 days before) update one event, and a moved deadline is a new one.
    /// </summary>
    string Calendar(Row row, MailDeadline deadline, string description)
    {
        var calendar = new Ical.Net.Calendar();
        calendar.Events.Add(CareerCalendar.AllDay($"{row.InstanceId?.ToString() ?? row.Id.ToString()}-{row.TemplateId}-{deadline.Day:yyyyMMdd}@{MessageIdDomain}",
            deadline.Summary, description, deadline.Day, time.GetUtcNow()));
        return CareerCalendar.Serialize(calendar);
    }

    static async Task FailAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Row row, int attempts, string error, DateTimeOffset now, CancellationToken ct)
    {
        await conn.ExecuteAsync("UPDATE outbox_message SET status = 'Failed', attempts = @attempts, last_error = @error WHERE id = @id",
            new { attempts, error, id = row.Id }, tx);
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { Incidents.Command(row.InstanceId, "outbox", row.Id.ToString(), error, attempts, now) } };
        await batch.ExecuteNonQueryAsync(ct);
    }
}

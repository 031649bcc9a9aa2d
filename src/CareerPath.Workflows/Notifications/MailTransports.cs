using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace CareerPath.Workflows.Notifications;

/// <summary>Hands a message over. Returns only once the other side accepted it; throws otherwise.</summary>
/// <remarks>
/// A <see cref="MailServerUnreachableException"/> says that nothing could be sent, whatever the message: the
/// outbox then pauses for everyone without charging the message. Any other exception is this message's failure.
/// </remarks>
public interface IMailTransport
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>
/// The mail server could not take any message (no connection, TLS or authentication failure, server gone or
/// out of service before it accepted the message). Its text names the failure, never a recipient.
/// </summary>
public sealed class MailServerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

public sealed record SmtpOptions
{
    public string Host { get; init; } = "";
    public int Port { get; init; } = 25;
    /// <summary>None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; init; } = SecureSocketOptions.Auto;
    public string? UserName { get; init; }
    public string? Password { get; init; }
    public string From { get; init; } = "CareerPath <no-reply@careerpath.localhost>";

    /// <summary>
    /// How long the server may stay unreachable before an incident is opened. 30 minutes: a relay restart or a
    /// maintenance window is shorter, so it raises no false alarm; reminders are about deadlines weeks away, so
    /// half an hour late harms nobody; and it is well before the 81 minutes a message's own back-off takes.
    /// </summary>
    public TimeSpan OutageIncidentAfter { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>While the server is unreachable, one message is tried at most this often, by one node of all.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>SMTP through MailKit, one connection per message: reminders are few, and a broken connection stays one message's problem.</summary>
public sealed class SmtpTransport(SmtpOptions options) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = 30_000 };
        try
        {
            await client.ConnectAsync(options.Host, options.Port, options.Security, ct);
            if (!string.IsNullOrEmpty(options.UserName))
                await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Before a message is named (connect, greeting, TLS, EHLO, AUTH) every failure is the server's or
            // the configuration's: no message would get through, so none is charged.
            throw new MailServerUnreachableException($"Connexion au serveur SMTP impossible : {Describe(e)}", e);
        }
        try
        {
            await client.SendAsync(message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && IsServerFailure(e))
        {
            throw new MailServerUnreachableException($"Serveur SMTP indisponible pendant l'envoi : {Describe(e)}", e);
        }
        // Accepted: a failing QUIT must not make the message look unsent (it would be sent again).
        try { await client.DisconnectAsync(quit: true, ct); }
        catch (Exception e) when (e is not OperationCanceledException) { }
    }

    /// <summary>
    /// During MAIL/RCPT/DATA, what fails for any message is the server's: the session broke (socket, I/O,
    /// protocol: the server went away before it accepted), the server said it is closing (421), or it wants
    /// authentication or TLS we did not give (530, 534, 538, 454 — configuration, same for every message).
    /// A refusal of the sender, a recipient or the content otherwise (SmtpCommandException with
    /// SenderNotAccepted, RecipientNotAccepted or MessageNotAccepted, 4xx or 5xx) is about this message: the
    /// server answered, so it is reachable; the message counts its attempts and others go on. Anything else
    /// (MIME that cannot be written, an argument MailKit rejects) is the message's too. When unsure we prefer
    /// the message: a message wrongly charged becomes one incident; a message wrongly blamed on the server
    /// would hold the circuit open for everyone, probe after probe.
    /// </summary>
    static bool IsServerFailure(Exception e) => e switch
    {
        SmtpCommandException c => c.StatusCode is SmtpStatusCode.ServiceNotAvailable or SmtpStatusCode.AuthenticationRequired
            or SmtpStatusCode.AuthenticationMechanismTooWeak or SmtpStatusCode.EncryptionRequiredForAuthenticationMechanism
            or SmtpStatusCode.TemporaryAuthenticationFailure,
        ServiceNotAuthenticatedException or ServiceNotConnectedException or SmtpProtocolException or IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>The kind of failure and its codes, without the server's free text (which may quote an address).</summary>
    static string Describe(Exception e) => e switch
    {
        SmtpCommandException c => $"{nameof(SmtpCommandException)} {(int)c.StatusCode} {c.StatusCode}",
        SocketException s => $"{nameof(SocketException)} {s.SocketErrorCode}",
        _ when e.InnerException is SocketException s => $"{e.GetType().Name} ({nameof(SocketException)} {s.SocketErrorCode})",
        _ => e.GetType().Name,
    };
}

/// <summary>
/// With no SMTP server configured, each message becomes an .eml file named after its Message-Id:
/// a message sent twice overwrites its own file. Written to a temporary name, then moved, so a
/// reader never sees half a message.
/// </summary>
public sealed class PickupFolderTransport(string folder) : IMailTransport
{
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The outbox row a file was written for (its name is the row's Message-Id), or null for any other file.</summary>
    public static Guid? OutboxIdOf(string path)
    {
        var name = Path.GetFileName(path);
        var suffix = $"@{OutboxDispatcher.MessageIdDomain}.eml";
        return name.EndsWith(suffix, StringComparison.Ordinal) && Guid.TryParse(name[..^suffix.Length], out var id) ? id : null;
    }

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var name = string.Concat((message.MessageId ?? throw new ArgumentException("A message needs a Message-Id.")).Split(Path.GetInvalidFileNameChars()));
        var target = Path.Combine(Folder, $"{name}.eml");
        var temporary = target + ".tmp";
        try
        {
            // The messages name people: the folder is its owner's only (when this creates it).
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Folder);
            else Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await using (var file = File.Create(temporary))
                await message.WriteToAsync(file, ct);
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a folder we may not write is the same for every message: the outbox's circuit, not an incident each.
            throw new MailServerUnreachableException($"Dossier de dépôt des e-mails inaccessible : {e.GetType().Name}", e);
        }
    }
}

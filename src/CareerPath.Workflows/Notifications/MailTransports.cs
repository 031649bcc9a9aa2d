using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace CareerPath.Workflows.Notifications;

/// <summary>Hands a message over. Returns only once the other side accepted it; throws otherwise.</summary>
public interface IMailTransport
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

public sealed record SmtpOptions
{
    public string Host { get; init; } = "";
    public int Port { get; init; } = 25;
    /// <summary>None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; init; } = SecureSocketOptions.Auto;
    public string? UserName { get; init; }
    public string? Password { get; init; }
    public string From { get; init; } = "CareerPath <no-reply@careerpath.localhost>";
}

/// <summary>SMTP through MailKit, one connection per message: reminders are few, and a broken connection stays one message's problem.</summary>
public sealed class SmtpTransport(SmtpOptions options) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync(options.Host, options.Port, options.Security, ct);
        if (!string.IsNullOrEmpty(options.UserName))
            await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}

/// <summary>
/// With no SMTP server configured, each message becomes an .eml file named after its Message-Id:
/// a message sent twice overwrites its own file. Written to a temporary name, then moved, so a
/// reader never sees half a message.
/// </summary>
public sealed class PickupFolderTransport(string folder) : IMailTransport
{
    public string Folder { get; } = Path.GetFullPath(folder);

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        // The messages name people: the folder is its owner's only (when this creates it).
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Folder);
        else Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var name = string.Concat((message.MessageId ?? throw new ArgumentException("A message needs a Message-Id.")).Split(Path.GetInvalidFileNameChars()));
        var target = Path.Combine(Folder, $"{name}.eml");
        var temporary = target + ".tmp";
        await using (var file = File.Create(temporary))
            await message.WriteToAsync(file, ct);
        File.Move(temporary, target, overwrite: true);
    }
}

using System.Security.Cryptography;
using System.Text;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Security;

/// <summary>
/// Stable pseudonyms for union auditors: a keyed hash (HMAC-SHA256) of the record id, so the same
/// advisor has the same pseudonym in every report and log, and nobody without the key (kept in the
/// database, never sent) can go back from pseudonym to id. "A-" advisors, "C-" contracts, "S-" structures.
/// </summary>
public sealed class Pseudonyms(AdminSecrets secrets)
{
    const string KeyName = "pseudonym-key";
    const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    byte[]? _key;

    public async Task<Func<char, Guid, string>> ForRequestAsync(CancellationToken ct = default)
    {
        var key = _key ??= await LoadKeyAsync(ct);
        return (prefix, id) => Of(key, prefix, id);
    }

    static string Of(byte[] key, char prefix, Guid id)
    {
        var hash = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{prefix}:{id:N}"));
        var text = new StringBuilder(12).Append(prefix).Append('-');
        // 10 characters of 5 bits: 50 bits, no collision to fear at the program's scale.
        for (var i = 0; i < 10; i++) text.Append(Alphabet[hash[i] % 32]);
        return text.ToString();
    }

    // The first caller creates the key; concurrent first callers all read the one that won.
    Task<byte[]> LoadKeyAsync(CancellationToken ct) => secrets.GetOrCreateAsync(KeyName, RandomNumberGenerator.GetBytes(32), ct);
}

using System.Security.Claims;
using System.Security.Cryptography;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace CareerPath.Server.Security;

/// <summary>
/// Sign-in sessions kept on the server (the cookie handler's ticket store): the cookie carries a
/// random key, the ticket lives in PostgreSQL. Signing out deletes the row, so a copy of the cookie
/// taken before is worth nothing; an administrator disabling an account or changing its scope deletes
/// its rows too (AccountStore.UpdateAsync). Several nodes share the sessions through the database.
/// </summary>
public sealed class ServerSessions(WebSessionStore store, TimeProvider time) : ITicketStore
{
    static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        // 256 random bits: the key is the session, so it must not be guessable.
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var userId = Guid.Parse(ticket.Principal.FindFirstValue(CareerPathClaims.UserId) ?? throw new InvalidOperationException("A session needs an account."));
        var now = time.GetUtcNow();
        await store.CreateAsync(key, userId, TicketSerializer.Default.Serialize(ticket), now, ticket.Properties.ExpiresUtc ?? now + DefaultLifetime);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) =>
        store.RenewAsync(key, TicketSerializer.Default.Serialize(ticket), ticket.Properties.ExpiresUtc ?? time.GetUtcNow() + DefaultLifetime);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        // A key that is not one of ours is not worth a query.
        if (key.Length != 64) return null;
        var bytes = await store.FindAsync(key, time.GetUtcNow());
        return bytes is null ? null : TicketSerializer.Default.Deserialize(bytes);
    }

    public Task RemoveAsync(string key) => store.EndAsync(key);
}

using System.Security.Claims;
using System.Security.Cryptography;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authentication;

namespace CareerPath.Server.Security;

/// <summary>
/// Sign-in sessions kept on the server. Each sign-in makes a row with a random id, carried in the
/// (protected) cookie as a claim; the cookie is honoured only while the row lives. Signing out
/// deletes the row, so a copy of the cookie taken before is worth nothing; an administrator disabling
/// an account or changing its scope deletes its rows (AccountStore.UpdateAsync). A sign-in always
/// makes a new row: a cookie from an ended session never comes back to life.
/// </summary>
public sealed class ServerSessions(WebSessionStore store, TimeProvider time)
{
    public const string Claim = "careerpath:session";
    /// <summary>The session's length, sliding: the cookie's own expiry, and twice the row's renewal step.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>Opens a session for the principal and signs the browser in with it.</summary>
    public async Task SignInAsync(HttpContext http, ClaimsPrincipal principal)
    {
        await http.SignInAsync(Authentication.Cookie, await OpenAsync(principal, http.RequestAborted));
    }

    /// <summary>A new session row; the principal carrying its id (ProConnect's sign-in hands it to the cookie itself).</summary>
    public async Task<ClaimsPrincipal> OpenAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var userId = Guid.Parse(principal.FindFirstValue(CareerPathClaims.UserId) ?? throw new InvalidOperationException("A session needs an account."));
        var now = time.GetUtcNow();
        await store.CreateAsync(id, userId, now, now + Lifetime, ct);
        return With(principal, id);
    }

    /// <summary>Ends the browser's session on the server, then clears its cookie.</summary>
    public async Task SignOutAsync(HttpContext http)
    {
        if (http.User.FindFirstValue(Claim) is { } id) await store.EndAsync(id, http.RequestAborted);
        await http.SignOutAsync(Authentication.Cookie);
    }

    /// <summary>Whether the session a cookie names is live (and for that account).</summary>
    public async Task<string?> LiveSessionAsync(ClaimsPrincipal cookie, Guid userId, CancellationToken ct) =>
        cookie.FindFirstValue(Claim) is { Length: 64 } id && await store.IsLiveAsync(id, userId, time.GetUtcNow(), Lifetime / 2, ct) ? id : null;

    /// <summary>The principal with the session's id added (a principal rebuilt from the database must keep it).</summary>
    public static ClaimsPrincipal With(ClaimsPrincipal principal, string sessionId)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        foreach (var old in identity.FindAll(Claim).ToList()) identity.RemoveClaim(old);
        identity.AddClaim(new Claim(Claim, sessionId));
        return principal;
    }
}

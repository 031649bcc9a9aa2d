using System.Security.Claims;
using System.Security.Cryptography;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Identity;

namespace CareerPath.Server.Security;

public sealed record NewAccount(string Email, string DisplayName, string Role, string? Password, IReadOnlyList<Guid> Structures, Guid? AdvisorId);

public enum LoginOutcome { Success, Invalid, LockedOut }

/// <summary>
/// Local accounts: ASP.NET Core Identity's password hasher (PBKDF2, salted, versioned), lockout after
/// repeated failures, the claims of a signed-in principal, API tokens and calendar-feed secrets.
/// Secrets handed out (tokens, feed URLs) are kept only as SHA-256 digests.
/// </summary>
public sealed class Accounts(AccountStore store, TimeProvider time, AccountOptions options)
{
    readonly PasswordHasher<AccountRow> _hasher = new();

    public const string TokenPrefix = "cpt_";

    public async Task<(LoginOutcome Outcome, AccountRow? Account)> CheckPasswordAsync(string email, string password, CancellationToken ct = default)
    {
        // A locked account is answered without taking its row lock, so that a flood of attempts on it
        // does not queue on the lock holding connections; the dummy hash keeps the timing the same.
        var peek = await store.FindByEmailAsync(email, ct);
        if (peek?.LockedUntil is { } lockedUntil && lockedUntil > time.GetUtcNow())
        {
            _hasher.VerifyHashedPassword(new AccountRow(), DummyHash, password);
            return (LoginOutcome.LockedOut, null);
        }
        // The account's row stays locked while its password is checked: parallel guesses at one
        // account are counted one after the other, so none slips past the limit.
        await using var attempt = await store.BeginSignInAsync(email, ct);
        var account = attempt.Account;
        var now = time.GetUtcNow();
        if (account is null || account.PasswordHash is null || account.Disabled)
        {
            // The same work as a real check, so timing does not tell which accounts exist.
            _hasher.VerifyHashedPassword(new AccountRow(), DummyHash, password);
            return (LoginOutcome.Invalid, null);
        }
        var locked = account.LockedUntil is { } until && until > now;
        // Always hashed, locked or not: the time taken does not tell a locked account either.
        var result = _hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (locked) return (LoginOutcome.LockedOut, null);
        // A lock that has run out starts the count again.
        var failures = account.LockedUntil is null ? account.FailedLogins : 0;
        if (result == PasswordVerificationResult.Failed)
        {
            failures++;
            await attempt.RecordFailureAsync(failures, failures >= options.MaxFailedLogins ? now + options.LockoutDuration : null, ct);
            return (LoginOutcome.Invalid, null);
        }
        var rehash = result == PasswordVerificationResult.SuccessRehashNeeded ? _hasher.HashPassword(account, password) : account.PasswordHash;
        await attempt.RecordSuccessAsync(rehash, ct);
        return (LoginOutcome.Success, account);
    }

    static readonly string DummyHash = new PasswordHasher<AccountRow>().HashPassword(new AccountRow(), Guid.NewGuid().ToString());

    /// <summary>The principal of an account as it is now in the database; null when it is gone or disabled.</summary>
    public async Task<ClaimsPrincipal?> PrincipalAsync(Guid userId, string scheme, CancellationToken ct = default)
    {
        if (await store.FindWithStructuresAsync(userId, ct) is not ({ } account, var structures) || account.Disabled) return null;
        var claims = new List<Claim>
        {
            new(CareerPathClaims.UserId, account.Id.ToString()),
            new(ClaimTypes.Name, account.Email),
            new(ClaimTypes.Role, account.Role),
        };
        if (account.Role == Roles.Hr) claims.AddRange(structures.Select(s => new Claim(CareerPathClaims.Structure, s.ToString())));
        if (account.AdvisorId is { } advisor) claims.Add(new Claim(CareerPathClaims.Advisor, advisor.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public Task<AccountRow?> FindByEmailAsync(string email, CancellationToken ct = default) => store.FindByEmailAsync(email, ct);

    public async Task<Guid> CreateAsync(NewAccount account, CancellationToken ct = default)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow());
        var hash = account.Password is null ? null : _hasher.HashPassword(new AccountRow { Id = id }, account.Password);
        await store.CreateAsync(id, account.Email, account.DisplayName, account.Role, hash, account.Structures, account.AdvisorId, time.GetUtcNow(), ct);
        return id;
    }

    /// <summary>Hashes and stores a new password, lifts the lockout, ends the account's web sessions and revokes its API tokens; false when there is no such account.</summary>
    public Task<bool> SetPasswordAsync(Guid userId, string password, CancellationToken ct = default) =>
        store.SetPasswordAsync(userId, _hasher.HashPassword(new AccountRow { Id = userId }, password), time.GetUtcNow(), ct);

    /// <summary>
    /// A password drawn by the server for an administrator to hand over: 4 groups of 5 characters from an
    /// alphabet without look-alikes (no 0/O, 1/l/I): over 110 bits, yet easy to read out and to type.
    /// </summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 20);
        return string.Join('-', Enumerable.Range(0, 4).Select(i => new string(chars, i * 5, 5)));
    }

    // ---- secrets: API tokens and calendar feeds ----

    public static string NewSecret(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Digest(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<(Guid Id, string Token)> CreateTokenAsync(Guid userId, string name, DateTimeOffset? expiresAt, CancellationToken ct = default)
    {
        var token = NewSecret(TokenPrefix);
        var id = Guid.CreateVersion7(time.GetUtcNow());
        await store.CreateTokenAsync(id, userId, name, Digest(token), time.GetUtcNow(), expiresAt, ct);
        return (id, token);
    }

    /// <summary>The account a token belongs to, if the token is live.</summary>
    public Task<Guid?> FindTokenUserAsync(string token, CancellationToken ct = default) =>
        store.FindTokenUserAsync(Digest(token), time.GetUtcNow(), ct);
}

/// <summary>Lockout settings (CareerPath:Accounts).</summary>
public sealed class AccountOptions
{
    public int MaxFailedLogins { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
}

using System.Security.Claims;
using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace CareerPath.Server.Security;

public sealed record AccountRow
{
    public Guid Id { get; init; }
    public string Email { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string Role { get; init; } = "";
    public string? PasswordHash { get; init; }
    public Guid? AdvisorId { get; init; }
    public int FailedLogins { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public bool Disabled { get; init; }
}

public sealed record NewAccount(string Email, string DisplayName, string Role, string? Password, IReadOnlyList<Guid> Structures, Guid? AdvisorId);

public enum LoginOutcome { Success, Invalid, LockedOut }

/// <summary>
/// Local accounts: ASP.NET Core Identity's password hasher (PBKDF2, salted, versioned), lockout after
/// repeated failures, the claims of a signed-in principal, API tokens and calendar-feed secrets.
/// Secrets handed out (tokens, feed URLs) are kept only as SHA-256 digests.
/// </summary>
public sealed class Accounts(NpgsqlDataSource db, TimeProvider time, AccountOptions options)
{
    readonly PasswordHasher<AccountRow> _hasher = new();

    public const string TokenPrefix = "cpt_";

    public async Task<(LoginOutcome Outcome, AccountRow? Account)> CheckPasswordAsync(string email, string password, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // A locked account is answered without taking its row lock, so that a flood of attempts on it
        // does not queue on the lock holding connections; the dummy hash keeps the timing the same.
        var peek = await conn.QuerySingleOrDefaultAsync<AccountRow>(Select + " WHERE lower(email) = lower(@email)", new { email });
        if (peek?.LockedUntil is { } lockedUntil && lockedUntil > time.GetUtcNow())
        {
            _hasher.VerifyHashedPassword(new AccountRow(), DummyHash, password);
            return (LoginOutcome.LockedOut, null);
        }
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The account's row stays locked while its password is checked: parallel guesses at one
        // account are counted one after the other, so none slips past the limit.
        var account = await conn.QuerySingleOrDefaultAsync<AccountRow>(Select + " WHERE lower(email) = lower(@email) FOR UPDATE", new { email }, tx);
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
            await conn.ExecuteAsync("UPDATE app_user SET failed_logins = @failures, locked_until = @lockedUntil WHERE id = @id", new
            {
                id = account.Id, failures,
                lockedUntil = failures >= options.MaxFailedLogins ? now + options.LockoutDuration : (DateTimeOffset?)null,
            }, tx);
            await tx.CommitAsync(ct);
            return (LoginOutcome.Invalid, null);
        }
        var rehash = result == PasswordVerificationResult.SuccessRehashNeeded ? _hasher.HashPassword(account, password) : account.PasswordHash;
        await conn.ExecuteAsync("UPDATE app_user SET failed_logins = 0, locked_until = NULL, password_hash = @rehash WHERE id = @id", new { id = account.Id, rehash }, tx);
        await tx.CommitAsync(ct);
        return (LoginOutcome.Success, account);
    }

    static readonly string DummyHash = new PasswordHasher<AccountRow>().HashPassword(new AccountRow(), Guid.NewGuid().ToString());

    const string Select = """
        SELECT id, email, display_name AS DisplayName, role, password_hash AS PasswordHash, advisor_id AS AdvisorId,
               failed_logins AS FailedLogins, locked_until AS LockedUntil, disabled
          FROM app_user
        """;

    /// <summary>The principal of an account as it is now in the database; null when it is gone or disabled.</summary>
    public async Task<ClaimsPrincipal?> PrincipalAsync(Guid userId, string scheme, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var account = await conn.QuerySingleOrDefaultAsync<AccountRow>(Select + " WHERE id = @userId", new { userId });
        if (account is null || account.Disabled) return null;
        var structures = await conn.QueryAsync<Guid>("SELECT structure_id FROM app_user_structure WHERE user_id = @userId", new { userId });
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

    public async Task<AccountRow?> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<AccountRow>(Select + " WHERE lower(email) = lower(@email)", new { email });
    }

    public async Task<Guid> CreateAsync(NewAccount account, CancellationToken ct = default)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow());
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync("""
            INSERT INTO app_user (id, email, display_name, role, password_hash, advisor_id, created_at)
            VALUES (@id, @Email, @DisplayName, @Role, @hash, @AdvisorId, @now)
            """, new
        {
            id, account.Email, account.DisplayName, account.Role, account.AdvisorId, now = time.GetUtcNow(),
            hash = account.Password is null ? null : _hasher.HashPassword(new AccountRow { Id = id }, account.Password),
        }, tx);
        foreach (var s in account.Structures)
            await conn.ExecuteAsync("INSERT INTO app_user_structure (user_id, structure_id) VALUES (@id, @s)", new { id, s }, tx);
        await tx.CommitAsync(ct);
        return id;
    }

    // ---- secrets: API tokens and calendar feeds ----

    public static string NewSecret(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Digest(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<(Guid Id, string Token)> CreateTokenAsync(Guid userId, string name, DateTimeOffset? expiresAt, CancellationToken ct = default)
    {
        var token = NewSecret(TokenPrefix);
        var id = Guid.CreateVersion7(time.GetUtcNow());
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync("""
            INSERT INTO api_token (id, user_id, name, token_hash, created_at, expires_at) VALUES (@id, @userId, @name, @hash, @now, @expiresAt)
            """, new { id, userId, name, hash = Digest(token), now = time.GetUtcNow(), expiresAt });
        return (id, token);
    }

    /// <summary>The account a token belongs to, if the token is live.</summary>
    public async Task<Guid?> FindTokenUserAsync(string token, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Guid?>("""
            SELECT user_id FROM api_token
             WHERE token_hash = @hash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)
            """, new { hash = Digest(token), now = time.GetUtcNow() });
    }
}

/// <summary>Lockout settings (CareerPath:Accounts).</summary>
public sealed class AccountOptions
{
    public int MaxFailedLogins { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
}

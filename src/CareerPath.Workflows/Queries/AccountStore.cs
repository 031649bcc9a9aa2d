using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

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

/// <summary>An account as the administrator lists it (never its password hash).</summary>
public sealed record UserView(Guid Id, string Email, string DisplayName, string Role, bool Disabled, DateTimeOffset? LockedUntil);

/// <summary>One account as the administrator reads it, disabled or not: its structures (an HR manager) and its advisor record (an advisor).</summary>
public sealed record AccountDetail(UserView User, IReadOnlyList<Guid> Structures, Guid? AdvisorId, bool HasPassword, DateTimeOffset CreatedAt);

/// <summary>One of the caller's API tokens (never the token itself: only its digest is kept).</summary>
public sealed record TokenView(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>What a new account refers to, checked before it is written.</summary>
public sealed record AccountReferences(bool EmailTaken, bool StructuresKnown, bool AdvisorKnown);

/// <summary>
/// The rows of local accounts, their structures and their API tokens. Passwords and secrets arrive
/// here already hashed: hashing and the lockout policy are the Server's (ASP.NET Core Identity's hasher).
/// </summary>
public sealed class AccountStore(NpgsqlDataSource db)
{
    static AccountStore() => DapperTypes.Register();

    const string Select = """
        SELECT id, email, display_name AS DisplayName, role, password_hash AS PasswordHash, advisor_id AS AdvisorId,
               failed_logins AS FailedLogins, locked_until AS LockedUntil, disabled
          FROM app_user
        """;

    public async Task<AccountRow?> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(Select + " WHERE lower(email) = lower(@email)", new { email }, cancellationToken: ct));
    }

    /// <summary>An account and the structures it is scoped to; null when there is no such account.</summary>
    public async Task<(AccountRow Account, IReadOnlyList<Guid> Structures)?> FindWithStructuresAsync(Guid userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var account = await conn.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(Select + " WHERE id = @userId", new { userId }, cancellationToken: ct));
        if (account is null || account.Disabled) return account is null ? null : (account, []);
        var structures = (await conn.QueryAsync<Guid>(new CommandDefinition(
            "SELECT structure_id FROM app_user_structure WHERE user_id = @userId", new { userId }, cancellationToken: ct))).ToList();
        return (account, structures);
    }

    /// <summary>
    /// Opens a sign-in attempt on the account with this address: its row is locked (FOR UPDATE) until the
    /// attempt is recorded or disposed, so parallel guesses at one account are counted one after the other.
    /// </summary>
    public async Task<SignInAttempt> BeginSignInAsync(string email, CancellationToken ct = default)
    {
        var conn = await db.OpenConnectionAsync(ct);
        try
        {
            var tx = await conn.BeginTransactionAsync(ct);
            var account = await conn.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
                Select + " WHERE lower(email) = lower(@email) FOR UPDATE", new { email }, tx, cancellationToken: ct));
            return new SignInAttempt(conn, tx, account);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>A sign-in in progress: the account's row stays locked until one outcome is recorded (or it is disposed, which changes nothing).</summary>
    public sealed class SignInAttempt(NpgsqlConnection conn, NpgsqlTransaction tx, AccountRow? account) : IAsyncDisposable
    {
        public AccountRow? Account { get; } = account;

        public async Task RecordFailureAsync(int failures, DateTimeOffset? lockedUntil, CancellationToken ct = default)
        {
            await conn.ExecuteAsync(new CommandDefinition("UPDATE app_user SET failed_logins = @failures, locked_until = @lockedUntil WHERE id = @id",
                new { id = Account!.Id, failures, lockedUntil }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }

        public async Task RecordSuccessAsync(string passwordHash, CancellationToken ct = default)
        {
            await conn.ExecuteAsync(new CommandDefinition("UPDATE app_user SET failed_logins = 0, locked_until = NULL, password_hash = @passwordHash WHERE id = @id",
                new { id = Account!.Id, passwordHash }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }

    /// <summary>Writes an account and its structures in one transaction (a unique address or advisor is the database's to enforce).</summary>
    public async Task CreateAsync(Guid id, string email, string displayName, string role, string? passwordHash, IReadOnlyList<Guid> structures,
        Guid? advisorId, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO app_user (id, email, display_name, role, password_hash, advisor_id, created_at)
            VALUES (@id, @email, @displayName, @role, @passwordHash, @advisorId, @now)
            """, new { id, email, displayName, role, passwordHash, advisorId, now }, tx, cancellationToken: ct));
        foreach (var s in structures)
            await conn.ExecuteAsync(new CommandDefinition("INSERT INTO app_user_structure (user_id, structure_id) VALUES (@id, @s)", new { id, s }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Disables (or enables) an account and/or replaces its structures, and ends its web sessions in the
    /// same transaction: a changed account is never served from a session opened before. False when there is no such account.
    /// </summary>
    public async Task<bool> UpdateAsync(Guid id, bool? disabled, IReadOnlyList<Guid>? structures, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var found = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE app_user SET disabled = coalesce(@disabled, disabled) WHERE id = @id", new { id, disabled }, tx, cancellationToken: ct)) > 0;
        if (!found) return false;
        if (structures is not null)
        {
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM app_user_structure WHERE user_id = @id", new { id }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO app_user_structure (user_id, structure_id) SELECT @id, s FROM unnest(@ids::uuid[]) s
                """, new { id, ids = structures.Distinct().ToArray() }, tx, cancellationToken: ct));
        }
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM web_session WHERE user_id = @id", new { id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>An account, disabled or not, with its structures; null when there is no such account (never its password hash).</summary>
    public async Task<AccountDetail?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<DetailRow>(new CommandDefinition("""
            SELECT id, email, display_name AS DisplayName, role, disabled, locked_until AS LockedUntil, advisor_id AS AdvisorId,
                   password_hash IS NOT NULL AS HasPassword, created_at AS CreatedAt
              FROM app_user WHERE id = @id
            """, new { id }, cancellationToken: ct));
        if (row is null) return null;
        var structures = (await conn.QueryAsync<Guid>(new CommandDefinition(
            "SELECT structure_id FROM app_user_structure WHERE user_id = @id ORDER BY structure_id", new { id }, cancellationToken: ct))).ToList();
        return new AccountDetail(new UserView(row.Id, row.Email, row.DisplayName, row.Role, row.Disabled, row.LockedUntil), structures, row.AdvisorId,
            row.HasPassword, row.CreatedAt);
    }

    /// <summary>The addresses of these accounts, by id (the access log names accounts by id only).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> EmailsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return new Dictionary<Guid, string>();
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(Guid Id, string Email)>(new CommandDefinition(
            "SELECT id, email FROM app_user WHERE id = ANY(@ids)", new { ids = ids.Distinct().ToArray() }, cancellationToken: ct))).ToDictionary(r => r.Id, r => r.Email);
    }

    sealed record DetailRow
    {
        public Guid Id { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string Role { get; init; } = "";
        public bool Disabled { get; init; }
        public DateTimeOffset? LockedUntil { get; init; }
        public Guid? AdvisorId { get; init; }
        public bool HasPassword { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    /// <summary>
    /// Replaces an account's password (already hashed), lifts its lockout, ends its web sessions and revokes
    /// its API tokens, in one transaction: a password is reset because it may have leaked, and every token
    /// was made from a session opened with it; whoever was signed in must sign in again. False when there is no such account.
    /// </summary>
    public async Task<bool> SetPasswordAsync(Guid id, string passwordHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var found = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE app_user SET password_hash = @passwordHash, failed_logins = 0, locked_until = NULL WHERE id = @id",
            new { id, passwordHash }, tx, cancellationToken: ct)) > 0;
        if (!found) return false;
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM web_session WHERE user_id = @id", new { id }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("UPDATE api_token SET revoked_at = @now WHERE user_id = @id AND revoked_at IS NULL",
            new { id, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Whether the address is taken (any case) and the structures and advisor a new account names exist.</summary>
    public async Task<AccountReferences> CheckReferencesAsync(string email, IReadOnlyCollection<Guid> structures, Guid? advisorId, CancellationToken ct = default)
    {
        var ids = structures.Distinct().ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var taken = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM app_user WHERE lower(email) = lower(@email))", new { email }, cancellationToken: ct));
        var known = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM structure WHERE id = ANY(@ids)", new { ids }, cancellationToken: ct));
        var advisor = advisorId is not { } a || await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM advisor WHERE id = @a)", new { a }, cancellationToken: ct));
        return new AccountReferences(taken, known == ids.Length, advisor);
    }

    /// <summary>Whether any account exists at all (the demo accounts are made only on an empty table).</summary>
    public async Task<bool> AnyAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM app_user", cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// A page of the accounts, by address (lower case: the unique key); null when the cursor is not one of this list.
    /// </summary>
    public async Task<Page<UserView>?> ListAsync(PageRequest page, CancellationToken ct = default)
    {
        // The key is marked as an address, so that another list's cursor (an id, a number) is refused rather than read as one.
        string? after = null;
        if (page.After is not null)
        {
            if (Cursor.TryDecode(page.After) is not { } key || !key.StartsWith(EmailKey, StringComparison.Ordinal)) return null;
            after = key[EmailKey.Length..];
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        // The key is PostgreSQL's lower(email), the unique index's: .NET's lower case could differ on some letters.
        var rows = (await conn.QueryAsync<UserRow>(new CommandDefinition("""
            SELECT id, email, display_name AS DisplayName, role, disabled, locked_until AS LockedUntil, lower(email) AS SortKey FROM app_user
             WHERE @after::text IS NULL OR lower(email) > @after
             ORDER BY lower(email) LIMIT @take
            """, new { after, take = page.Take }, cancellationToken: ct))).ToList();
        var next = rows.Count > page.Limit ? Cursor.Encode(EmailKey + rows[page.Limit - 1].SortKey) : null;
        return new Page<UserView>(rows.Take(page.Limit).Select(r => new UserView(r.Id, r.Email, r.DisplayName, r.Role, r.Disabled, r.LockedUntil)).ToList(), next);
    }

    const string EmailKey = "email:";

    sealed record UserRow
    {
        public Guid Id { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string Role { get; init; } = "";
        public bool Disabled { get; init; }
        public DateTimeOffset? LockedUntil { get; init; }
        public string SortKey { get; init; } = "";
    }

    // ---- API tokens ----

    public async Task CreateTokenAsync(Guid id, Guid userId, string name, string tokenHash, DateTimeOffset now, DateTimeOffset? expiresAt, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api_token (id, user_id, name, token_hash, created_at, expires_at) VALUES (@id, @userId, @name, @tokenHash, @now, @expiresAt)
            """, new { id, userId, name, tokenHash, now, expiresAt }, cancellationToken: ct));
    }

    /// <summary>The account a token belongs to, by the token's digest, if the token is live at <paramref name="now"/>.</summary>
    public async Task<Guid?> FindTokenUserAsync(string tokenHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT user_id FROM api_token
             WHERE token_hash = @tokenHash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)
            """, new { tokenHash, now }, cancellationToken: ct));
    }

    /// <summary>A page of one account's tokens, by id (creation order); null when the cursor is not one of this list.</summary>
    public async Task<Page<TokenView>?> ListTokensAsync(Guid userId, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, "tokens", out var id)) return null;
            after = id;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<TokenView>(new CommandDefinition("""
            SELECT id, name, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt
              FROM api_token WHERE user_id = @userId AND (@after::uuid IS NULL OR id > @after)
             ORDER BY id LIMIT @take
            """, new { userId, after, take = page.Take }, cancellationToken: ct))).ToList();
        return Page<TokenView>.From(rows, page.Limit, t => Cursor.Key("tokens", t.Id.ToString()));
    }

    /// <summary>Revokes one of the owner's tokens (again: no change); false when the owner has no such token.</summary>
    public async Task<bool> RevokeTokenAsync(Guid id, Guid userId, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE api_token SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id AND user_id = @userId",
            new { id, userId, now }, cancellationToken: ct)) > 0;
    }
}

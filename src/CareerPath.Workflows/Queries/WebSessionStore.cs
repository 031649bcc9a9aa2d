using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>
/// The rows of web sessions (migration 0006). A session is live while its row exists and has not
/// expired; ending it is deleting the row. Expired rows are deleted as new sessions start.
/// </summary>
public sealed class WebSessionStore(NpgsqlDataSource db)
{
    static WebSessionStore() => DapperTypes.Register();

    public async Task CreateAsync(string id, Guid userId, byte[] ticket, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM web_session WHERE expires_at < @now;
            INSERT INTO web_session (id, user_id, ticket, created_at, expires_at) VALUES (@id, @userId, @ticket, @now, @expiresAt);
            """, new { id, userId, ticket, now, expiresAt }, cancellationToken: ct));
    }

    /// <summary>The ticket of a live session; null when it was ended, never existed or has expired.</summary>
    public async Task<byte[]?> FindAsync(string id, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<byte[]?>(new CommandDefinition(
            "SELECT ticket FROM web_session WHERE id = @id AND expires_at > @now", new { id, now }, cancellationToken: ct));
    }

    /// <summary>A sliding session moves its end; an ended one stays ended (nothing is re-created).</summary>
    public async Task RenewAsync(string id, byte[] ticket, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE web_session SET ticket = @ticket, expires_at = @expiresAt WHERE id = @id", new { id, ticket, expiresAt }, cancellationToken: ct));
    }

    public async Task EndAsync(string id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM web_session WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Ends every session of an account (disabled, or its scope changed); returns how many there were.</summary>
    public async Task<int> EndAllAsync(Guid userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("DELETE FROM web_session WHERE user_id = @userId", new { userId }, cancellationToken: ct));
    }
}

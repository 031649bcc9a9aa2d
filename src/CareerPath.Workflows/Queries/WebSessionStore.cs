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

    public async Task CreateAsync(string id, Guid userId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM web_session WHERE expires_at < @now;
            INSERT INTO web_session (id, user_id, created_at, expires_at) VALUES (@id, @userId, @now, @expiresAt);
            """, new { id, userId, now, expiresAt }, cancellationToken: ct));
    }

    /// <summary>
    /// Whether the session is live (its row exists, for this account, and has not expired). A live session
    /// whose end is nearer than <paramref name="slide"/> is moved to now + 2 × slide: a sliding session costs one write per half-life.
    /// </summary>
    public async Task<bool> IsLiveAsync(string id, Guid userId, DateTimeOffset now, TimeSpan slide, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var expires = await conn.QuerySingleOrDefaultAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT expires_at FROM web_session WHERE id = @id AND user_id = @userId AND expires_at > @now", new { id, userId, now }, cancellationToken: ct));
        if (expires is null) return false;
        if (expires < now + slide)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE web_session SET expires_at = @until WHERE id = @id",
                new { id, until = now + 2 * slide }, cancellationToken: ct));
        return true;
    }

    public async Task EndAsync(string id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM web_session WHERE id = @id", new { id }, cancellationToken: ct));
    }
}

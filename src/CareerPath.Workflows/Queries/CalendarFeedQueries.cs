using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

public sealed record FeedView(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// An HR manager's secret iCalendar URLs: stored as a digest of the secret (the Server makes and hashes
/// it), listed and revoked by their owner only.
/// </summary>
public sealed class CalendarFeedQueries(NpgsqlDataSource db, TimeProvider time)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static CalendarFeedQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "calendar-feeds";

    public async Task<Guid> CreateAsync(Guid userId, string tokenHash, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("INSERT INTO calendar_feed (id, user_id, token_hash, created_at) VALUES (@id, @userId, @tokenHash, @now)",
            new { id, userId, tokenHash, now }, cancellationToken: ct));
        return id;
    }

    /// <summary>A page of the owner's feeds, by id (creation order); null when the cursor is not one of this list.</summary>
    public async Task<Page<FeedView>?> ListAsync(Guid userId, PageRequest page, CancellationToken ct = default)
    {
        Guid? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeId(page.After, List, out var id)) return null;
            after = id;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<FeedView>(new CommandDefinition("""
            SELECT id, created_at AS CreatedAt, revoked_at AS RevokedAt FROM calendar_feed
             WHERE user_id = @userId AND (@after::uuid IS NULL OR id > @after)
             ORDER BY id LIMIT @take
            """, new { userId, after, take = page.Take }, cancellationToken: ct))).ToList();
        return Page<FeedView>.From(rows, page.Limit, f => Cursor.Key(List, f.Id.ToString()));
    }

    /// <summary>Revokes one of the owner's feeds (again: no change); false when the owner has no such feed.</summary>
    public async Task<bool> RevokeAsync(Guid id, Guid userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE calendar_feed SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id AND user_id = @userId",
            new { id, userId, now = time.GetUtcNow() }, cancellationToken: ct)) > 0;
    }

    /// <summary>The owner of a live feed, by the digest of its secret; null when unknown or revoked.</summary>
    public async Task<Guid?> OwnerAsync(string tokenHash, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "SELECT user_id FROM calendar_feed WHERE token_hash = @tokenHash AND revoked_at IS NULL", new { tokenHash }, cancellationToken: ct));
    }
}

using Dapper;
using Npgsql;

namespace CareerPath.Server.Security;

public sealed record AccessLogEntry
{
    public long Seq { get; init; }
    public DateTimeOffset At { get; init; }
    public Guid? UserId { get; init; }
    public string UserRole { get; init; } = "";
    public string Action { get; init; } = "";
    public string SubjectKind { get; init; } = "";
    public Guid? SubjectId { get; init; }
    public int Records { get; init; }
    public Guid[]? SubjectIds { get; init; }
}

/// <summary>
/// The append-only log of personal-data reads (who, what, when): written before the data leaves
/// the server, so a read that is not logged is a read that failed. The table refuses updates and
/// deletes (migration 0003).
/// </summary>
public sealed class AccessLog(NpgsqlDataSource db, TimeProvider time)
{
    /// <param name="subjects">For a list, the people (advisor ids) whose data it held.</param>
    public async Task RecordAsync(Caller caller, string action, string subjectKind, Guid? subjectId, int records = 1, CancellationToken ct = default,
        IReadOnlyCollection<Guid>? subjects = null)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync("""
            INSERT INTO access_log (at, user_id, user_role, action, subject_kind, subject_id, records, subject_ids)
            VALUES (@now, @UserId, @Role, @action, @subjectKind, @subjectId, @records, @ids)
            """, new { now = time.GetUtcNow(), caller.UserId, caller.Role, action, subjectKind, subjectId, records, ids = subjects?.Distinct().ToArray() });
    }

    /// <param name="subject">Only the reads of this record (alone or in a list).</param>
    public async Task<IReadOnlyList<AccessLogEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, int limit, Guid? subject = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AccessLogEntry>("""
            SELECT seq, at, user_id AS UserId, user_role AS UserRole, action, subject_kind AS SubjectKind, subject_id AS SubjectId, records,
                   subject_ids AS SubjectIds
              FROM access_log
             WHERE at >= @from AND at < @to AND (@subject::uuid IS NULL OR subject_id = @subject OR subject_ids @> ARRAY[@subject::uuid])
             ORDER BY seq LIMIT @limit
            """, new { from, to, limit, subject })).ToList();
    }
}

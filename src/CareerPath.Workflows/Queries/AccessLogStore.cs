using System.Runtime.CompilerServices;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

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

/// <summary>A read of the log: a period [From, To) and, optionally, one record read alone or in a list, and the account that read.</summary>
public sealed record AccessLogFilter(DateTimeOffset From, DateTimeOffset To, Guid? Subject = null, Guid? User = null);

/// <summary>
/// The rows of access_log, the append-only log of personal-data reads (the table refuses UPDATE,
/// DELETE and TRUNCATE: migration 0003). The Server's AccessLog says who the caller is.
/// </summary>
public sealed class AccessLogStore(NpgsqlDataSource db)
{
    static AccessLogStore() => DapperTypes.Register();

    /// <param name="subjects">For a list, the people (advisor ids) whose data it held.</param>
    public async Task AppendAsync(DateTimeOffset at, Guid? userId, string userRole, string action, string subjectKind, Guid? subjectId, int records,
        IReadOnlyCollection<Guid>? subjects, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO access_log (at, user_id, user_role, action, subject_kind, subject_id, records, subject_ids)
            VALUES (@at, @userId, @userRole, @action, @subjectKind, @subjectId, @records, @ids)
            """, new { at, userId, userRole, action, subjectKind, subjectId, records, ids = subjects?.Distinct().ToArray() }, cancellationToken: ct));
    }

    const string Select = """
        SELECT seq, at, user_id AS UserId, user_role AS UserRole, action, subject_kind AS SubjectKind, subject_id AS SubjectId, records,
               subject_ids AS SubjectIds
          FROM access_log
         WHERE at >= @From AND at < @To AND (@Subject::uuid IS NULL OR subject_id = @Subject OR subject_ids @> ARRAY[@Subject::uuid])
           AND (@User::uuid IS NULL OR user_id = @User)
        """;

    /// <summary>A page of the log, in the order it was written (seq); null when the cursor is not one of this list.</summary>
    public async Task<Page<AccessLogEntry>?> ListAsync(AccessLogFilter filter, PageRequest page, CancellationToken ct = default)
    {
        long? after = null;
        if (page.After is not null)
        {
            if (!long.TryParse(Cursor.TryDecode(page.After, "access-log"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
                return null;
            after = seq;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<AccessLogEntry>(new CommandDefinition($"""
            {Select} AND (@after::bigint IS NULL OR seq > @after)
             ORDER BY seq LIMIT @take
            """, new { filter.From, filter.To, filter.Subject, filter.User, after, take = page.Take }, cancellationToken: ct))).ToList();
        return Page<AccessLogEntry>.From(rows, page.Limit, e => Cursor.Key("access-log", e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Every entry of the period, in order, read as it is written out (an export holds them all, whatever their number).</summary>
    public async IAsyncEnumerable<AccessLogEntry> StreamAsync(AccessLogFilter filter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await foreach (var entry in conn.QueryUnbufferedAsync<AccessLogEntry>($"{Select} ORDER BY seq", new { filter.From, filter.To, filter.Subject, filter.User }).WithCancellation(ct))
            yield return entry;
    }
}

using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>The hash-chained decision log, read by pages in chain order (its verification reads it whole: DecisionAuditLog.VerifyAsync).</summary>
public sealed class DecisionAuditQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static DecisionAuditQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "decisions";

    /// <summary>A page of entries by sequence number; null when the cursor is not one of this list.</summary>
    public async Task<Page<AuditEntry>?> ListAsync(PageRequest page, CancellationToken ct = default)
    {
        long? after = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeSeq(page.After, List, out var seq)) return null;
            after = seq;
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<AuditEntry>(new CommandDefinition("""
            SELECT seq, instance_id AS InstanceId, at, actor, kind, details, prev_hash AS PrevHash, hash FROM decision_audit
             WHERE (@after::bigint IS NULL OR seq > @after)
             ORDER BY seq LIMIT @take
            """, new { after, take = page.Take }, cancellationToken: ct))).ToList();
        return Page<AuditEntry>.From(rows, page.Limit, e => Cursor.Key(List, e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Walks the whole chain and reports the first broken link, if any.</summary>
    public Task<AuditVerification> VerifyAsync(CancellationToken ct = default) => DecisionAuditLog.VerifyAsync(db, ct);
}

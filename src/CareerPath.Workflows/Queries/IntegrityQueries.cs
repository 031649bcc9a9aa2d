using CareerPath.Workflows.Engine;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>The last link of a chain as it was exported: its number of entries, its last seq and that entry's hash.</summary>
public sealed record ChainHead(long Entries, long? LastSeq, string? LastHash);

/// <summary>One chained log now: its head, and whether every link holds (and, given a head exported earlier, whether it is still there).</summary>
public sealed record ChainIntegrity(string Log, long Entries, long? LastSeq, string? LastHash, bool Verified, long? FirstBrokenSeq, string? Problem)
{
    public ChainHead Head => new(Entries, LastSeq, LastHash);
}

/// <summary>Both chained logs, checked at one moment.</summary>
public sealed record IntegrityReport(DateTimeOffset CheckedAt, ChainIntegrity AccessLog, ChainIntegrity DecisionLog);

/// <summary>
/// The two hash-chained logs: the access log (chained by the database itself, migration 0011) and the decision log
/// (<see cref="DecisionAuditLog"/>). A chain shows an edited, inserted or deleted entry by itself; an erased tail
/// leaves a shorter chain that is whole, and shows only against a head kept elsewhere: hence the heads exported
/// (GET /api/integrity, and the server log every day) and the check against one.
/// </summary>
public static class IntegrityQueries
{
    public const string AccessLog = "access_log";
    public const string DecisionLog = "decision_audit";

    /// <summary>Both logs verified now, each against its exported head when one is given.</summary>
    public static async Task<IntegrityReport> CheckAsync(NpgsqlDataSource db, TimeProvider time, ChainHead? accessLogHead = null, ChainHead? decisionLogHead = null,
        CancellationToken ct = default)
    {
        var at = time.GetUtcNow();
        return new IntegrityReport(at, await CheckAccessLogAsync(db, accessLogHead, ct), await CheckDecisionLogAsync(db, decisionLogHead, ct));
    }

    /// <summary>
    /// Walks the access log in seq order: each entry's prev_hash is the hash before it (the first one's, zeros, or the
    /// anchor's once the retention job has removed the oldest entries through <c>access_log_purge</c>), and its hash is
    /// that of its content, computed by the same function as the trigger that wrote it. Seq may have gaps (an insert
    /// rolled back uses a number): the links, not the numbers, make the chain.
    /// </summary>
    public static async Task<ChainIntegrity> CheckAccessLogAsync(NpgsqlDataSource db, ChainHead? exported = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // The anchor and the rows from one snapshot: a purge committed between two reads would look like a broken link.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var anchor = await LatestAnchorAsync(conn, tx, ct);
        var prev = anchor?.Hash ?? DecisionAuditLog.Genesis;
        long entries = 0;
        long? lastSeq = null, broken = null;
        string? problem = null;
        await foreach (var row in conn.QueryUnbufferedAsync<LinkRow>("""
            SELECT seq, prev_hash AS PrevHash, hash,
                   access_log_hash(seq, at, user_id, user_role, action, subject_kind, subject_id, records, subject_ids, prev_hash) AS Computed
              FROM access_log ORDER BY seq
            """, transaction: tx).WithCancellation(ct))
        {
            entries++;
            lastSeq = row.Seq;
            if (broken is null && row.PrevHash != prev)
                (broken, problem) = (row.Seq, entries == 1 && anchor is not null
                    ? $"L'entrée {row.Seq} ne suit pas l'ancre de la dernière purge (entrée {anchor.PurgedThrough})."
                    : $"L'entrée {row.Seq} ne suit pas l'entrée précédente (lien rompu).");
            else if (broken is null && row.Computed != row.Hash) (broken, problem) = (row.Seq, $"Le contenu de l'entrée {row.Seq} a été modifié.");
            prev = row.Hash;
        }
        var verified = new AuditVerification(entries, broken, problem);
        // Emptied by a purge, the chain's head is the anchor.
        if (lastSeq is null && anchor is not null) (lastSeq, prev) = (anchor.PurgedThrough, anchor.Hash);
        var now = new ChainIntegrity(AccessLog, entries, lastSeq, lastSeq is null ? null : prev, verified.Intact, broken, problem);
        if (anchor is not null && exported?.LastSeq is { } seq && seq <= anchor.PurgedThrough && now.Verified)
        {
            // The exported head's entry was removed by the retention job: only the anchor's own entry can still be compared.
            if (seq == anchor.PurgedThrough && exported.LastHash != anchor.Hash)
                return now with { Verified = false, FirstBrokenSeq = seq, Problem = $"L'entrée {seq} de la tête exportée ne correspond pas à l'ancre de la purge." };
            return now;
        }
        // Entries removed by purges count as still there against a head exported before them (all purges: never a false alarm).
        return await AgainstAsync(conn, AccessLog, now, exported is null || anchor is null ? exported
            : exported with { Entries = exported.Entries - anchor.PurgedTotal }, ct);
    }

    /// <summary>Where the access log's chain now starts: the last entry removed by the retention job, and how many were removed in all.</summary>
    public sealed record Anchor(long PurgedThrough, string Hash, long PurgedTotal);

    static Task<Anchor?> LatestAnchorAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<Anchor?>(new CommandDefinition("""
            SELECT purged_through AS PurgedThrough, hash, (SELECT sum(rows_purged) FROM access_log_anchor)::bigint AS PurgedTotal
              FROM access_log_anchor ORDER BY id DESC LIMIT 1
            """, transaction: tx, cancellationToken: ct));

    /// <summary>The decision log as <see cref="DecisionAuditLog.VerifyAsync"/> walks it, with its head.</summary>
    public static async Task<ChainIntegrity> CheckDecisionLogAsync(NpgsqlDataSource db, ChainHead? exported = null, CancellationToken ct = default)
    {
        var verified = await DecisionAuditLog.VerifyAsync(db, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var last = await conn.QuerySingleOrDefaultAsync<LinkRow>(new CommandDefinition(
            "SELECT seq, prev_hash AS PrevHash, hash, hash AS Computed FROM decision_audit ORDER BY seq DESC LIMIT 1", cancellationToken: ct));
        return await AgainstAsync(conn, DecisionLog,
            new ChainIntegrity(DecisionLog, verified.Checked, last?.Seq, last?.Hash, verified.Intact, verified.FirstBrokenSeq, verified.Problem), exported, ct);
    }

    /// <summary>
    /// A head exported earlier must still be in the chain: its entry there with the same hash, and no fewer entries.
    /// Else the tail was erased (or rewritten), which the chain alone cannot show.
    /// </summary>
    static async Task<ChainIntegrity> AgainstAsync(NpgsqlConnection conn, string table, ChainIntegrity now, ChainHead? exported, CancellationToken ct)
    {
        if (exported?.LastSeq is not { } seq || !now.Verified) return now;
        // The table name is one of the two constants above, never the caller's.
        var hash = await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition($"SELECT hash FROM {table} WHERE seq = @seq", new { seq }, cancellationToken: ct));
        if (hash is null)
            return now with { Verified = false, FirstBrokenSeq = seq, Problem = $"L'entrée {seq} de la tête exportée a disparu : la fin du journal a été effacée." };
        if (hash != exported.LastHash)
            return now with { Verified = false, FirstBrokenSeq = seq, Problem = $"L'entrée {seq} de la tête exportée a été réécrite." };
        if (now.Entries < exported.Entries)
            return now with { Verified = false, FirstBrokenSeq = seq, Problem = $"Le journal compte {now.Entries} entrées, moins que les {exported.Entries} de la tête exportée." };
        return now;
    }

    sealed record LinkRow
    {
        public long Seq { get; init; }
        public string PrevHash { get; init; } = "";
        public string Hash { get; init; } = "";
        public string Computed { get; init; } = "";
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record AuditEntry
{
    public long Seq { get; init; }
    public Guid InstanceId { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Details { get; init; } = "";
    public string PrevHash { get; init; } = "";
    public string Hash { get; init; } = "";
}

/// <summary>Where verification found the chain broken, or null when every link holds.</summary>
public sealed record AuditVerification(long Checked, long? FirstBrokenSeq, string? Problem)
{
    public bool Intact => FirstBrokenSeq is null;
}

/// <summary>
/// Decisions, hash-chained: each row's hash covers its content and the previous row's hash, so
/// editing, deleting or inserting a row breaks every link after it.
/// </summary>
public static class DecisionAuditLog
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    // One writer at a time extends the chain; the lock is released with the transaction.
    const long ChainLockKey = 0x43_50_41_75_64_69_74; // "CPAudit"

    public static async Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid instanceId, DateTimeOffset at, string actor, string kind, JsonObject details)
    {
        await conn.ExecuteAsync($"SELECT pg_advisory_xact_lock({ChainLockKey})", transaction: tx);
        var last = await conn.QuerySingleOrDefaultAsync<(long Seq, string Hash)?>(
            "SELECT seq, hash FROM decision_audit ORDER BY seq DESC LIMIT 1", transaction: tx);
        var seq = (last?.Seq ?? 0) + 1;
        var prev = last?.Hash ?? Genesis;
        // PostgreSQL keeps microseconds: hash what will be read back.
        var stamp = new DateTimeOffset(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
        var text = details.ToJsonString();
        var hash = Hash(seq, instanceId, stamp, actor, kind, text, prev);
        await conn.ExecuteAsync("""
            INSERT INTO decision_audit (seq, instance_id, at, actor, kind, details, prev_hash, hash)
            VALUES (@seq, @instanceId, @stamp, @actor, @kind, @text, @prev, @hash)
            """, new { seq, instanceId, stamp, actor, kind, text, prev, hash }, tx);
    }

    public static async Task<IReadOnlyList<AuditEntry>> ReadAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AuditEntry>("""
            SELECT seq, instance_id AS InstanceId, at, actor, kind, details, prev_hash AS PrevHash, hash FROM decision_audit ORDER BY seq
            """)).ToList();
    }

    public static async Task<AuditVerification> VerifyAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        var prev = Genesis;
        long expectedSeq = 1, checkedRows = 0;
        foreach (var e in await ReadAsync(db, ct))
        {
            checkedRows++;
            if (e.Seq != expectedSeq) return new(checkedRows, e.Seq, $"Entrée {expectedSeq} manquante (trouvé {e.Seq}).");
            if (e.PrevHash != prev) return new(checkedRows, e.Seq, $"L'entrée {e.Seq} ne suit pas l'entrée précédente (lien rompu).");
            if (Hash(e.Seq, e.InstanceId, e.At, e.Actor, e.Kind, e.Details, e.PrevHash) != e.Hash)
                return new(checkedRows, e.Seq, $"Le contenu de l'entrée {e.Seq} a été modifié.");
            prev = e.Hash;
            expectedSeq++;
        }
        return new(checkedRows, null, null);
    }

    static string Hash(long seq, Guid instanceId, DateTimeOffset at, string actor, string kind, string details, string prev)
    {
        var canonical = string.Join('\u001f', seq, instanceId, at.UtcDateTime.ToString("O"), actor, kind, details, prev);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).ToLowerInvariant();
    }
}

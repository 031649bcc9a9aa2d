using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CareerPath.Workflows.Storage;
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

    /// <summary>A decision to append: the instance, when, the actor's role (never who), what, and its details.</summary>
    public sealed record Decision(Guid InstanceId, DateTimeOffset At, string Actor, string Kind, JsonObject Details);

    public static Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid instanceId, DateTimeOffset at, string actor, string kind, JsonObject details) =>
        AppendAsync(conn, tx, [new Decision(instanceId, at, actor, kind, details)]);

    /// <summary>
    /// Extends the chain by <paramref name="decisions"/>, in their order: the lock and the chain's head in one round trip,
    /// every hash computed here, then every row in one statement.
    /// </summary>
    public static async Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<Decision> decisions, CancellationToken ct = default)
    {
        if (decisions.Count == 0) return;
        (long Seq, string Hash)? last;
        await using (var head = new NpgsqlBatch(conn, tx))
        {
            Sql.Add(head, $"SELECT pg_advisory_xact_lock({ChainLockKey})");
            Sql.Add(head, "SELECT seq, hash FROM decision_audit ORDER BY seq DESC LIMIT 1");
            await using var reader = await head.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            last = await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetString(1)) : null;
        }
        var seq = last?.Seq ?? 0;
        var prev = last?.Hash ?? Genesis;
        var rows = new List<(long Seq, Guid InstanceId, DateTimeOffset At, string Actor, string Kind, string Details, string Prev, string Hash)>();
        foreach (var d in decisions)
        {
            seq++;
            // PostgreSQL keeps microseconds: hash what will be read back.
            var stamp = new DateTimeOffset(d.At.UtcTicks - d.At.UtcTicks % 10, TimeSpan.Zero);
            var text = d.Details.ToJsonString();
            var hash = Hash(seq, d.InstanceId, stamp, d.Actor, d.Kind, text, prev);
            rows.Add((seq, d.InstanceId, stamp, d.Actor, d.Kind, text, prev, hash));
            prev = hash;
        }
        await using var insert = new NpgsqlBatch(conn, tx);
        Sql.Add(insert, """
            INSERT INTO decision_audit (seq, instance_id, at, actor, kind, details, prev_hash, hash)
            SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            """, rows.Select(r => r.Seq).ToArray(), rows.Select(r => r.InstanceId).ToArray(), rows.Select(r => r.At).ToArray(),
            rows.Select(r => r.Actor).ToArray(), rows.Select(r => r.Kind).ToArray(), rows.Select(r => r.Details).ToArray(),
            rows.Select(r => r.Prev).ToArray(), rows.Select(r => r.Hash).ToArray());
        await insert.ExecuteNonQueryAsync(ct);
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

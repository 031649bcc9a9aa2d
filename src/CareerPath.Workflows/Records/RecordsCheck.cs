using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Records;

/// <summary>What the consistency check found: how many contracts it compared, and each difference in words.</summary>
public sealed record RecordsCheckReport(int Contracts, int Amendments, int Renewals, IReadOnlyList<string> Differences)
{
    public override string ToString() =>
        $"Records checked: {Contracts} contracts, {Amendments} amendments, {Renewals} renewals; {Differences.Count} difference(s)."
        + string.Concat(Differences.Take(50).Select(d => "\n  " + d))
        + (Differences.Count > 50 ? $"\n  … and {Differences.Count - 50} more." : "");
}

/// <summary>
/// Compares every contract record with its workflow instance (the latest of each contract): the record must
/// say what the instance says — dates, amendments, early end, decision — every renewal must have its own row
/// linked to the contract before it, and every amendment its row. Reads only.
/// </summary>
public static class RecordsCheck
{
    static string Show(object? value) => value switch
    {
        null => "∅",
        DateOnly date => date.ToString("yyyy-MM-dd"),
        _ => value.ToString() ?? "∅",
    };

    public static async Task<RecordsCheckReport> RunAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        DapperTypes.Register();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var stored = (await conn.QueryAsync<ContractRecords.StoredContract>(new CommandDefinition(
            ContractRecords.SelectStored, transaction: tx, cancellationToken: ct))).ToDictionary(c => c.Id);
        var renewedFrom = stored.Values.Where(c => c.PreviousContractId is not null).ToDictionary(c => c.PreviousContractId!.Value, c => c.Id);

        var differences = new List<string>();
        int contracts = 0, amendmentCount = 0, renewals = 0;
        var seen = new HashSet<Guid>();
        // Streamed: every contract's data (a few KiB each) held at once would grow with the program (issue 14's 100,000 advisors).
        var instances = conn.QueryUnbufferedAsync<(Guid Id, Guid Subject, string State, string Data)>("""
            SELECT DISTINCT ON (subject_id) id, subject_id, state, data::text FROM workflow_instance
             WHERE definition_id = @def ORDER BY subject_id, created_at DESC
            """, new { def = AdvisorContractWorkflow.DefinitionId }, tx);
        await foreach (var (instanceId, subject, state, json) in instances.WithCancellation(ct))
        {
            var d = WorkflowJson.Deserialize<AdvisorContractData>(json);
            if (d.Contract is null) continue;
            contracts++;
            seen.Add(subject);
            if (!stored.TryGetValue(subject, out var row))
            {
                differences.Add($"contract {subject} (instance {instanceId}): no record.");
                continue;
            }
            var c = d.Contract;
            var decision = d.Decision;
            var (recorded, recordedDecision) = (row.Contract, row.Decision);
            var fields = new List<string>();
            void Compare<T>(string name, T expected, T actual)
            {
                if (!EqualityComparer<T>.Default.Equals(expected, actual)) fields.Add($"{name}: instance {Show(expected)}, record {Show(actual)}");
            }
            Compare("advisor", c.AdvisorId, recorded.AdvisorId);
            Compare("post", c.PostId, recorded.PostId);
            Compare("type", c.Type, recorded.Type);
            Compare("regime", c.Regime, recorded.Regime);
            Compare("start", c.Start, recorded.Start);
            Compare("signed end", c.End, recorded.End);
            Compare("effective end", c.EffectiveEnd, row.EffectiveEnd);
            // What planning reads back: the end in force rebuilt from the recorded amendments, in their order.
            Compare("effective end from the amendments", c.EffectiveEnd, recorded.EffectiveEnd);
            Compare("previous contract", c.PreviousContractId, recorded.PreviousContractId);
            Compare("early termination", c.EarlyTermination, recorded.EarlyTermination);
            Compare("decision", decision?.Kind, recordedDecision?.Kind);
            Compare("decision reason", decision?.Reason, recordedDecision?.Reason);
            Compare("decided on", decision?.DecidedOn, recordedDecision?.DecidedOn);
            Compare("notified on", decision?.NotifiedOn, recordedDecision?.NotifiedOn);
            Compare("decision new end", decision?.NewEnd, recordedDecision?.NewEnd);
            Compare("notice deadline", decision is null ? null : d.DecisionDueOn, recordedDecision?.NoticeDeadline);
            Compare("decision late", decision is null ? (bool?)null : d.DecisionLate, recordedDecision?.Late);
            var recordedAmendments = recorded.Amendments.ToDictionary(a => a.Id);
            foreach (var a in c.Amendments)
            {
                amendmentCount++;
                if (!recordedAmendments.TryGetValue(a.Id, out var r)) fields.Add($"amendment {a.Id}: no record");
                else if (r != a) fields.Add($"amendment {a.Id}: differs");
            }
            foreach (var extra in recordedAmendments.Keys.Except(c.Amendments.Select(a => a.Id))) fields.Add($"amendment {extra}: recorded, unknown to the instance");
            // A renewal that took effect has its own contract, linked to this one.
            if (decision?.Kind == DecisionKind.Renewal && state is nameof(ContractState.Renewed) or nameof(ContractState.Closed))
            {
                renewals++;
                if (!renewedFrom.ContainsKey(subject)) fields.Add("renewal: no contract record linked to this one");
            }
            if (fields.Count > 0) differences.Add($"contract {subject} (instance {instanceId}): {string.Join("; ", fields)}.");
        }
        foreach (var orphan in stored.Keys.Except(seen))
            differences.Add($"contract {orphan}: recorded, but no workflow instance.");
        await tx.CommitAsync(ct);
        return new RecordsCheckReport(contracts, amendmentCount, renewals, differences);
    }
}

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
    sealed class StoredContract
    {
        public Guid Id { get; init; }
        public Guid AdvisorId { get; init; }
        public Guid PostId { get; init; }
        public string ContractType { get; init; } = "";
        public string LegalRegime { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly? EndDate { get; init; }
        public Guid? PreviousContractId { get; init; }
        public DateOnly? TerminatedOn { get; init; }
        public string? TerminationReason { get; init; }
        public string? TerminationNote { get; init; }
        public DateOnly? EffectiveEnd { get; init; }
        public string? DecisionKind { get; init; }
        public string? DecisionReason { get; init; }
        public DateOnly? DecidedOn { get; init; }
        public DateOnly? DecisionNotifiedOn { get; init; }
        public DateOnly? DecisionNewEnd { get; init; }
        public DateOnly? NoticeDeadline { get; init; }
        public bool? DecisionLate { get; init; }
    }

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
        var stored = (await conn.QueryAsync<StoredContract>(new CommandDefinition("""
            SELECT id, advisor_id AS AdvisorId, post_id AS PostId, contract_type AS ContractType, legal_regime AS LegalRegime,
                   start_date AS StartDate, end_date AS EndDate, previous_contract_id AS PreviousContractId, terminated_on AS TerminatedOn,
                   termination_reason AS TerminationReason, termination_note AS TerminationNote, effective_end AS EffectiveEnd,
                   decision_kind AS DecisionKind, decision_reason AS DecisionReason, decided_on AS DecidedOn,
                   decision_notified_on AS DecisionNotifiedOn, decision_new_end AS DecisionNewEnd, notice_deadline AS NoticeDeadline,
                   decision_late AS DecisionLate
              FROM contract
            """, transaction: tx, cancellationToken: ct))).ToDictionary(c => c.Id);
        var amendments = (await conn.QueryAsync<(Guid Id, Guid ContractId, DateOnly EffectiveOn, DateOnly NewEnd, string Reason)>(new CommandDefinition(
            "SELECT id, contract_id, effective_on, new_end_date, reason FROM contract_amendment", transaction: tx, cancellationToken: ct)))
            .ToLookup(a => a.ContractId);
        var renewedFrom = stored.Values.Where(c => c.PreviousContractId is not null).ToDictionary(c => c.PreviousContractId!.Value, c => c.Id);

        var differences = new List<string>();
        int contracts = 0, amendmentCount = 0, renewals = 0;
        var seen = new HashSet<Guid>();
        var instances = await conn.QueryAsync<(Guid Id, Guid Subject, string State, string Data)>(new CommandDefinition("""
            SELECT DISTINCT ON (subject_id) id, subject_id, state, data::text FROM workflow_instance
             WHERE definition_id = @def ORDER BY subject_id, created_at DESC
            """, new { def = AdvisorContractWorkflow.DefinitionId }, tx, cancellationToken: ct));
        foreach (var (instanceId, subject, state, json) in instances)
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
            var fields = new List<string>();
            void Compare<T>(string name, T expected, T actual)
            {
                if (!EqualityComparer<T>.Default.Equals(expected, actual)) fields.Add($"{name}: instance {Show(expected)}, record {Show(actual)}");
            }
            Compare("advisor", c.AdvisorId, row.AdvisorId);
            Compare("post", c.PostId, row.PostId);
            Compare("type", c.Type.ToString(), row.ContractType);
            Compare("regime", c.Regime.ToString(), row.LegalRegime);
            Compare("start", c.Start, row.StartDate);
            Compare("signed end", c.End, row.EndDate);
            Compare("effective end", c.EffectiveEnd, row.EffectiveEnd);
            Compare("previous contract", c.PreviousContractId, row.PreviousContractId);
            Compare("terminated on", c.EarlyTermination?.Date, row.TerminatedOn);
            Compare("termination reason", c.EarlyTermination?.Reason.ToString(), row.TerminationReason);
            Compare("termination note", c.EarlyTermination?.Note, row.TerminationNote);
            Compare("decision", decision?.Kind.ToString(), row.DecisionKind);
            Compare("decision reason", decision?.Reason, row.DecisionReason);
            Compare("decided on", decision?.DecidedOn, row.DecidedOn);
            Compare("notified on", decision?.NotifiedOn, row.DecisionNotifiedOn);
            Compare("decision new end", decision?.NewEnd, row.DecisionNewEnd);
            Compare("notice deadline", decision is null ? null : d.DecisionDueOn, row.NoticeDeadline);
            Compare("decision late", decision is null ? (bool?)null : d.DecisionLate, row.DecisionLate);
            var recorded = amendments[subject].ToDictionary(a => a.Id);
            foreach (var a in c.Amendments)
            {
                amendmentCount++;
                if (!recorded.TryGetValue(a.Id, out var r)) fields.Add($"amendment {a.Id}: no record");
                else if ((r.EffectiveOn, r.NewEnd, r.Reason) != (a.EffectiveOn, a.NewEnd, a.Reason)) fields.Add($"amendment {a.Id}: differs");
            }
            foreach (var extra in recorded.Keys.Except(c.Amendments.Select(a => a.Id))) fields.Add($"amendment {extra}: recorded, unknown to the instance");
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

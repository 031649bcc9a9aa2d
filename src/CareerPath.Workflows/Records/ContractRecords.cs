using CareerPath.Domain.Model;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Records;

/// <summary>The decision taken at the end of a contract, as the contract's record keeps it.</summary>
public sealed record DecisionRecord(DecisionKind Kind, string Reason, DateOnly DecidedOn, DateOnly? NotifiedOn, DateOnly? NewEnd,
    DateOnly? NoticeDeadline, bool Late);

/// <summary>
/// A contract as the records hold it: the advisor-contract workflow's projection. Written in the
/// transition's own batch (see <see cref="RecordWrite"/>): the row, its amendments, its early end and its decision.
/// </summary>
public sealed record ContractRecord(Contract Contract, DecisionRecord? Decision) : RecordWrite
{
    public override string Key => $"contract:{Contract.Id}";

    public override IEnumerable<NpgsqlBatchCommand> Commands(IReadOnlyList<RecordWrite> all)
    {
        var records = all.Cast<ContractRecord>().ToList();
        var c = records.Select(r => r.Contract).ToList();
        var d = records.Select(r => r.Decision).ToList();
        yield return Sql.Command("""
            INSERT INTO contract (id, advisor_id, post_id, contract_type, legal_regime, start_date, end_date, previous_contract_id,
                                  terminated_on, termination_reason, termination_note, effective_end,
                                  decision_kind, decision_reason, decided_on, decision_notified_on, decision_new_end, notice_deadline, decision_late)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::date[], $7::date[], $8::uuid[],
                                 $9::date[], $10::text[], $11::text[], $12::date[],
                                 $13::text[], $14::text[], $15::date[], $16::date[], $17::date[], $18::date[], $19::bool[])
            ON CONFLICT (id) DO UPDATE SET
                advisor_id = EXCLUDED.advisor_id, post_id = EXCLUDED.post_id, contract_type = EXCLUDED.contract_type,
                legal_regime = EXCLUDED.legal_regime, start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
                previous_contract_id = EXCLUDED.previous_contract_id, terminated_on = EXCLUDED.terminated_on,
                termination_reason = EXCLUDED.termination_reason, termination_note = EXCLUDED.termination_note,
                effective_end = EXCLUDED.effective_end, decision_kind = EXCLUDED.decision_kind, decision_reason = EXCLUDED.decision_reason,
                decided_on = EXCLUDED.decided_on, decision_notified_on = EXCLUDED.decision_notified_on,
                decision_new_end = EXCLUDED.decision_new_end, notice_deadline = EXCLUDED.notice_deadline, decision_late = EXCLUDED.decision_late
            """,
            c.Select(x => x.Id).ToArray(), c.Select(x => x.AdvisorId).ToArray(), c.Select(x => x.PostId).ToArray(),
            c.Select(x => x.Type.ToString()).ToArray(), c.Select(x => x.Regime.ToString()).ToArray(), c.Select(x => x.Start).ToArray(),
            c.Select(x => x.End).ToArray(), c.Select(x => x.PreviousContractId).ToArray(),
            c.Select(x => x.EarlyTermination?.Date).ToArray(), c.Select(x => x.EarlyTermination?.Reason.ToString()).ToArray(),
            c.Select(x => x.EarlyTermination?.Note).ToArray(), c.Select(x => x.EffectiveEnd).ToArray(),
            d.Select(x => x?.Kind.ToString()).ToArray(), d.Select(x => x?.Reason).ToArray(), d.Select(x => x?.DecidedOn).ToArray(),
            d.Select(x => x?.NotifiedOn).ToArray(), d.Select(x => x?.NewEnd).ToArray(), d.Select(x => x?.NoticeDeadline).ToArray(),
            d.Select(x => x?.Late).ToArray());
        // Amendments are never changed once signed: each is inserted once, by its id; seq is its rank in its contract.
        var amendments = c.SelectMany(x => x.Amendments.Select((a, i) => (Contract: x.Id, Amendment: a, Seq: i + 1))).ToList();
        if (amendments.Count > 0)
            yield return Sql.Command("""
                INSERT INTO contract_amendment (id, contract_id, effective_on, new_end_date, reason, seq)
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::date[], $5::text[], $6::int[])
                ON CONFLICT (id) DO NOTHING
                """, amendments.Select(a => a.Amendment.Id).ToArray(), amendments.Select(a => a.Contract).ToArray(),
                amendments.Select(a => a.Amendment.EffectiveOn).ToArray(), amendments.Select(a => a.Amendment.NewEnd).ToArray(),
                amendments.Select(a => a.Amendment.Reason).ToArray(), amendments.Select(a => a.Seq).ToArray());
    }
}

/// <summary>Reads of contract records that rules need: an advisor's whole career with an employer.</summary>
public static class ContractRecords
{
    static ContractRecords() => DapperTypes.Register();

    /// <summary>One contract as read back from the records, with the structure of its post.</summary>
    public sealed record CareerContract(Guid StructureId, Contract Contract);

    /// <summary>A contract row as stored, with its amendments: what the projection wrote, read back.</summary>
    public class StoredContract
    {
        public Guid Id { get; init; }
        public Guid AdvisorId { get; init; }
        public Guid PostId { get; init; }
        public Guid StructureId { get; init; }
        public string Type { get; init; } = "";
        public string Regime { get; init; } = "";
        public DateOnly Start { get; init; }
        public DateOnly? EndDate { get; init; }
        public DateOnly? EffectiveEnd { get; init; }
        public Guid? PreviousContractId { get; init; }
        public DateOnly? TerminatedOn { get; init; }
        public string? TerminationReason { get; init; }
        public string? TerminationNote { get; init; }
        public string? DecisionKind { get; init; }
        public string? DecisionReason { get; init; }
        public DateOnly? DecidedOn { get; init; }
        public DateOnly? DecisionNotifiedOn { get; init; }
        public DateOnly? DecisionNewEnd { get; init; }
        public DateOnly? NoticeDeadline { get; init; }
        public bool? DecisionLate { get; init; }
        public string? Amendments { get; init; }

        public Contract Contract => new(Id, AdvisorId, PostId, Enum.Parse<ContractType>(Type), Enum.Parse<LegalRegime>(Regime), Start, EndDate)
        {
            PreviousContractId = PreviousContractId,
            Amendments = Amendments is null ? [] : WorkflowJson.Deserialize<List<ContractAmendment>>(Amendments),
            EarlyTermination = TerminatedOn is { } on ? new EarlyTermination(on, Enum.Parse<TerminationReason>(TerminationReason!), TerminationNote) : null,
        };

        public DecisionRecord? Decision => DecisionKind is { } kind && DecidedOn is { } decided
            ? new DecisionRecord(Enum.Parse<DecisionKind>(kind), DecisionReason ?? "", decided, DecisionNotifiedOn, DecisionNewEnd, NoticeDeadline, DecisionLate ?? false)
            : null;
    }

    /// <summary>The columns of a <see cref="StoredContract"/>, over <c>contract c</c> joined to its post <c>p</c>.</summary>
    public const string StoredColumns = """
        c.id, c.advisor_id AS AdvisorId, c.post_id AS PostId, p.structure_id AS StructureId, c.contract_type AS Type,
        c.legal_regime AS Regime, c.start_date AS Start, c.end_date AS EndDate, c.effective_end AS EffectiveEnd,
        c.previous_contract_id AS PreviousContractId, c.terminated_on AS TerminatedOn, c.termination_reason AS TerminationReason,
        c.termination_note AS TerminationNote, c.decision_kind AS DecisionKind, c.decision_reason AS DecisionReason,
        c.decided_on AS DecidedOn, c.decision_notified_on AS DecisionNotifiedOn, c.decision_new_end AS DecisionNewEnd,
        c.notice_deadline AS NoticeDeadline, c.decision_late AS DecisionLate,
        (SELECT json_agg(json_build_object('id', a.id, 'effectiveOn', a.effective_on, 'newEnd', a.new_end_date, 'reason', a.reason)
                         ORDER BY a.seq, a.id)::text
           FROM contract_amendment a WHERE a.contract_id = c.id) AS Amendments
        """;

    /// <summary>The contract rows with their amendments (JSON, in the order they were signed) and their post's structure; filter and order to add.</summary>
    public const string SelectStored = $"SELECT {StoredColumns} FROM contract c JOIN funded_post p ON p.id = c.post_id";

    /// <summary>Every contract of these advisors, whatever way it was recorded (API, import, renewal, simulator).</summary>
    public static async Task<ILookup<Guid, CareerContract>> CareersAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyCollection<Guid> advisorIds, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<StoredContract>(new CommandDefinition($"""
            {SelectStored}
             WHERE c.advisor_id = ANY(@ids)
             ORDER BY c.start_date, c.id
            """, new { ids = advisorIds.Distinct().ToArray() }, tx, cancellationToken: ct));
        return rows.Select(r => new CareerContract(r.StructureId, r.Contract)).ToLookup(c => c.Contract.AdvisorId);
    }

    /// <summary>The advisor's other contracts with the same employer (the structure of the post), oldest first.</summary>
    public static async Task<IReadOnlyList<Contract>> OthersWithEmployerAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid advisorId, Guid structureId,
        Guid exceptContractId, CancellationToken ct) =>
        OthersWithEmployer(await CareersAsync(conn, tx, [advisorId], ct), advisorId, structureId, exceptContractId);

    public static IReadOnlyList<Contract> OthersWithEmployer(ILookup<Guid, CareerContract> careers, Guid advisorId, Guid? structureId, Guid exceptContractId) =>
        careers[advisorId].Where(c => c.StructureId == structureId && c.Contract.Id != exceptContractId).Select(c => c.Contract).ToList();
}

using CareerPath.Workflows.Records;

namespace CareerPath.Workflows.Queries;

/// <summary>What a recruitment did: the advisor and the contract (new or already there), or every error of both parts.</summary>
public sealed record RecruitmentResult(RecordResult Advisor, RecordResult? Contract, IReadOnlyList<FieldError> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Recruit: an advisor and their contract on a post, as POST /api/advisors then POST /api/contracts would
/// record them (the same ReferenceData checks and writes), in ONE transaction: when either part is wrong,
/// nothing is written, and the errors of both parts are answered together.
/// </summary>
public sealed class RecruitmentCommands(ReferenceData records)
{
    /// <param name="contract">Its AdvisorId is ignored: the contract is the new (or identical existing) advisor's.</param>
    public async Task<RecruitmentResult> RecruitAsync(NewAdvisor advisor, NewContract contract, string actor, CancellationToken ct = default)
    {
        await using var conn = await records.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var hired = await records.CreateAdvisorAsync(conn, tx, advisor, actor, ct);
        // Without an advisor the contract is still checked (post, type, dates), so that one answer lists every error;
        // with no advisor id nothing of it can be written.
        var signed = await records.CreateContractAsync(conn, tx, contract with { AdvisorId = hired.Ok ? hired.Id : null }, actor, ct);
        var errors = hired.Errors.Concat(signed.Errors.Where(e => hired.Ok || e.Field != "advisorId")).ToList();
        if (errors.Count > 0) return new RecruitmentResult(hired, signed, errors); // disposing the transaction rolls back both parts
        await tx.CommitAsync(ct);
        return new RecruitmentResult(hired, signed, []);
    }
}

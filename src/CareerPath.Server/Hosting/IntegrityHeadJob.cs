using CareerPath.Workflows.Queries;
using Hangfire;
using Npgsql;

namespace CareerPath.Server.Hosting;

/// <summary>
/// Every day, the heads of the two hash-chained logs written to the server log (kept apart from the database, by
/// whatever collects the logs): an erased tail of either log shows against the last head written before it.
/// A broken chain is an error in the log.
/// </summary>
public sealed class IntegrityHeadJob(NpgsqlDataSource db, TimeProvider time, ILogger<IntegrityHeadJob> log)
{
    public const string JobId = "integrity-heads";

    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        var report = await IntegrityQueries.CheckAsync(db, time, ct: ct);
        foreach (var chain in new[] { report.AccessLog, report.DecisionLog })
            if (chain.Verified)
                log.LogInformation("Chain head {Log}: {Entries} entries, last seq {LastSeq}, last hash {LastHash}, verified at {CheckedAt:O}",
                    chain.Log, chain.Entries, chain.LastSeq, chain.LastHash, report.CheckedAt);
            else
                log.LogError("Chain {Log} broken at seq {FirstBrokenSeq}: {Problem} ({Entries} entries, last seq {LastSeq}, last hash {LastHash}, checked at {CheckedAt:O})",
                    chain.Log, chain.FirstBrokenSeq, chain.Problem, chain.Entries, chain.LastSeq, chain.LastHash, report.CheckedAt);
    }
}

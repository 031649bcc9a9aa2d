using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Security;

/// <summary>
/// The append-only log of personal-data reads (who, what, when): written before the data leaves
/// the server, so a read that is not logged is a read that failed. The table refuses updates and
/// deletes (migration 0003); its rows are AccessLogStore's.
/// </summary>
public sealed class AccessLog(AccessLogStore store, TimeProvider time)
{
    /// <param name="subjects">For a list, the people (advisor ids) whose data it held.</param>
    public Task RecordAsync(Caller caller, string action, string subjectKind, Guid? subjectId, int records = 1, CancellationToken ct = default,
        IReadOnlyCollection<Guid>? subjects = null) =>
        store.AppendAsync(time.GetUtcNow(), caller.UserId, caller.Role, action, subjectKind, subjectId, records, subjects, ct);
}

namespace CareerPath.Workflows.Queries;

/// <summary>
/// The records a read may return: those of every structure (an administrator), of some structures
/// (an HR manager's), or an advisor's own wherever they worked. The Server builds it from the caller;
/// the query classes turn it into the same three SQL parameters.
/// </summary>
public sealed record ReadScope(bool AllStructures, Guid[] Structures, Guid? Advisor)
{
    public static readonly ReadScope Everything = new(true, [], null);

    /// <summary>No record at all: a filter the caller may not use gets an empty answer, not an error.</summary>
    public static readonly ReadScope Nothing = new(false, [], null);

    public static ReadScope OfStructures(IEnumerable<Guid> structures) => new(false, [.. structures], null);

    public static ReadScope OfAdvisor(Guid advisorId) => new(true, [], advisorId);
}

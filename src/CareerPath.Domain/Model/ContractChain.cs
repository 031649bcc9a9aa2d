namespace CareerPath.Domain.Model;

/// <summary>Walks the PreviousContractId links of a contract: its renewals signed as new contracts.</summary>
public static class ContractChain
{
    /// <summary>The earlier contracts of the chain ending with current, oldest first; unknown links end the walk.</summary>
    public static IReadOnlyList<Contract> EarlierInChain(Contract current, IEnumerable<Contract> known)
    {
        var byId = known.ToDictionary(c => c.Id);
        var chain = new List<Contract>();
        var seen = new HashSet<Guid> { current.Id };
        for (var id = current.PreviousContractId; id is { } previousId && seen.Add(previousId) && byId.TryGetValue(previousId, out var previous); id = previous.PreviousContractId)
            chain.Add(previous);
        chain.Reverse();
        return chain;
    }
}

using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Model;

public enum ContractType { Cdd, Cdi, Pec, ContratDeProjet }

public enum TerminationReason { Resignation, Dismissal, MutualAgreement, TrialFailed, Other }

public sealed record ContractAmendment(Guid Id, DateOnly EffectiveOn, DateOnly NewEnd, string Reason);

/// <summary>An end before term; Date is the last day of the contract.</summary>
public sealed record EarlyTermination(DateOnly Date, TerminationReason Reason, string? Note = null);

/// <summary>
/// An employment contract of an advisor on a funded post. End is the signed end (null for a CDI);
/// amendments move it; a renewal signed as a new contract points to its predecessor.
/// </summary>
public sealed record Contract(Guid Id, Guid AdvisorId, Guid PostId, ContractType Type, LegalRegime Regime, DateOnly Start, DateOnly? End)
{
    public Guid? PreviousContractId { get; init; }
    public IReadOnlyList<ContractAmendment> Amendments { get; init; } = [];
    public EarlyTermination? EarlyTermination { get; init; }

    /// <summary>The end set by the latest amendment (by effective date), else the signed end.</summary>
    public DateOnly? EffectiveEnd => Amendments.Count == 0 ? End : Amendments.OrderBy(a => a.EffectiveOn).Last().NewEnd;

    /// <summary>The day the contract really stops: the early termination date, else the effective end.</summary>
    public DateOnly? ActualEnd => EarlyTermination?.Date ?? EffectiveEnd;

    /// <summary>Amendments that pushed the end later than it was: each is a renewal in private law.</summary>
    public int ExtendingAmendmentCount
    {
        get
        {
            var (count, end) = (0, End);
            foreach (var amendment in Amendments.OrderBy(a => a.EffectiveOn))
            {
                if (end is { } current && amendment.NewEnd > current) count++;
                end = amendment.NewEnd;
            }
            return count;
        }
    }

    /// <summary>
    /// Renewals of a private CDD (Code du travail L1243-13-1): each extending amendment of this contract and of the
    /// earlier contracts counted with it, plus one per earlier contract, since each successor is a renewal signed as
    /// a new contract (PreviousContractId, see <see cref="ContractChain"/>) or, in CareerPath's reading, a new CDD on
    /// the same post within the délai de carence (see Rules.PrivateCddLimits.EarlierInSuccession).
    /// </summary>
    public int RenewalCount(IReadOnlyCollection<Contract> earlierInSuccession) =>
        earlierInSuccession.Count + earlierInSuccession.Sum(c => c.ExtendingAmendmentCount) + ExtendingAmendmentCount;

    public IReadOnlyList<ValidationError> Validate() => new Errors()
        .Require(End is null || End >= Start, "model.contract.dates", $"La fin du contrat ({FrenchFormat.Date(End)}) précède son début ({FrenchFormat.Date(Start)}).")
        .Require(Type != ContractType.Cdi || End is null, "model.contract.cdi-end", "Un CDI n'a pas de date de fin.")
        .Require(Type is not (ContractType.Cdd or ContractType.ContratDeProjet) || End is not null, "model.contract.end-required", "Un CDD ou un contrat de projet doit avoir une date de fin.")
        // The PEC is a CUI-CAE, a private-law contract even with a public employer (Code du travail L5134-24).
        .Require(Type != ContractType.Pec || Regime == LegalRegime.Private, "model.contract.pec-private", "Un PEC est un contrat de droit privé (Code du travail L5134-24).")
        .Require(Amendments.All(a => a.NewEnd >= Start), "model.contract.amendment-dates", "Un avenant ne peut pas fixer la fin avant le début du contrat.")
        .Require(EarlyTermination is null || (EarlyTermination.Date >= Start && (EffectiveEnd is null || EarlyTermination.Date <= EffectiveEnd)),
            "model.contract.termination-date", "La date de fin anticipée doit se situer pendant le contrat.")
        .Require(PreviousContractId != Id, "model.contract.chain", "Un contrat ne peut pas se succéder à lui-même.")
        .ToList();
}

using CareerPath.Domain.Model;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Model;

public class ContractTests
{
    [Fact]
    public void EffectiveEnd_is_the_end_of_the_latest_amendment_by_effective_date()
    {
        var contract = PrivateCdd("2025-01-01", "2025-03-31") with
        {
            Amendments = [Amendment("2025-06-15", "2025-09-30"), Amendment("2025-03-15", "2025-06-30")],
        };
        Assert.Equal(D("2025-09-30"), contract.EffectiveEnd);
        Assert.Equal(D("2025-09-30"), contract.ActualEnd);
    }

    [Fact]
    public void ActualEnd_is_the_early_termination_date()
    {
        var contract = PrivateCdd("2025-01-01", "2025-12-31") with { EarlyTermination = new(D("2025-05-15"), TerminationReason.Resignation) };
        Assert.Equal(D("2025-12-31"), contract.EffectiveEnd);
        Assert.Equal(D("2025-05-15"), contract.ActualEnd);
    }

    [Fact]
    public void RenewalCount_adds_extending_amendments_and_earlier_contracts_of_the_chain()
    {
        var first = PrivateCdd("2025-01-01", "2025-02-28") with { Amendments = [Amendment("2025-02-15", "2025-03-31")] };
        var current = PrivateCdd("2025-04-01", "2025-06-30") with
        {
            PreviousContractId = first.Id,
            // The second amendment shortens the contract: it is not a renewal.
            Amendments = [Amendment("2025-06-01", "2025-08-31"), Amendment("2025-08-01", "2025-07-31")],
        };
        var earlier = ContractChain.EarlierInChain(current, [first, current]);

        Assert.Same(first, Assert.Single(earlier));
        Assert.Equal(1, current.ExtendingAmendmentCount);
        Assert.Equal(3, current.RenewalCount(earlier));
    }

    public static TheoryData<Contract, string> InvalidContracts => new()
    {
        { PublicCdd("2025-06-01", "2025-05-31"), "model.contract.dates" },
        { NewContract(ContractType.Cdi, LegalRegime.Public, "2025-01-01", "2025-12-31"), "model.contract.cdi-end" },
        { NewContract(ContractType.ContratDeProjet, LegalRegime.Public, "2025-01-01", null), "model.contract.end-required" },
        { NewContract(ContractType.Pec, LegalRegime.Public, "2025-01-01", "2025-12-31"), "model.contract.pec-private" },
        { PrivateCdd("2025-01-01", "2025-12-31") with { EarlyTermination = new(D("2026-01-15"), TerminationReason.Other) }, "model.contract.termination-date" },
        { PrivateCdd("2025-01-01", "2025-12-31") with { Amendments = [Amendment("2025-02-01", "2024-12-31")] }, "model.contract.amendment-dates" },
    };

    [Theory]
    [MemberData(nameof(InvalidContracts))]
    public void Validate_names_the_broken_invariant(Contract contract, string ruleId) =>
        Assert.Contains(contract.Validate(), e => e.RuleId == ruleId);

    [Fact]
    public void Validate_accepts_a_consistent_contract() =>
        Assert.Empty(PublicCdd("2025-01-01", "2025-12-31").Validate());

    [Fact]
    public void DomainException_carries_rule_ids_and_messages()
    {
        var errors = PublicCdd("2025-06-01", "2025-05-31").Validate();
        var exception = Assert.Throws<DomainException>(() => DomainException.ThrowIfAny(errors));
        Assert.Equal("model.contract.dates", Assert.Single(exception.Errors).RuleId);
        Assert.Contains("La fin du contrat (2025-05-31) précède son début (2025-06-01).", exception.Message);
    }
}

using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class PrivateCddLimitsTests
{
    private static readonly Contract TwiceRenewed = PrivateCdd("2025-01-01", "2025-03-31") with
    {
        Amendments = [Amendment("2025-03-15", "2025-06-30"), Amendment("2025-06-15", "2025-09-30")],
    };

    [Theory]
    [InlineData("2026-06-30", true, "Autorisé (limits.private-cdd) : durée totale de 18 mois et 1 renouvellement(s).")]
    [InlineData("2026-07-31", false, "Refusé (limits.private-cdd, Code du travail L1242-8-1) : la durée totale renouvellements compris dépasserait 18 mois (19 mois).")]
    [InlineData("2026-07-03", false, "Refusé (limits.private-cdd, Code du travail L1242-8-1) : la durée totale renouvellements compris dépasserait 18 mois (18 mois 3 jours).")]
    public void LimitsPrivateCdd_total_length_is_at_most_18_months(string proposedEnd, bool allowed, string message)
    {
        var verdict = PrivateCddLimits.CheckAmendment(PrivateCdd("2025-01-01", "2025-12-31"), D(proposedEnd));
        Assert.Equal(allowed, verdict.Allowed);
        Assert.Equal(message, verdict.Message);
    }

    [Fact]
    public void LimitsPrivateCdd_refuses_a_third_renewal()
    {
        var verdict = PrivateCddLimits.CheckAmendment(TwiceRenewed, D("2025-12-31"));
        Assert.False(verdict.Allowed);
        Assert.Equal("Refusé (limits.private-cdd, Code du travail L1243-13-1) : ce serait le 3e renouvellement, 2 au plus.", verdict.Message);
    }

    [Fact]
    public void LimitsPrivateCdd_shortening_is_not_a_renewal() =>
        Assert.True(PrivateCddLimits.CheckAmendment(TwiceRenewed, D("2025-08-31")).Allowed);

    [Theory]
    [InlineData("2026-06-30", true, "L1242-8")] // 6 + 12 months, 2nd renewal
    [InlineData("2026-08-31", false, "(20 mois)")] // 6 + 14 months
    public void LimitsPrivateCdd_counts_the_earlier_contracts_of_the_chain(string proposedEnd, bool allowed, string messagePart)
    {
        var first = PrivateCdd("2025-01-01", "2025-06-30");
        var current = PrivateCdd("2025-07-01", "2025-12-31") with { PreviousContractId = first.Id };

        var verdict = PrivateCddLimits.CheckAmendment(current, D(proposedEnd), ContractChain.EarlierInChain(current, [first]));

        Assert.Equal(allowed, verdict.Allowed);
        Assert.Contains(allowed ? "2 renouvellement(s)" : messagePart, verdict.Message);
    }

    [Fact]
    public void LimitsPrivateCdd_names_both_articles_when_both_limits_are_broken()
    {
        var verdict = PrivateCddLimits.CheckAmendment(TwiceRenewed, D("2026-08-31"));
        Assert.StartsWith("Refusé (limits.private-cdd, Code du travail L1242-8-1, L1243-13-1) :", verdict.Message);
    }

    [Theory]
    [InlineData(ContractType.Cdd, LegalRegime.Public, "2025-12-31")]
    [InlineData(ContractType.Cdi, LegalRegime.Private, null)]
    public void LimitsPrivateCdd_does_not_apply_to_other_contracts(ContractType type, LegalRegime regime, string? end)
    {
        var verdict = PrivateCddLimits.CheckAmendment(NewContract(type, regime, "2025-01-01", end), D("2027-12-31"));
        Assert.True(verdict.Allowed);
        Assert.StartsWith("Sans objet (limits.private-cdd)", verdict.Message);
    }
}

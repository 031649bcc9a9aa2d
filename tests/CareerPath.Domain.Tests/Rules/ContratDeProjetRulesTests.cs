using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class ContratDeProjetRulesTests
{
    [Theory]
    [InlineData("2025-01-01", "2025-11-30", false)] // 11 months
    [InlineData("2025-01-01", "2025-12-30", false)] // 11 months 30 days
    [InlineData("2025-01-01", "2025-12-31", true)] // 1 year
    [InlineData("2024-01-01", "2029-12-31", true)] // 6 years
    [InlineData("2024-01-01", "2030-01-01", false)] // 6 years 1 day
    public void BoundsContratDeProjet_public_contract_lasts_one_to_six_years(string start, string end, bool allowed)
    {
        var verdict = ContratDeProjetRules.CheckDuration(LegalRegime.Public, D(start), D(end));
        Assert.Equal(allowed, verdict.Allowed);
        Assert.Equal("bounds.contrat-de-projet", verdict.RuleId);
        Assert.StartsWith(allowed ? "Autorisé (bounds.contrat-de-projet)" : "Refusé (bounds.contrat-de-projet, CGFP L332-25)", verdict.Message);
    }

    [Fact]
    public void BoundsContratDeProjet_does_not_apply_to_private_law()
    {
        var verdict = ContratDeProjetRules.CheckDuration(LegalRegime.Private, D("2025-01-01"), D("2025-06-30"));
        Assert.True(verdict.Allowed);
        Assert.StartsWith("Sans objet (bounds.contrat-de-projet)", verdict.Message);
    }

    [Theory]
    [InlineData("2025-01-01", "2027-12-31", "2027-10-29")] // 3 years → 2 months; 31 October 2027 is a Sunday
    [InlineData("2025-09-01", "2028-08-31", "2028-06-30")] // 3 years → 2 months
    [InlineData("2025-01-01", "2028-06-30", "2028-03-30")] // 3 years 6 months → 3 months
    public void NoticeContratDeProjet_is_two_months_up_to_three_years_then_three(string start, string end, string expected)
    {
        var contract = NewContract(ContractType.ContratDeProjet, LegalRegime.Public, start, end);
        var deadline = ContratDeProjetRules.Notice(contract);
        Assert.Equal(D(expected), deadline.Date);
        Assert.Equal("notice.contrat-de-projet", deadline.RuleId);
    }

    [Fact]
    public void NoticeContratDeProjet_follows_amendments()
    {
        var contract = NewContract(ContractType.ContratDeProjet, LegalRegime.Public, "2025-01-01", "2027-12-31") with
        {
            Amendments = [Amendment("2027-06-01", "2028-06-30")],
        };
        Assert.Equal(D("2028-03-30"), ContratDeProjetRules.Notice(contract).Date);
    }

    [Fact]
    public void NoticeContratDeProjet_cites_decret_88_145_as_amended_in_2020_and_the_cgfp_article_that_took_it_over()
    {
        var source = ContratDeProjetRules.NoticeRule.Source;
        Assert.StartsWith("Décret n° 88-145 du 15 février 1988, art. 38-1, II (issu du décret n° 2020-172 du 27 février 2020)", source);
        Assert.Contains("depuis le 1er octobre 2025, Code général de la fonction publique, art. R332-39 et R332-40 (décret n° 2025-695 du 24 juillet 2025)", source);
        var deadline = ContratDeProjetRules.Notice(NewContract(ContractType.ContratDeProjet, LegalRegime.Public, "2025-01-01", "2027-12-31"));
        Assert.Contains(source, deadline.Describe());
        Assert.StartsWith("Code général de la fonction publique, art. L332-24 à L332-26", ContratDeProjetRules.BoundsRule.Source);
    }

    [Fact]
    public void NoticeContratDeProjet_refuses_a_cdd() =>
        Assert.Throws<DomainException>(() => ContratDeProjetRules.Notice(PublicCdd("2025-01-01", "2027-12-31")));
}

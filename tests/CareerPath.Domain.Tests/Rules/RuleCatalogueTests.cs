using CareerPath.Domain.Rules;

namespace CareerPath.Domain.Tests.Rules;

public class RuleCatalogueTests
{
    [Fact]
    public void RuleCatalogue_rules_are_complete_and_unique()
    {
        Assert.All(RuleCatalogue.All, rule =>
        {
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)+$", rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Title), rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Explanation), rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Source), rule.Id);
        });
        Assert.Equal(RuleCatalogue.All.Count, RuleCatalogue.All.Select(r => r.Id).Distinct().Count());
    }

    [Theory]
    [InlineData("notice.public-contract", "Décret n° 88-145 du 15 février 1988, art. 38-1")]
    [InlineData("limits.private-cdd", "Code du travail, art. L1242-8 et L1242-8-1 (durée), L1243-13 et L1243-13-1 (renouvellements), L1244-3 et L1244-3-1 (délai de carence)")]
    [InlineData("notice.contrat-de-projet", "Décret n° 88-145 du 15 février 1988, art. 38-1, II (issu du décret n° 2020-172 du 27 février 2020) ; "
        + "depuis le 1er octobre 2025, Code général de la fonction publique, art. R332-39 et R332-40 (décret n° 2025-695 du 24 juillet 2025)")]
    [InlineData("trial.public", "Décret n° 88-145 du 15 février 1988, art. 4")]
    public void RuleCatalogue_gets_a_rule_by_id(string id, string source) =>
        Assert.Equal(source, RuleCatalogue.Get(id).Source);

    [Fact]
    public void RuleCatalogue_rejects_an_unknown_id() =>
        Assert.Throws<KeyNotFoundException>(() => RuleCatalogue.Get("no.such-rule"));
}

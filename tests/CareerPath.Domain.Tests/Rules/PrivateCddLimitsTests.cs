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

    // A 12-month CDD of the advisor on the post: 2025-01-01..2025-12-31, 365 days, so a carence of 122 opening days.
    private static readonly Contract TwelveMonths = PrivateCdd("2025-01-01", "2025-12-31");

    [Fact]
    public void LimitsPrivateCdd_refuses_a_new_twelve_month_cdd_after_a_twelve_month_one()
    {
        var next = PrivateCdd("2026-01-01", "2026-12-31");

        var earlier = PrivateCddLimits.EarlierInSuccession(next, [TwelveMonths]);
        var verdict = PrivateCddLimits.CheckAmendment(next, D("2026-12-31"), earlier);

        Assert.Same(TwelveMonths, Assert.Single(earlier));
        Assert.False(verdict.Allowed);
        Assert.Equal("Refusé (limits.private-cdd, Code du travail L1242-8-1) : la durée totale renouvellements compris dépasserait 18 mois (24 mois).", verdict.Message);
    }

    [Fact]
    public void LimitsPrivateCdd_allows_a_new_six_month_cdd_after_a_twelve_month_one_and_explains_the_reading()
    {
        var next = PrivateCdd("2026-01-01", "2026-06-30");

        var verdict = PrivateCddLimits.CheckAmendment(next, D("2026-06-30"), PrivateCddLimits.EarlierInSuccession(next, [TwelveMonths]));

        Assert.True(verdict.Allowed);
        Assert.Equal("Autorisé (limits.private-cdd) : durée totale de 18 mois et 1 renouvellement(s).", verdict.Message);
        Assert.Contains(
            "Contrat du 2025-01-01 au 2025-12-31 (12 mois) : le contrat suivant, sur le même poste, a commencé dès le lendemain, "
            + "avant la fin du délai de carence de 122 jours (le tiers de 365 jours, L1244-3-1) ; compté comme un renouvellement.",
            verdict.Explanation.Steps);
        Assert.Contains(verdict.Explanation.Steps, s => s.StartsWith("Compter dans la succession un CDD conclu pendant le délai de carence est une lecture de CareerPath", StringComparison.Ordinal));
        Assert.Contains("Durée totale, contrats précédents de la succession compris : 18 mois.", verdict.Explanation.Steps);
    }

    [Theory]
    [InlineData("2026-06-29", true)] // 2026-01-01..2026-06-28 holds 121 working days: within the carence
    [InlineData("2026-06-30", false)] // 2026-01-01..2026-06-29 holds 122 working days (1 January, 6 April, 1, 8, 14 and 25 May are holidays)
    [InlineData("2027-01-04", false)]
    public void EarlierInSuccession_adds_a_cdd_on_the_same_post_only_within_the_carence(string nextStart, bool added)
    {
        var next = PrivateCdd(nextStart, D(nextStart).AddMonths(12).AddDays(-1).ToString("yyyy-MM-dd"));

        var earlier = PrivateCddLimits.EarlierInSuccession(next, [TwelveMonths]);

        Assert.Equal(added ? new[] { TwelveMonths } : [], earlier);
        Assert.Equal(!added, PrivateCddLimits.CheckAmendment(next, next.End!.Value, earlier).Allowed);
    }

    [Fact]
    public void EarlierInSuccession_leaves_out_other_posts_public_contracts_and_duplicates()
    {
        var next = PrivateCdd("2026-01-01", "2026-12-31");
        var otherPost = TwelveMonths with { Id = Guid.NewGuid(), PostId = Guid.NewGuid() };
        var publicOne = PublicCdd("2025-01-01", "2025-12-31");

        Assert.Empty(PrivateCddLimits.EarlierInSuccession(next, [otherPost]));
        Assert.Empty(PrivateCddLimits.EarlierInSuccession(next, [publicOne]));
        Assert.Same(TwelveMonths, Assert.Single(PrivateCddLimits.EarlierInSuccession(next, [TwelveMonths, TwelveMonths, next])));
    }

    [Fact]
    public void EarlierInSuccession_follows_renewal_links_then_the_carence_oldest_first_and_counts_each_as_a_renewal()
    {
        var first = PrivateCdd("2024-01-01", "2024-03-31");
        var renewed = PrivateCdd("2024-04-01", "2024-06-30") with { PreviousContractId = first.Id };
        // 182 days with its renewal → carence of 61 days; it starts after 10 working days (1-5 and 8-12 July 2024).
        var next = PrivateCdd("2024-07-15", "2024-12-31");

        var earlier = PrivateCddLimits.EarlierInSuccession(next, [renewed, first]);

        Assert.Equal(new[] { first, renewed }, earlier);
        Assert.Equal(2, next.RenewalCount(earlier));
        var verdict = PrivateCddLimits.CheckAmendment(next, D("2024-12-31"), earlier);
        Assert.True(verdict.Allowed);
        Assert.Contains("Contrat du 2024-01-01 au 2024-03-31 (3 mois) : renouvelé par le contrat suivant, signé comme un nouveau contrat ; compté comme un renouvellement.", verdict.Explanation.Steps);
        Assert.Contains(verdict.Explanation.Steps, s => s.Contains("a commencé après 10 jours ouvrés, avant la fin du délai de carence de 61 jours (le tiers de 182 jours", StringComparison.Ordinal));
        // A third renewal is now one too many.
        Assert.StartsWith("Refusé (limits.private-cdd, Code du travail L1243-13-1)", PrivateCddLimits.CheckAmendment(next, D("2025-01-31"), earlier).Message);
    }

    [Fact]
    public void EarlierInSuccession_of_another_contract_type_is_its_renewal_chain_only()
    {
        var first = PublicCdd("2024-01-01", "2024-12-31");
        var current = PublicCdd("2025-01-01", "2025-12-31") with { PreviousContractId = first.Id };
        var unlinked = PublicCdd("2023-01-01", "2023-12-31");
        Assert.Equal(new[] { first }, PrivateCddLimits.EarlierInSuccession(current, [unlinked, first]));
    }

    [Theory]
    [InlineData(365, 122)] // a third, rounded up
    [InlineData(14, 5)] // from 14 days, a third: 4.67 → 5
    [InlineData(13, 7)] // below 14 days, half: 6.5 → 7
    [InlineData(1, 1)]
    public void CarenceInOpeningDays_is_a_third_from_fourteen_days_and_half_below(int length, int carence) =>
        Assert.Equal(carence, PrivateCddLimits.CarenceInOpeningDays(length));

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

using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

// "Sous réserve que cette interruption n'excède pas quatre mois" (décret 88-145, art. 38-1): the interruption runs
// from the day after the earlier contract ended to the day before the current one began.
public class CumulatedServiceTests
{
    private static readonly Contract Current = PublicCdd("2025-01-01", "2025-04-30"); // 4 months

    [Fact]
    public void CumulatedService_an_interruption_of_exactly_four_months_still_cumulates()
    {
        // Interruption 2024-09-01..2024-12-31: exactly 4 months.
        var service = CumulatedService.UpToTermOf(Current, [PublicCdd("2024-03-01", "2024-08-31")]);

        Assert.Null(service.ChainBrokenBecause);
        Assert.Equal("10 mois", service.Total.Describe());
        Assert.Equal(2, service.Spans.Count);
    }

    [Fact]
    public void CumulatedService_an_interruption_of_four_months_and_one_day_breaks_the_chain()
    {
        // Interruption 2024-08-31..2024-12-31: 4 months 1 day.
        var service = CumulatedService.UpToTermOf(Current, [PublicCdd("2024-03-01", "2024-08-30")]);

        Assert.Equal("4 mois", service.Total.Describe());
        Assert.Equal(
            "Le contrat terminé le 2024-08-30 est suivi d'une interruption de 4 mois 1 jour (du 2024-08-31 au 2024-12-31), plus de 4 mois : ni lui ni les précédents ne sont comptés.",
            service.ChainBrokenBecause);
    }

    [Fact]
    public void CumulatedService_an_interruption_of_five_months_breaks_the_chain()
    {
        // Interruption 2024-08-01..2024-12-31: 5 months.
        var service = CumulatedService.UpToTermOf(Current, [PublicCdd("2024-02-01", "2024-07-31")]);

        Assert.Equal("4 mois", service.Total.Describe());
        Assert.Contains("interruption de 5 mois", service.ChainBrokenBecause);
    }

    [Theory]
    [InlineData("2024-10-31", "9 mois")] // interruption 2024-11-01..2025-02-28: 4 months, cumulates (5 + 4 months)
    [InlineData("2024-10-30", "4 mois")] // interruption 2024-10-31..2025-02-28: 31 October + 4 months clamps to 28 February, so 4 months 1 day
    public void CumulatedService_counts_four_months_de_date_a_date_at_month_ends(string earlierEnd, string total)
    {
        var current = PublicCdd("2025-03-01", "2025-06-30");
        var service = CumulatedService.UpToTermOf(current, [PublicCdd("2024-06-01", earlierEnd)]);
        Assert.Equal(total, service.Total.Describe());
    }

    [Fact]
    public void CumulatedService_a_resignation_breaks_the_chain_even_across_a_short_interruption()
    {
        // Ended by resignation on 2024-09-02; interruption 2024-09-03..2024-12-31 is 3 months 29 days.
        var resigned = PublicCdd("2024-03-03", "2024-12-31") with { EarlyTermination = new(D("2024-09-02"), TerminationReason.Resignation) };

        var service = CumulatedService.UpToTermOf(Current, [resigned]);

        Assert.Equal("4 mois", service.Total.Describe());
        Assert.Equal("Le contrat terminé le 2024-09-02 a pris fin par démission : ni lui ni les précédents ne sont comptés.", service.ChainBrokenBecause);
    }
}

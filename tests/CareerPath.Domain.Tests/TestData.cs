using System.Globalization;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Tests;

// Expected dates in the tests are computed by hand (checked against a printed calendar), never by the code under test.
internal static class TestData
{
    public static readonly Guid AdvisorId = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    public static readonly Guid PostId = Guid.Parse("00000000-0000-0000-0000-0000000000b1");

    public static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static Contract NewContract(ContractType type, LegalRegime regime, string start, string? end) =>
        new(Guid.NewGuid(), AdvisorId, PostId, type, regime, D(start), end is null ? null : D(end));

    public static Contract PublicCdd(string start, string end) => NewContract(ContractType.Cdd, LegalRegime.Public, start, end);
    public static Contract PrivateCdd(string start, string end) => NewContract(ContractType.Cdd, LegalRegime.Private, start, end);

    public static ContractAmendment Amendment(string effectiveOn, string newEnd) => new(Guid.NewGuid(), D(effectiveOn), D(newEnd), "prolongation");

    public static Advisor NewAdvisor(bool disabled = false) => new(AdvisorId, "Camille Martin", "camille.martin@example.fr", disabled);
}

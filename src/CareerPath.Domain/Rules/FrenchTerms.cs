using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

public static class FrenchTerms
{
    public static string Describe(ContractType type, LegalRegime regime) =>
        (type switch
        {
            ContractType.Cdd => "CDD",
            ContractType.Cdi => "CDI",
            ContractType.Pec => "PEC",
            _ => "contrat de projet",
        }) + (regime == LegalRegime.Public ? " de droit public" : " de droit privé");

    public static string Describe(TerminationReason reason) => reason switch
    {
        TerminationReason.Resignation => "démission",
        TerminationReason.Dismissal => "licenciement",
        TerminationReason.MutualAgreement => "rupture d'un commun accord",
        TerminationReason.TrialFailed => "fin de période d'essai",
        _ => "autre motif",
    };
}

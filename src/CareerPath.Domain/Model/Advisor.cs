namespace CareerPath.Domain.Model;

/// <summary>A conseiller numérique. Personal data is kept to what the rules and reminders need.</summary>
/// <param name="HasRecognisedDisability">
/// Beneficiary of the obligation d'emploi des travailleurs handicapés; used only to double notice periods
/// (décret 88-145, art. 38-1), never shown to auditors.
/// </param>
public sealed record Advisor(Guid Id, string FullName, string WorkEmail, bool HasRecognisedDisability)
{
    public IReadOnlyList<ValidationError> Validate() => new Errors()
        .Require(!string.IsNullOrWhiteSpace(FullName), "model.advisor.name", "Le nom du conseiller est obligatoire.")
        .Require(WorkEmail.Contains('@'), "model.advisor.email", $"Adresse e-mail professionnelle invalide : « {WorkEmail} ».")
        .ToList();
}

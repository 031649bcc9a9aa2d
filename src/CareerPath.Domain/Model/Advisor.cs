namespace CareerPath.Domain.Model;

/// <summary>A conseiller numérique. Personal data is kept to what the rules and reminders need.</summary>
/// <param name="HasRecognisedDisability">
/// Beneficiary of the obligation d'emploi des travailleurs handicapés; never shown to auditors. No deadline computed
/// here depends on it: the doubling capped at 3 months (décret 88-145, art. 40) is the dismissal notice's, and the
/// notice of renewal or non-renewal (art. 38-1) is not doubled.
/// </param>
public sealed record Advisor(Guid Id, string FullName, string WorkEmail, bool HasRecognisedDisability)
{
    public IReadOnlyList<ValidationError> Validate() => new Errors()
        .Require(!string.IsNullOrWhiteSpace(FullName), "model.advisor.name", "Le nom du conseiller est obligatoire.")
        .Require(WorkEmail.Contains('@'), "model.advisor.email", $"Adresse e-mail professionnelle invalide : « {WorkEmail} ».")
        .ToList();
}

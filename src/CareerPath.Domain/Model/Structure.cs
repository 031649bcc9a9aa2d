namespace CareerPath.Domain.Model;

public enum StructureKind { Commune, Epci, Departement, Association, OtherSocialEconomy }

public sealed record HrContact(string Name, string Email, bool IsLead);

/// <summary>An employer structure hosting funded posts.</summary>
public sealed record Structure(Guid Id, string Name, StructureKind Kind, LegalRegime Regime, IReadOnlyList<HrContact> HrContacts)
{
    public IReadOnlyList<ValidationError> Validate() => new Errors()
        .Require(!string.IsNullOrWhiteSpace(Name), "model.structure.name", "La structure doit avoir un nom.")
        .Require(HrContacts.All(c => c.Email.Contains('@')), "model.structure.hr-email", "Chaque contact RH doit avoir une adresse e-mail valide.")
        .Require(HrContacts.Count(c => c.IsLead) <= 1, "model.structure.hr-lead", "Une structure a au plus un contact RH référent.")
        .ToList();
}

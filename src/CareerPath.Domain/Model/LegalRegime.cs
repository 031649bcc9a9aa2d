namespace CareerPath.Domain.Model;

/// <summary>Public law (agents contractuels, décret 88-145) or private law (Code du travail).</summary>
public enum LegalRegime { Public, Private }

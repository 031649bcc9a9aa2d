using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Model;

public enum FundingSource { State, DepartementTopUp, Other }

/// <summary>FirstWave: plan de relance conventions (2021); Renewal2023: the 36-month renewal conventions.</summary>
public enum ConventionWave { FirstWave, Renewal2023 }

public sealed record Tranche(decimal Amount, DateOnly ExpectedOn)
{
    /// <summary>The day the payment arrived; a received tranche is no longer awaited.</summary>
    public DateOnly? ReceivedOn { get; init; }
}

/// <summary>A grant convention funding one post, paid in tranches.</summary>
public sealed record GrantConvention(
    Guid Id, FundingSource Source, ConventionWave Wave, decimal Amount, DateOnly Start, DateOnly End, IReadOnlyList<Tranche> Tranches)
{
    public IReadOnlyList<ValidationError> Validate() => new Errors()
        .Require(End >= Start, "model.convention.dates", $"La fin de la convention ({FrenchFormat.Date(End)}) précède son début ({FrenchFormat.Date(Start)}).")
        .Require(Amount > 0, "model.convention.amount", "Le montant de la convention doit être positif.")
        .Require(Tranches.All(t => t.Amount > 0), "model.convention.tranche-amount", "Chaque tranche doit avoir un montant positif.")
        .Require(Tranches.Sum(t => t.Amount) <= Amount, "model.convention.tranche-total", "Le total des tranches dépasse le montant de la convention.")
        .ToList();
}

/// <summary>A post granted to a structure, with the conventions that fund it over time.</summary>
public sealed record FundedPost(Guid Id, Guid StructureId, string Label, IReadOnlyList<GrantConvention> Conventions);

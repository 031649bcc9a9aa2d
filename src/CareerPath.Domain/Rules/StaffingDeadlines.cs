using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>Time a structure has to recruit on a granted post, and to refill it after a contract ends.</summary>
public static class StaffingDeadlines
{
    public static readonly RuleInfo RecruitmentRule = new(
        "recruitment.deadline",
        "Délai de recrutement sur un poste financé",
        "La structure a 3 mois à compter de l'attribution du poste (début de la convention) pour recruter un conseiller.",
        "Programme Conseiller numérique — convention de subvention ANCT (conseiller-numerique.gouv.fr)");

    public static readonly RuleInfo RefillRule = new(
        "refill.deadline",
        "Délai pour pourvoir à nouveau un poste",
        "Quand un contrat prend fin, la structure a 3 mois pour recruter un nouveau conseiller sur le poste ; la fin du contrat se déclare sans délai, avec son motif.",
        "Programme Conseiller numérique — convention de subvention ANCT (conseiller-numerique.gouv.fr)");

    public static readonly RuleInfo GrantStartRule = new(
        "recruitment.grant-start",
        "Attribution du poste",
        "Le poste est attribué au début de la convention de subvention : le délai de recrutement court à partir de ce jour.",
        "Programme Conseiller numérique — convention de subvention ANCT (conseiller-numerique.gouv.fr)");

    public static readonly CalendarPeriod Delay = CalendarPeriod.OfMonths(3);

    public static Deadline GrantStart(GrantConvention convention) => new ExplanationBuilder(GrantStartRule)
        .Input("Début de la convention", convention.Start)
        .Unadjusted("Attribution du poste", convention.Start, "Date d'effet de la convention, pas un acte à accomplir : pas de report.", convention.Id.ToString());

    public static Deadline Recruitment(GrantConvention convention)
    {
        var unadjusted = DateMath.Add(convention.Start, Delay);
        return new ExplanationBuilder(RecruitmentRule)
            .Input("Début de la convention", convention.Start)
            .Step($"Poste attribué le {FrenchFormat.Date(convention.Start)} plus 3 mois : {FrenchFormat.Date(unadjusted)}.")
            .OnPreviousWorkingDay("Recruter un conseiller sur le poste", unadjusted, convention.Id.ToString());
    }

    /// <param name="contractEnd">The last day of the contract that ended (early termination date if any).</param>
    public static Deadline Refill(DateOnly contractEnd)
    {
        var unadjusted = DateMath.Add(contractEnd, Delay);
        return new ExplanationBuilder(RefillRule)
            .Input("Fin du contrat", contractEnd)
            .Step($"Fin du contrat le {FrenchFormat.Date(contractEnd)} plus 3 mois : {FrenchFormat.Date(unadjusted)}.")
            .OnPreviousWorkingDay("Pourvoir à nouveau le poste", unadjusted);
    }
}

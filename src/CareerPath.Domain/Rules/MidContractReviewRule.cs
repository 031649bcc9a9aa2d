using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Rules;

/// <summary>Date of the mid-contract review.</summary>
public static class MidContractReviewRule
{
    public static readonly RuleInfo Rule = new(
        "review.mid-contract",
        "Entretien de mi-contrat",
        "Un point d'étape réunit le conseiller et sa structure à mi-parcours du contrat, pour préparer la suite (pérennisation, formation, projet professionnel).",
        "Programme Conseiller numérique — accompagnement des structures employeuses (conseiller-numerique.gouv.fr)")
    {
        Interpretations =
        [
            "Le « mi-parcours » est le jour du milieu de la période qui va du début du contrat à son terme, avenants compris ; quand cette période compte "
            + "un nombre pair de jours, CareerPath retient le premier des deux jours du milieu (arrondi vers le bas).",
        ],
    };

    public static Deadline Compute(DateOnly start, DateOnly effectiveEnd)
    {
        var midpoint = DateMath.Midpoint(start, effectiveEnd);
        return new ExplanationBuilder(Rule)
            .Input("Début du contrat", start).Input("Terme du contrat", effectiveEnd)
            .Step($"Milieu de la période du {FrenchFormat.Date(start)} au {FrenchFormat.Date(effectiveEnd)} : {FrenchFormat.Date(midpoint)}.")
            .OnPreviousWorkingDay("Tenir l'entretien de mi-contrat", midpoint);
    }
}

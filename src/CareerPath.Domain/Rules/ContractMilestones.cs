using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>The first day of a contract, and the date by which the initial training should have started.</summary>
public static class ContractMilestones
{
    public static readonly RuleInfo StartRule = new(
        "contract.start",
        "Prise de poste",
        "Le contrat commence à la date de début qu'il fixe : la période d'essai et le parcours de formation partent de ce jour.",
        "Contrat de travail");

    // The program asks for the initial training to begin in the weeks following recruitment; one month is
    // CareerPath's reading of that, so that a missing enrolment is raised while it can still be fixed.
    public static readonly RuleInfo TrainingStartRule = new(
        "training.start-due",
        "Début de la formation initiale",
        "La formation initiale commence après l'embauche, dans le mois qui suit la prise de poste ; sans inscription à cette date, la structure est relancée.",
        "Programme Conseiller numérique — parcours de formation (conseiller-numerique.gouv.fr)")
    {
        Interpretations =
        [
            "Le délai d'un mois est une règle de gestion de CareerPath : le programme demande que la formation initiale commence dans les semaines "
            + "qui suivent le recrutement, sans fixer de délai ; un mois permet de relancer la structure tant qu'il est temps.",
        ],
    };

    public static readonly CalendarPeriod TrainingStartDelay = CalendarPeriod.OfMonths(1);

    public static Deadline Start(Contract contract) => new ExplanationBuilder(StartRule)
        .Input("Début du contrat", contract.Start)
        .Unadjusted("Prise de poste", contract.Start, "Date de début du contrat, pas un acte à accomplir : pas de report.");

    public static Deadline TrainingStartDue(Contract contract)
    {
        var unadjusted = DateMath.Add(contract.Start, TrainingStartDelay);
        return new ExplanationBuilder(TrainingStartRule)
            .Input("Début du contrat", contract.Start)
            .Step($"Prise de poste le {FrenchFormat.Date(contract.Start)} plus 1 mois : {FrenchFormat.Date(unadjusted)}.")
            .OnPreviousWorkingDay("Inscrire le conseiller à la formation initiale", unadjusted);
    }
}

using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>Deadline of the certification exams after the initial training.</summary>
public static class CertificationDeadline
{
    public static readonly RuleInfo Rule = new(
        "certification.exam-deadline",
        "Examens de certification après la formation initiale",
        "Les examens de certification — le CCP1 du titre professionnel REMN et la certification Pix — se passent dans les 6 mois qui suivent la fin de la formation initiale.",
        "Programme Conseiller numérique — parcours de formation (conseiller-numerique.gouv.fr)");

    public static readonly CalendarPeriod Delay = CalendarPeriod.OfMonths(6);

    public static Deadline Compute(DateOnly initialTrainingEnd, TrainingModuleKind exam)
    {
        var (name, key) = exam switch
        {
            TrainingModuleKind.Ccp1Exam => ("l'examen CCP1 (titre REMN)", "ccp1"),
            TrainingModuleKind.PixExam => ("la certification Pix", "pix"),
            _ => throw new ArgumentOutOfRangeException(nameof(exam), exam, "Only the CCP1 and Pix exams have a deadline."),
        };
        var unadjusted = DateMath.Add(initialTrainingEnd, Delay);
        return new ExplanationBuilder(Rule)
            .Input("Fin de la formation initiale", initialTrainingEnd)
            .Step($"Fin de formation le {FrenchFormat.Date(initialTrainingEnd)} plus 6 mois : {FrenchFormat.Date(unadjusted)}.")
            .OnPreviousWorkingDay($"Passer {name}", unadjusted, key);
    }
}

namespace CareerPath.Domain.Rules;

/// <summary>Length of the initial training, set by the positioning test.</summary>
public static class InitialTrainingHours
{
    public static readonly RuleInfo Rule = new(
        "training.initial-hours",
        "Durée de la formation initiale",
        "La formation initiale dure de 70 à 420 heures ; sa durée est fixée par le test de positionnement passé à l'embauche.",
        "Programme Conseiller numérique — parcours de formation (conseiller-numerique.gouv.fr)");

    public const int MinHours = 70;
    public const int MaxHours = 420;

    public static bool IsWithinBounds(int hours) => hours is >= MinHours and <= MaxHours;

    public static Verdict Check(int hours) => new ExplanationBuilder(Rule)
        .Input("Durée prévue", $"{hours} h")
        .Step($"{hours} h comparées aux bornes de {MinHours} h et {MaxHours} h.")
        .Verdict(IsWithinBounds(hours), IsWithinBounds(hours)
            ? $"Autorisé ({Rule.Id}) : {hours} h, entre {MinHours} et {MaxHours} h."
            : $"Refusé ({Rule.Id}, programme Conseiller numérique) : la formation initiale dure de {MinHours} à {MaxHours} h ({hours} h).");
}

using CareerPath.Domain.Calendar;
using CareerPath.Domain.Rules;

namespace CareerPath.Domain.Model;

public enum TrainingModuleKind { InitialTraining, Ccp1Exam, PixExam, Thematic }

/// <summary>A training or exam assigned to an advisor. Hours matter for the initial training only.</summary>
public sealed record TrainingAssignment(
    Guid Id, Guid AdvisorId, TrainingModuleKind Kind, string Title, int Hours, DateOnly Start, DateOnly? End, DateOnly DueOn)
{
    public DateOnly? CompletedOn { get; init; }
    public bool? Passed { get; init; }

    public IReadOnlyList<ValidationError> Validate() => new Errors()
        .Require(End is null || End >= Start, "model.training.dates", $"La fin de la formation ({FrenchFormat.Date(End)}) précède son début ({FrenchFormat.Date(Start)}).")
        .Require(CompletedOn is null || CompletedOn >= Start, "model.training.completed", "Une formation ne peut pas être terminée avant d'avoir commencé.")
        .Require(Passed is null || CompletedOn is not null, "model.training.passed", "Un résultat ne peut être saisi que pour une formation terminée.")
        .Require(Kind != TrainingModuleKind.InitialTraining || InitialTrainingHours.IsWithinBounds(Hours), InitialTrainingHours.Rule.Id,
            $"La formation initiale dure de {InitialTrainingHours.MinHours} à {InitialTrainingHours.MaxHours} heures ({Hours} h saisies).")
        .Require(Hours >= 0, "model.training.hours", "Le nombre d'heures ne peut pas être négatif.")
        .ToList();
}

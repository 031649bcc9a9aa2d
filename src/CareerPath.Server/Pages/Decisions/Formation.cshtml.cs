using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>Assign the initial training (dates and hours set by the positioning test); closes the "schedule the training" task if open.</summary>
public sealed class FormationModel(ContractTaskQueries tasks) : TaskFormPage(tasks)
{
    public override string Title => "Programmer la formation initiale";
    protected override string[] TaskKinds => [Tasks.ScheduleTraining];
    protected override string ReadAction => "training.page";

    [BindProperty(Name = "start")] public DateOnly? Start { get; set; }
    [BindProperty(Name = "end")] public DateOnly? End { get; set; }
    [BindProperty(Name = "hours")] public int? Hours { get; set; }
    [BindProperty(Name = "title")] public string? TrainingTitle { get; set; }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        var outcome = await Actions.ScheduleTrainingAsync(Caller, Id, new TrainingRequest(Start, End, Hours, TrainingTitle), new ActOptions(ExpectedVersion: Version), ct);
        if (!outcome.Ok) return await RefusedAsync(outcome.Failure!, () => LoadAsync(ct), ct);
        return Saved($"Formation initiale programmée du {Fr.Date(Start!.Value)} au {Fr.Date(End!.Value)} ({Hours} heures).");
    }
}

using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>An exam result of the certification (CCP1 of the REMN title, Pix): passed or not, and when.</summary>
public sealed class ExamensModel : ContractFormPage
{
    public override string Title => "Résultat d'examen de certification";

    [BindProperty(Name = "exam")] public Exam? Exam { get; set; }
    [BindProperty(Name = "passed")] public bool? Passed { get; set; }
    [BindProperty(Name = "on")] public DateOnly? On { get; set; }

    public static IReadOnlyList<(string Value, string Label)> Exams { get; } =
        [(nameof(Endpoints.Exam.Ccp1), "CCP1 (titre professionnel REMN)"), (nameof(Endpoints.Exam.Pix), "Certification Pix")];

    public static IReadOnlyList<(string Value, string Label)> Results { get; } = [("true", "Réussi"), ("false", "Non réussi")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return NotFoundPage();
        Version = await CurrentVersionAsync(ct);
        await LogFormReadAsync("exam.page", ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return NotFoundPage();
        if (!BindingOk()) return Invalid();
        var outcome = await Actions.RecordExamAsync(Caller, Id, new ExamRequest(Exam, Passed, On), new ActOptions(ExpectedVersion: Version), ct);
        if (!outcome.Ok) return await RefusedAsync(outcome.Failure!, () => Task.CompletedTask, ct);
        var exam = Exams.First(e => e.Value == Exam.ToString()).Label;
        return Saved($"Résultat enregistré : {exam}, {(Passed == true ? "réussi" : "non réussi")}.");
    }
}

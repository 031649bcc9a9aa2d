using CareerPath.Server.Security;
using CareerPath.Server.Actions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Web;

/// <summary>
/// What the small forms on one contract share (decision, early end, review, training, exams, modules,
/// follow-up): the contract read through ContractQueries with the staff per-record check (out of reach =
/// the not-found page), the workflow version the form carries, the way back to the advisor's page, and
/// the answers: 400 with the errors beside their fields, 409 when the record changed meanwhile (with its
/// current values), or a redirect with a success message.
/// </summary>
public abstract class ContractFormPage : CareerPathPage
{
    [BindProperty(SupportsGet = true, Name = "id")]
    public Guid Id { get; set; }

    /// <summary>The workflow instance's version when the form was rendered: a form posted after a change is refused.</summary>
    [BindProperty(Name = "version")]
    public int? Version { get; set; }

    public ContractView Contract { get; private set; } = null!;

    /// <summary>The page's title, its h1 and last crumb.</summary>
    public abstract string Title { get; }

    public override IReadOnlyList<Crumb> Breadcrumb => Contract is null
        ? [new("Accueil", "/"), new(Title)]
        : [new("Accueil", "/"), new("Conseillers", "/conseillers"), new(Contract.AdvisorName, AdvisorPage), new(Title)];

    /// <summary>The advisor's page, at this contract.</summary>
    public string AdvisorPage => $"/conseillers/{Contract.AdvisorId}#contrat-{Contract.Id}";

    public DateOnly Today => WorkflowEngine.ParisDate(Time.GetUtcNow());

    protected TimeProvider Time => HttpContext.RequestServices.GetRequiredService<TimeProvider>();
    protected ContractActions Actions => HttpContext.RequestServices.GetRequiredService<ContractActions>();
    protected T Service<T>() where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    /// <summary>The contract, if the caller may act on it (an HR manager of its structure, or an administrator); its current workflow version.</summary>
    protected internal async Task<bool> LoadContractAsync(CancellationToken ct)
    {
        var contract = await Service<ContractQueries>().GetAsync(Id, ct);
        if (contract is null || !Caller.MaySeeStructure(contract.StructureId)) return false;
        // An archived file's forms are closed: it is read through its door, with a reason (/conseillers/{id}/archive).
        if (await Service<AdvisorFiles>().IsArchivedAsync(contract.AdvisorId, ct)) return false;
        Contract = contract;
        return true;
    }

    /// <summary>The version of the contract's workflow as it is now (the hidden field of a freshly rendered form).</summary>
    protected async Task<int?> CurrentVersionAsync(CancellationToken ct) =>
        (await Service<DecisionQueries>().InstanceOfAsync(Id, ct))?.Version;

    /// <summary>The access-log line of the form's read of the contract (the advisor's name and contract are personal data).</summary>
    protected Task LogFormReadAsync(string action, CancellationToken ct) => LogReadAsync(action, "contract", Contract.Id, [Contract.AdvisorId]);

    /// <summary>Values the browser could not even parse (a date that is not one, a number that is not one): errors beside their fields.</summary>
    protected bool BindingOk()
    {
        foreach (var (key, entry) in ModelState)
            if (entry.Errors.Count > 0 && key != "id")
                Form.Add(key, "Valeur invalide.");
        if (Version is null) Form.Fail("Le formulaire est incomplet (version du dossier manquante) : rechargez la page.");
        if (!Form.HasErrors) return true;
        Form.Fail(Form.Message ?? "Le formulaire contient des erreurs : corrigez les champs signalés.");
        return false;
    }

    /// <summary>The page again, with status 400 (bad input) and nothing changed.</summary>
    protected IActionResult Invalid()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>
    /// An action's refusal: out of reach = not found; invalid input = 400 with the errors; a conflict = 409 (the
    /// record changed meanwhile, or its workflow does not allow this now) with the record's current values.
    /// </summary>
    protected async Task<IActionResult> RefusedAsync(ActionFailure failure, Func<Task> reloadCurrent, CancellationToken ct)
    {
        if (failure.Kind == FailureKind.NotFound) return NotFoundPage();
        Form.From(failure);
        if (failure.Kind == FailureKind.Conflict)
        {
            if (!await LoadContractAsync(ct)) return NotFoundPage();
            Version = await CurrentVersionAsync(ct);
            await reloadCurrent();
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        return Invalid();
    }

    /// <summary>Closes the contract's open task by what it stands for (ContractActions.CompleteTaskAsync), only from the version the form was shown with.</summary>
    protected Task<ActionOutcome> CompleteTaskAsync(Guid taskId, Endpoints.TaskCompletion body, CancellationToken ct) =>
        Actions.CompleteTaskAsync(Caller, taskId, body, new ActOptions(ExpectedVersion: Version), ct);

    /// <summary>Saved: back to the advisor's page at this contract, with the message shown once.</summary>
    protected IActionResult Saved(string message)
    {
        Success = message;
        return Redirect(AdvisorPage);
    }

    /// <summary>"2026-12-01" for a date input.</summary>
    public static string? Iso(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A contract form tied to the contract's open task of some kinds (the review, the follow-up, the training to
/// schedule): it reads the task with the contract, and completes it (only from the version the form was shown with).
/// </summary>
public abstract class TaskFormPage(ContractTaskQueries tasks) : ContractFormPage
{
    /// <summary>The task kinds this form closes.</summary>
    protected abstract string[] TaskKinds { get; }

    /// <summary>The access-log action of the form's read.</summary>
    protected abstract string ReadAction { get; }

    public TaskView? OpenTask { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFoundPage();
        Version = await CurrentVersionAsync(ct);
        await LogFormReadAsync(ReadAction, ct);
        return Page();
    }

    protected async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!await LoadContractAsync(ct)) return false;
        OpenTask = await tasks.OpenTaskAsync(Id, TaskKinds, ct);
        return true;
    }

    /// <summary>Completes the open task: none open = 409 with <paramref name="noneOpen"/>; refused = 400/409; done = back with <paramref name="saved"/>.</summary>
    protected async Task<IActionResult> CompleteOpenTaskAsync(Endpoints.TaskCompletion body, string noneOpen, Func<string> saved, CancellationToken ct)
    {
        if (OpenTask is null)
        {
            Form.Fail(noneOpen);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        var outcome = await CompleteTaskAsync(OpenTask.Id, body, ct);
        return outcome.Ok ? Saved(saved()) : await RefusedAsync(outcome.Failure!, () => LoadAsync(ct), ct);
    }
}

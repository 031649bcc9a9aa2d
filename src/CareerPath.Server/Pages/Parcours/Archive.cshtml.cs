using CareerPath.Server.Security;
using CareerPath.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>
/// The door of an archived file (AdvisorFiles): an administrator or the HR lead chooses the reason of the read, then
/// the advisor page opens with it; anyone else learns who may read it (403). Nothing of the file is shown here, so
/// nothing is logged yet.
/// </summary>
public sealed class ArchiveModel(AdvisorFiles files) : CareerPathPage
{
    [BindProperty(SupportsGet = true, Name = "erreur")]
    public string? Error { get; set; }

    public Guid Id { get; private set; }
    public DateOnly ArchivedOn { get; private set; }
    public bool MayRead { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Conseillers", "/conseillers"), new("Dossier archivé")];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!(Caller.IsHr || Caller.IsAdmin)) return NotFoundPage();
        var access = await files.CheckAsync(Caller, id, null, ct);
        if (access.Outcome == AdvisorFiles.Outcome.NotFound) return NotFoundPage();
        if (access.ArchivedOn is not { } archivedOn) return Redirect($"/conseillers/{id}");
        (Id, ArchivedOn, MayRead) = (id, archivedOn, access.Outcome == AdvisorFiles.Outcome.ReasonRequired);
        if (!MayRead) Response.StatusCode = StatusCodes.Status403Forbidden;
        else if (Error == "motif")
        {
            Form.Fail("Choisissez le motif de la lecture dans la liste.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }
}

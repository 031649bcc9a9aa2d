using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Import;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Import;

/// <summary>
/// CSV import for HR managers (posts, advisors, contracts of their structures) and administrators (structures
/// too): the same checks, limits and importer as POST /api/imports/{kind}. All or nothing: the errors are shown
/// by line and column and nothing is written; a success is announced with its counts on the page again.
/// </summary>
[Authorize(Policy = Policies.Staff)]
// The file plus the form's own bytes; the file itself is held to ImportActions.MaxBytes below.
[RequestSizeLimit(ImportActions.MaxBytes + 64 * 1024)]
public sealed class IndexModel(ImportActions imports, StructureQueries structures) : CareerPathPage
{
    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Import CSV")];

    public IReadOnlyList<ImportKind> Kinds => ImportActions.KindsFor(Caller);

    /// <summary>The kind chosen in the form (kept when the page comes back with errors).</summary>
    public ImportKind? Kind { get; private set; }

    /// <summary>The report of a refused file: its errors by line and column.</summary>
    public ImportReport? Report { get; private set; }
    public string? FileName { get; private set; }

    /// <summary>An HR manager's structures with their SIRET (the files name a structure by it); none for an administrator.</summary>
    public IReadOnlyList<StructureView> Structures { get; private set; } = [];
    public bool MoreStructures { get; private set; }
    const int StructureRows = 50;

    public async Task OnGetAsync(CancellationToken ct) => await LoadStructuresAsync(ct);

    async Task LoadStructuresAsync(CancellationToken ct)
    {
        if (!Caller.IsHr) return;
        var page = await structures.ListAsync(Scope, new PageRequest(StructureRows, null), ct);
        Structures = page?.Items ?? [];
        MoreStructures = page?.Next is not null;
        await LogReadAsync("structures.import-page", "structure", null, records: Structures.Count);
    }

    public async Task<IActionResult> OnPostAsync(string? kind, IFormFile? fichier, CancellationToken ct)
    {
        Kind = ImportActions.ParseKind(kind) is { } k && Kinds.Contains(k) ? k : null;
        if (Kind is null) Form.Add("kind", "Choisissez le type de fichier à importer.");
        if (fichier is null || fichier.Length == 0) Form.Add("fichier", "Choisissez un fichier CSV non vide.");
        else if (fichier.Length > ImportActions.MaxBytes) Form.Add("fichier", ImportActions.TooLargeMessage);
        if (Form.HasErrors) return await RefusedAsync("Le formulaire contient des erreurs : corrigez les champs signalés. Rien n'a été importé.", ct);

        FileName = Path.GetFileName(fichier!.FileName);
        await using var stream = fichier.OpenReadStream();
        var outcome = await imports.RunAsync(Caller, kind, stream, "Le fichier est vide : rien n'a été importé.", ct);
        if (outcome.Refusal is { } refusal)
        {
            Form.Add(refusal.Kind is ImportRefusalKind.UnknownKind or ImportRefusalKind.Forbidden ? "kind" : "fichier", refusal.Message);
            return await RefusedAsync("Le formulaire contient des erreurs : corrigez les champs signalés. Rien n'a été importé.", ct);
        }
        var report = outcome.Report!;
        if (!report.Ok)
        {
            Report = report;
            await LoadStructuresAsync(ct);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Success = SuccessMessage(report, FileName);
        return RedirectToPage();
    }

    async Task<IActionResult> RefusedAsync(string message, CancellationToken ct)
    {
        Form.Fail(message);
        await LoadStructuresAsync(ct);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public static string SuccessMessage(ImportReport report, string? fileName)
    {
        var what = Plural(report.Rows, "ligne lue", "lignes lues");
        var created = Plural(report.Created, Noun(report.Kind, false) + " créé" + Agreement(report.Kind, false),
            Noun(report.Kind, true) + " créé" + Agreement(report.Kind, true));
        var unchanged = report.Unchanged == 0 ? "" : ", " + Plural(report.Unchanged,
            $"déjà présent{Agreement(report.Kind, false)} à l'identique (inchangé{Agreement(report.Kind, false)})",
            $"déjà présent{Agreement(report.Kind, true)} à l'identique (inchangé{Agreement(report.Kind, true)})");
        // Only structures are ever updated: one recorded without a département that now has one.
        var updated = report.Updated == 0 ? "" : ", " + Plural(report.Updated,
            "structure déjà présente complétée de son département", "structures déjà présentes complétées de leur département");
        var file = string.IsNullOrEmpty(fileName) ? "" : $" « {fileName} »";
        return $"Import réussi ({Label(report.Kind).ToLowerInvariant()}) : fichier{file}, {what} ; {created}{unchanged}{updated}.";
    }

    static string Plural(int n, string one, string many) => $"{n} {(n > 1 ? many : one)}";

    static string Agreement(ImportKind kind, bool plural) => (kind == ImportKind.Structures ? "e" : "") + (plural ? "s" : "");

    static string Noun(ImportKind kind, bool plural) => kind switch
    {
        ImportKind.Structures => plural ? "structures" : "structure",
        ImportKind.Posts => plural ? "postes" : "poste",
        ImportKind.Advisors => plural ? "conseillers" : "conseiller",
        _ => plural ? "contrats" : "contrat",
    };

    public static string Label(ImportKind kind) => kind switch
    {
        ImportKind.Structures => "Structures employeuses",
        ImportKind.Posts => "Postes financés",
        ImportKind.Advisors => "Conseillers",
        _ => "Contrats",
    };

    public static string Description(ImportKind kind) => kind switch
    {
        ImportKind.Structures => "Une ligne par structure, avec son contact RH. Réservé aux administrateurs.",
        ImportKind.Posts => "Une ligne par poste financé d'une de vos structures, avec sa convention.",
        ImportKind.Advisors => "Une ligne par conseiller recruté par une de vos structures.",
        _ => "Une ligne par contrat d'un conseiller déjà importé, sur un poste déjà importé.",
    };

    /// <summary>The place of a line of the file in the error table: the header is line 1.</summary>
    public static string Where(ImportError error) => error.Line == 1 && error.Column.Length > 0 ? "1 (en-tête)" : error.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

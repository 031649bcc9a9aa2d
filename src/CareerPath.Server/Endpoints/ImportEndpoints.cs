using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Workflows.Import;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Endpoints;

/// <summary>
/// CSV import of structures (administrators), posts, advisors and contracts (HR managers, within their
/// structures). All or nothing: one bad row and nothing is written; the answer lists every error by line and column.
/// </summary>
public static class ImportEndpoints
{
    public const long MaxBytes = ImportActions.MaxBytes;

    public static void MapImports(this RouteGroupBuilder api)
    {
        api.MapPost("/imports/{kind}", async Task<Results<Ok<ImportReport>, ValidationProblem, BadRequestProblem, ForbiddenProblem, TooLargeProblem>> (
            string kind, HttpContext http, ImportActions imports, CancellationToken ct) =>
        {
            var outcome = await imports.RunAsync(http.Caller(), kind, http.Request.Body,
                "Le fichier CSV est vide : envoyez-le comme corps de la requête (Content-Type: text/csv).", ct);
            switch (outcome.Refusal)
            {
                case { Kind: ImportRefusalKind.UnknownKind } r: return new Check().Add("kind", r.Message).Problem();
                case { Kind: ImportRefusalKind.Forbidden } r: return new ForbiddenProblem(r.Message);
                case { Kind: ImportRefusalKind.TooLarge } r: return new TooLargeProblem(r.Message);
                case { } r: return new BadRequestProblem(r.Message);
            }
            var report = outcome.Report!;
            if (report.Ok) return TypedResults.Ok(report);
            return new BadRequestProblem($"{report.Errors.Count} erreur(s) : rien n'a été importé. Corrigez les lignes indiquées et renvoyez le fichier entier.",
                "Import refusé", new Dictionary<string, object?> { ["errors"] = report.Errors });
        }).WithTags("Import").RequireAuthorization(Policies.Staff)
          .WithMetadata(new RequestSizeLimitAttribute(MaxBytes + 1))
          .Accepts<string>("text/csv")
          .WithName("importCsv").WithSummary("Importer un fichier CSV (structures, postes, conseillers, contrats)");
    }
}

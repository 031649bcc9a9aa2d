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
    public const long MaxBytes = 10 * 1024 * 1024;

    public static void MapImports(this RouteGroupBuilder api)
    {
        api.MapPost("/imports/{kind}", async Task<Results<Ok<ImportReport>, ValidationProblem, BadRequestProblem, ForbiddenProblem, TooLargeProblem>> (
            string kind, HttpContext http, CsvImporter importer, CancellationToken ct) =>
        {
            // By exact name: Enum.TryParse would also take numbers and comma-separated lists.
            if (Enum.GetNames<ImportKind>().FirstOrDefault(n => string.Equals(n, kind, StringComparison.OrdinalIgnoreCase)) is not { } name)
                return new Check().Add("kind", "Type d'import inconnu : attendu structures, posts, advisors ou contracts.").Problem();
            var parsed = Enum.Parse<ImportKind>(name);
            var caller = http.Caller();
            if (parsed == ImportKind.Structures && !caller.IsAdmin)
                return new ForbiddenProblem("Seul un administrateur importe des structures.");

            // Read with a cap whatever the server in front: a huge upload is refused, not buffered.
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                    return new TooLargeProblem($"Fichier trop volumineux : {MaxBytes / 1024 / 1024} Mo au plus.");
                buffer.Write(chunk, 0, read);
            }
            if (buffer.Length == 0) return new BadRequestProblem("Le fichier CSV est vide : envoyez-le comme corps de la requête (Content-Type: text/csv).");
            buffer.Position = 0;
            var report = await importer.ImportAsync(parsed, buffer, s => caller.IsAdmin || (s != Guid.Empty && caller.Structures.Contains(s)), caller.Actor, ct);
            if (report.Ok) return TypedResults.Ok(report);
            return new BadRequestProblem($"{report.Errors.Count} erreur(s) : rien n'a été importé. Corrigez les lignes indiquées et renvoyez le fichier entier.",
                "Import refusé", new Dictionary<string, object?> { ["errors"] = report.Errors });
        }).WithTags("Import").RequireAuthorization(Policies.Staff)
          .WithMetadata(new RequestSizeLimitAttribute(MaxBytes + 1))
          .Accepts<string>("text/csv")
          .WithName("importCsv").WithSummary("Importer un fichier CSV (structures, postes, conseillers, contrats)");
    }
}

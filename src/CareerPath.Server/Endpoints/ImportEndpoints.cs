using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Import;
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
        api.MapPost("/imports/{kind}", async (string kind, HttpContext http, CsvImporter importer, CancellationToken ct) =>
        {
            // By exact name: Enum.TryParse would also take numbers and comma-separated lists.
            if (Enum.GetNames<ImportKind>().FirstOrDefault(n => string.Equals(n, kind, StringComparison.OrdinalIgnoreCase)) is not { } name)
                return new Check().Add("kind", "Type d'import inconnu : attendu structures, posts, advisors ou contracts.").Problem();
            var parsed = Enum.Parse<ImportKind>(name);
            var caller = http.Caller();
            if (parsed == ImportKind.Structures && !caller.IsAdmin)
                return TypedResults.Problem("Seul un administrateur importe des structures.", statusCode: 403, title: "Accès refusé");

            // Read with a cap whatever the server in front: a huge upload is refused, not buffered.
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                    return TypedResults.Problem($"Fichier trop volumineux : {MaxBytes / 1024 / 1024} Mo au plus.", statusCode: 413, title: "Requête trop volumineuse");
                buffer.Write(chunk, 0, read);
            }
            if (buffer.Length == 0) return Problems.BadRequest("Le fichier CSV est vide : envoyez-le comme corps de la requête (Content-Type: text/csv).");
            buffer.Position = 0;
            var report = await importer.ImportAsync(parsed, buffer, s => caller.IsAdmin || (s != Guid.Empty && caller.Structures.Contains(s)), caller.Actor, ct);
            if (report.Ok) return Results.Ok(report);
            var problem = new ProblemDetails
            {
                Status = 400,
                Title = "Import refusé",
                Detail = $"{report.Errors.Count} erreur(s) : rien n'a été importé. Corrigez les lignes indiquées et renvoyez le fichier entier.",
            };
            problem.Extensions["fr"] = true;
            problem.Extensions["errors"] = report.Errors;
            return TypedResults.Problem(problem);
        }).WithTags("Import").RequireAuthorization(Policies.Staff)
          .WithMetadata(new RequestSizeLimitAttribute(MaxBytes + 1))
          .Accepts<string>("text/csv");
    }
}

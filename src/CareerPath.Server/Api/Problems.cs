using System.Text.Json;
using CareerPath.Workflows.Engine;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Api;

/// <summary>
/// Every error is a ProblemDetails in French. Titles follow the status; details say what to fix,
/// never echo a stack trace or the server's internals.
/// </summary>
public static class Problems
{
    public static string Title(int status) => status switch
    {
        400 => "Requête invalide",
        401 => "Authentification requise",
        403 => "Accès refusé",
        404 => "Ressource introuvable",
        405 => "Méthode non autorisée",
        409 => "Conflit",
        413 => "Requête trop volumineuse",
        415 => "Type de contenu non pris en charge",
        422 => "Requête non traitable",
        429 => "Trop de requêtes",
        503 => "Service momentanément indisponible",
        _ when status >= 500 => "Erreur interne du serveur",
        _ => "Erreur",
    };

    public static void Customize(ProblemDetailsContext context)
    {
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        // Titles set by our own code are French already (marked "fr"); ASP.NET Core's defaults are English.
        if (!context.ProblemDetails.Extensions.Remove("fr")) context.ProblemDetails.Title = Title(status);
        context.ProblemDetails.Detail ??= status switch
        {
            401 => "Connectez-vous, ou joignez un jeton d'API valide (Authorization: Bearer …).",
            403 => "Votre rôle ne permet pas cette action.",
            404 => "Cette ressource n'existe pas, ou vous n'avez pas le droit de la voir.",
            405 => "Cette méthode HTTP n'est pas acceptée à cette adresse.",
            413 => "Le corps de la requête dépasse la taille autorisée.",
            415 => "Type de contenu non pris en charge : envoyez du JSON (application/json), ou du CSV (text/csv) pour un import.",
            _ => null,
        };
        context.ProblemDetails.Type = null;
        context.ProblemDetails.Extensions.Remove("traceId");
    }
}

/// <summary>Maps the engine's and the binder's exceptions to ProblemDetails; anything else is a 500 with no details.</summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, detail, extensions) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, Describe(bad), null),
            WorkflowInputException input => (400, input.Message, input.RuleId is null ? null : new Dictionary<string, object?> { ["ruleId"] = input.RuleId }),
            TriggerNotPermittedException notPermitted => (409, notPermitted.Message, null),
            WorkflowConflictException => (409, "Le dossier a été modifié en même temps par quelqu'un d'autre : relisez-le et recommencez.", null),
            WorkflowNotFoundException => (404, "Cette ressource n'existe pas, ou vous n'avez pas le droit de la voir.", null),
            // Last line of defence: text PostgreSQL cannot store (NUL) is bad input, not a server fault.
            Npgsql.PostgresException { SqlState: "22021" or "22P05" } => (400, "Le texte envoyé contient un caractère interdit (NUL).", null),
            // The same key with another request: replaying the first answer would silently drop this one.
            IdempotencyKeyReusedException reused => (422, reused.Message, null),
            _ when DatabaseOutage.IsUnavailable(exception) => (503, DatabaseOutage.Detail, null),
            _ => (500, "Une erreur inattendue est survenue ; elle a été journalisée.", null),
        };
        if (status == 503)
        {
            // Expected while PostgreSQL restarts: one line, no stack trace; the caller is told when to come back.
            log.LogWarning("Database unavailable on {Method} {Path}: {Error}", http.Request.Method, http.Request.Path, exception.Message);
            http.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status >= 500) log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = Problems.Title(status), Detail = detail };
        problem.Extensions["fr"] = true;
        foreach (var (k, v) in extensions ?? []) problem.Extensions[k] = v;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>What was wrong with the request, in French, naming the JSON field when the parser says which.</summary>
    static string Describe(BadHttpRequestException bad)
    {
        if (bad.StatusCode == 413) return "Le corps de la requête dépasse la taille autorisée.";
        if (bad.StatusCode == 415) return "Type de contenu non pris en charge : envoyez du JSON (application/json).";
        for (Exception? e = bad; e is not null; e = e.InnerException)
            if (e is JsonException json)
                return json.Path is { Length: > 1 } path
                    ? $"Le champ « {path.TrimStart('$', '.')} » a une valeur invalide (type, format de date AAAA-MM-JJ, valeur inconnue ou champ non attendu)."
                    : "Le corps de la requête n'est pas un JSON valide, ou contient un champ non attendu.";
        if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
            return "Le corps de la requête est manquant ou illisible : envoyez un objet JSON.";
        return "Un paramètre de la requête est manquant ou a un format invalide.";
    }
}

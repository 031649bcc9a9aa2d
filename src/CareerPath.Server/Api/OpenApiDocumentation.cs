using System.Text;
using System.Text.Json.Nodes;
using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CareerPath.Server.Api;

/// <summary>
/// The OpenAPI document as a client generator needs it: how to authenticate (the three ways in of
/// Authentication, declared once and required by exactly the operations whose endpoint requires
/// authorization), the refusals every operation may meet (401, 403, 400, 429) besides those its typed
/// results state, an operationId and a summary on each operation, tags and paging explained.
/// Checked by Redocly CLI's recommended rules (tests/CareerPath.Server.Tests/Api/OpenApiLintTests.cs).
/// </summary>
public static class OpenApiDocumentation
{
    public const string CookieScheme = "cookie";
    public const string BearerScheme = "bearerToken";
    public const string ApiKeyScheme = "apiKey";
    const string ProblemSchema = "ProblemDetails";
    const string ProblemJson = "application/problem+json";

    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer(DescribeOperation);
        options.AddDocumentTransformer(DescribeDocumentAsync);
        // Enums are read by StrictEnumConverter, which the schema generator does not know: say they are names.
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
            if (type.IsEnum)
            {
                schema.Type = JsonSchemaType.String;
                schema.Enum = Enum.GetNames(type).Select(n => (JsonNode)JsonValue.Create(n)).ToList();
            }
            return Task.CompletedTask;
        });
    }

    static readonly string Description = $$"""
        Parcours des conseillers numériques : structures, postes, conseillers, contrats, échéances, tâches, rapports.

        **Authentification.** Trois façons, au choix : le cookie de session `{{Authentication.CookieName}}` (après `POST /api/auth/login`
        ou ProConnect), un jeton d'API personnel dans `Authorization: Bearer cpt_…`, ou le même jeton dans l'en-tête
        `{{TokenAuthenticationHandler.ApiKeyHeader}}`. Un jeton se crée avec `POST /api/auth/tokens` après une connexion par mot de passe.
        Sans authentification : 401 ; un rôle qui ne permet pas l'action : 403 ; un dossier que l'appelant n'a pas le droit de voir : 404.

        **Listes paginées.** Chaque liste répond par une page `{ "items": [...], "next": "…" }`. Paramètres : `limit`, le nombre
        d'éléments par page ({{PageRequest.DefaultLimit}} par défaut, de 1 à {{PageRequest.MaxLimit}} ; au-delà : 400), et `after`, le curseur opaque
        de la page suivante : la valeur `next` de la page précédente. `next` vaut `null` sur la dernière page. L'ordre est stable
        (une clé unique) : une ligne ajoutée pendant la lecture ne décale pas les pages restantes. Les exports CSV contiennent
        toutes les lignes, sans pagination.

        **Erreurs.** Toujours un ProblemDetails (`{{ProblemJson}}`), en français ; 400 liste chaque champ invalide dans `errors`.

        **Limites** (par défaut ; réglage CareerPath:RateLimits). Connexion : 10 essais par minute et par adresse IP ; API et calendrier :
        300 requêtes par minute et par compte, 600 par adresse IP ; au-delà, 429 avec `Retry-After`.
        """;

    static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Administration"] = "Définitions et instances de workflow, journaux, incidents, migrations de version, e-mails, comptes, journal des accès (administrateurs).",
        ["Authentification"] = "Connexion par mot de passe ou ProConnect, compte connecté, jetons d'API personnels.",
        ["Calendrier"] = "Flux iCalendar secrets des échéances d'un responsable RH.",
        ["Conseillers"] = "Fiches des conseillers numériques et leur parcours.",
        ["Contrats"] = "Contrats, avenants, renouvellements, décisions et fins anticipées.",
        ["Formations"] = "Formation initiale, certification (CCP1, Pix) et modules thématiques.",
        ["Import"] = "Imports CSV de structures, postes, conseillers et contrats (tout ou rien).",
        ["Journal des décisions"] = "Journal chaîné des décisions, pour les auditeurs, et sa vérification.",
        ["Postes et conventions"] = "Postes financés, conventions de l'État et tranches versées.",
        ["Rapports"] = "Résultats pseudonymisés ou agrégés, et leurs exports CSV.",
        ["Structures"] = "Structures employeuses et leurs contacts RH.",
        ["Tâches"] = "Tâches de décision et de suivi assignées aux responsables RH.",
        ["Échéances"] = "Échéances calculées (préavis, fins de contrat, formations) et leur export CSV.",
    };

    static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        operation.Responses ??= new OpenApiResponses();

        // AllowAnonymous wins over any policy, as it does in the authorization middleware.
        var policies = metadata.OfType<IAllowAnonymous>().Any() ? [] : metadata.OfType<IAuthorizeData>().ToList();
        if (policies.Count == 0)
        {
            // Declared empty rather than left out: "no credentials" is a statement, not an omission.
            operation.Security = [];
        }
        else
        {
            // Any one of the three ways in will do: alternatives, not all at once.
            operation.Security = [.. new[] { CookieScheme, BearerScheme, ApiKeyScheme }.Select(scheme =>
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] })];
            Refusal(operation, document, 401, "Authentification requise : cookie de session, jeton Bearer ou en-tête X-Api-Key absent, expiré ou révoqué.");
            // A policy that only asks for a signed-in caller never answers 403 by itself; role policies do.
            if (policies.Any(p => p.Policy != Policies.Authenticated || !string.IsNullOrEmpty(p.Roles)))
                Refusal(operation, document, 403, "Accès refusé : le rôle du compte ne permet pas cette action.");
        }

        // Input the binder or the endpoint checks: a body, a query or header parameter, a path parameter without a route constraint.
        if (operation.RequestBody is not null
            || description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body || p.Source == BindingSource.Query || p.Source == BindingSource.Header
                || p.Source == BindingSource.Form || (p.Source == BindingSource.Path && p.RouteInfo?.Constraints?.Any() != true)))
            Refusal(operation, document, 400, "Requête invalide : un paramètre ou un champ manque ou a un format invalide (détail dans « errors »).");

        // The global limiter counts every call under /api and /calendar (ApiSetup.IsApi).
        var path = "/" + (description.RelativePath ?? "");
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/calendar/", StringComparison.Ordinal))
            Refusal(operation, document, 429, "Trop de requêtes : réessayez après le délai de l'en-tête Retry-After (en secondes).", retryAfter: true);
        return Task.CompletedTask;
    }

    /// <summary>Adds a ProblemDetails answer, unless the endpoint's typed results already state this status.</summary>
    static void Refusal(OpenApiOperation operation, OpenApiDocument? document, int status, string text, bool retryAfter = false)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key)) return;
        var response = new OpenApiResponse
        {
            Description = text,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
        };
        if (retryAfter)
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Secondes à attendre avant de réessayer.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
        operation.Responses[key] = response;
    }

    static async Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info.Title = "CareerPath API";
        document.Info.Description = Description;

        // The servers the framework derives from the request end with a slash, which doubles the one every path starts with.
        foreach (var server in document.Servers ?? [])
            if (server.Url is { Length: > 1 } url && url.EndsWith('/')) server.Url = url.TrimEnd('/');

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[CookieScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = Authentication.CookieName,
            Description = "Cookie de session posé par POST /api/auth/login (ou la connexion ProConnect), valable 8 heures glissantes.",
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = Accounts.TokenPrefix + "…",
            Description = "Jeton d'API personnel (POST /api/auth/tokens) : Authorization: Bearer " + Accounts.TokenPrefix + "….",
        };
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = TokenAuthenticationHandler.ApiKeyHeader,
            Description = "Le même jeton d'API, dans l'en-tête " + TokenAuthenticationHandler.ApiKeyHeader + ".",
        };

        // The refusals added to operations refer to this schema: make sure it is there even if no endpoint names it.
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(ProblemSchema))
            document.Components.Schemas[ProblemSchema] = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);

        var operations = (document.Paths ?? new OpenApiPaths()).SelectMany(p => (p.Value.Operations ?? new Dictionary<HttpMethod, OpenApiOperation>()).Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value))).ToList();

        // Fail-safe: an operation its endpoint did not name (WithName) gets a name from its method and path, unique in the document.
        var taken = operations.Select(o => o.Operation.OperationId).Where(id => !string.IsNullOrEmpty(id)).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, method, operation) in operations.Where(o => string.IsNullOrEmpty(o.Operation.OperationId)))
        {
            var name = DerivedOperationId(method.Method, path);
            var unique = name;
            for (var i = 2; !taken.Add(unique); i++) unique = name + i;
            operation.OperationId = unique;
        }

        // Every tag used, described once at the document level.
        var tags = operations.SelectMany(o => o.Operation.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name).OfType<string>().Distinct().Order(StringComparer.Ordinal);
        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var tag in tags)
        {
            var existing = document.Tags.FirstOrDefault(t => t.Name == tag);
            if (existing is null) document.Tags.Add(existing = new OpenApiTag { Name = tag });
            existing.Description ??= TagDescriptions.GetValueOrDefault(tag, tag);
        }
    }

    /// <summary>"GET /api/contracts/{id}/amendments" → "getApiContractsIdAmendments".</summary>
    static string DerivedOperationId(string method, string path)
    {
        var text = new StringBuilder(method.ToLowerInvariant());
        foreach (var part in path.Split(['/', '{', '}', '-', '.', '_'], StringSplitOptions.RemoveEmptyEntries))
            if (part.All(char.IsAsciiLetterOrDigit)) text.Append(char.ToUpperInvariant(part[0])).Append(part[1..]);
        return text.ToString();
    }
}

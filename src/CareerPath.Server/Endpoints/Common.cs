using System.ComponentModel;
using System.Reflection;
using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Endpoints;

/// <summary>What the endpoint files share: the caller and their read scope, paging, input checks, typed error answers.</summary>
static class Common
{
    public static Caller Caller(this HttpContext http) => Security.Caller.From(http.User);

    /// <summary>
    /// The answer to a read of an advisor's file that <see cref="AdvisorFiles"/> refused: not found (out of scope), 403 (an
    /// archived file, and the caller neither an administrator nor the HR lead), 400 (archived, and no reason given);
    /// null when the read goes on.
    /// </summary>
    public static Results<Ok<T>, NotFoundProblem, ForbiddenProblem, BadRequestProblem>? Refusal<T>(AdvisorFiles.Access access) => access.Outcome switch
    {
        AdvisorFiles.Outcome.NotFound => new NotFoundProblem(),
        AdvisorFiles.Outcome.Forbidden => new ForbiddenProblem(AdvisorFiles.ForbiddenText(access.ArchivedOn!.Value)),
        AdvisorFiles.Outcome.ReasonRequired => new BadRequestProblem(AdvisorFiles.ReasonText(access.ArchivedOn!.Value)),
        _ => null,
    };

    /// <summary>
    /// How an API call runs its action: once per Idempotency-Key, and only for the request the key first came with
    /// (its fingerprint, taken by Api.DatabaseOutage from the buffered body before the endpoint read it).
    /// </summary>
    public static Actions.ActOptions Act(this HttpContext http) =>
        http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key
            ? new(key, Fingerprint: http.Items[Api.DatabaseOutage.FingerprintItem] as string)
            : new();

    /// <summary>
    /// The personal records a caller may read: an administrator all, an HR manager their structures',
    /// an advisor their own wherever they worked, anyone else nothing.
    /// </summary>
    public static ReadScope Scope(this Caller caller) =>
        caller.IsAdmin ? ReadScope.Everything
        : caller.IsHr ? ReadScope.OfStructures(caller.Structures)
        : caller.IsAdvisor ? ReadScope.OfAdvisor(caller.AdvisorId ?? Guid.Empty)
        : ReadScope.Nothing;

    /// <summary>A record written by ReferenceData: 201 with the new id, 200 when the same record already existed, 400 with every field error.</summary>
    public static Results<Created<Created>, Ok<Created>, ValidationProblem> Answer(RecordResult result, string prefix) =>
        !result.Ok ? Invalid(result.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
        : result.Created ? TypedResults.Created($"{prefix}/{result.Id}", new Created(result.Id, true))
        : TypedResults.Ok(new Created(result.Id, false));

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, "Certaines données sont invalides : voir « errors ».", title: "Données invalides",
            extensions: new Dictionary<string, object?> { ["fr"] = true });

    /// <summary>A contract action's outcome as the API answers it: the transition, 404, 400 or 409.</summary>
    public static Results<Ok<TransitionView>, NotFoundProblem, ValidationProblem, ConflictProblem> Answer(Actions.ActionOutcome outcome) =>
        outcome.Failure switch
        {
            null => TypedResults.Ok(new TransitionView(outcome.Result!.InstanceId, outcome.Result.Seq, outcome.Result.FromState, outcome.Result.ToState, outcome.Result.Duplicate)),
            { Kind: Actions.FailureKind.NotFound } => new NotFoundProblem(),
            { Kind: Actions.FailureKind.Conflict } f => new ConflictProblem(f.Message),
            // A rule's refusal of the input (no field named): answered by the exception handler as it always was (400, detail, ruleId).
            { Errors.Count: 0 } f => throw new Workflows.Engine.WorkflowInputException(f.Message, f.RuleId),
            var f => Invalid(f.Errors.ToDictionary()),
        };

    /// <summary>The page asked for, or the 400 that says what is wrong with limit.</summary>
    public static bool TryPage(this PageQuery query, out PageRequest page, out ValidationProblem? problem)
    {
        page = new PageRequest(query.Limit ?? PageRequest.DefaultLimit, query.After);
        problem = null;
        if (query.Limit is < 1 or > PageRequest.MaxLimit)
            problem = new Check().Add("limit", $"Valeur attendue entre 1 et {PageRequest.MaxLimit}.").Problem();
        else if (query.After is { } after && Cursor.TryDecode(after) is null)
            problem = InvalidCursor();
        return problem is null;
    }

    /// <summary>A cursor that is not one of this list's (made up, truncated, or from another list).</summary>
    public static ValidationProblem InvalidCursor() =>
        new Check().Add("after", "Curseur invalide : reprenez la valeur « next » d'une page de cette liste, ou omettez-le pour la première page.").Problem();
}

/// <summary>
/// The paging parameters of every list (keyset pagination): at most <c>limit</c> items after the
/// cursor <c>after</c>; the answer's <c>next</c> is the cursor of the following page, null on the last.
/// </summary>
public sealed class PageQuery
{
    [FromQuery(Name = "limit"), Description(PageRequest.LimitDescription)]
    public int? Limit { get; set; }

    [FromQuery(Name = "after"), Description(PageRequest.AfterDescription)]
    public string? After { get; set; }
}

/// <summary>
/// An error answered as a ProblemDetails by the problem details service (French title, no trace id,
/// application/problem+json), and declared with its status in the OpenAPI document. TypedResults.NotFound(problem)
/// would write plain application/json and bypass the service.
/// </summary>
public abstract class ProblemAnswer(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>
{
    public int StatusCode => status;
    int? IStatusCodeHttpResult.StatusCode => status;
    public ProblemDetails Value { get; } = new() { Status = status, Title = title, Detail = detail, Extensions = extensions ?? new Dictionary<string, object?>() };
    object? IValueHttpResult.Value => Value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var problem = new ProblemDetails { Status = Value.Status, Title = Value.Title, Detail = Value.Detail };
        foreach (var (key, value) in Value.Extensions) problem.Extensions[key] = value;
        // Our own French title: the problem details service keeps it (Problems.Customize).
        problem.Extensions["fr"] = true;
        return TypedResults.Problem(problem).ExecuteAsync(httpContext);
    }

    protected static void Declare(EndpointBuilder builder, int status) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
}

/// <summary>404: the record does not exist, or the caller may not see it (the same answer for both).</summary>
public sealed class NotFoundProblem() : ProblemAnswer(404, "Ressource introuvable", "Cette ressource n'existe pas, ou vous n'avez pas le droit de la voir."), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, 404);
}

/// <summary>409: the record changed meanwhile, or its workflow does not allow this now.</summary>
public sealed class ConflictProblem(string detail) : ProblemAnswer(409, "Conflit", detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, 409);
}

/// <summary>400 that is not about one field of the body.</summary>
public sealed class BadRequestProblem(string detail, string title = "Requête invalide", IDictionary<string, object?>? extensions = null)
    : ProblemAnswer(400, title, detail, extensions), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, 400);
}

/// <summary>403: the role may use the endpoint, but not for this.</summary>
public sealed class ForbiddenProblem(string detail) : ProblemAnswer(403, "Accès refusé", detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, 403);
}

/// <summary>413: the body is over the limit.</summary>
public sealed class TooLargeProblem(string detail) : ProblemAnswer(413, "Requête trop volumineuse", detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, 413);
}

/// <summary>Collects every problem of a request body, so that one answer lists them all.</summary>
sealed class Check
{
    readonly Dictionary<string, List<string>> _errors = [];

    public Check Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Check Required<T>(string field, T? value)
    {
        if (value is null || (value is string s && string.IsNullOrWhiteSpace(s))) Add(field, "Champ obligatoire.");
        return this;
    }

    public Check Text(string field, string? value, int max, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value)) { if (required) Add(field, "Champ obligatoire."); }
        else if (value.Length > max) Add(field, $"{max} caractères au plus.");
        else if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) Add(field, "Caractères de contrôle interdits.");
        return this;
    }

    public Check Date(string field, DateOnly? value, bool required = true)
    {
        if (value is null) { if (required) Add(field, "Champ obligatoire (date AAAA-MM-JJ)."); }
        else if (value < ReferenceData.MinDate || value > ReferenceData.MaxDate)
            Add(field, $"Date hors des bornes plausibles ({ReferenceData.MinDate.Year} à {ReferenceData.MaxDate.Year}).");
        return this;
    }

    public Check Range(string field, int? value, int min, int max, bool required = true)
    {
        if (value is null) { if (required) Add(field, "Champ obligatoire."); }
        else if (value < min || value > max) Add(field, $"Valeur attendue entre {min} et {max}.");
        return this;
    }

    public Check Defined<TEnum>(string field, TEnum? value, bool required = true) where TEnum : struct, Enum
    {
        if (value is null) { if (required) Add(field, $"Champ obligatoire ({string.Join(", ", Enum.GetNames<TEnum>())})."); }
        else if (!Enum.IsDefined(value.Value)) Add(field, $"Valeur inconnue : attendu {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return this;
    }

    public Check Email(string field, string? value, bool required = true)
    {
        Text(field, value, 254, required);
        // As typed, spaces included: an address stored with a space would be a second account for the same person.
        if (!string.IsNullOrWhiteSpace(value) && value.Length <= 254 && !ReferenceData.IsPlausibleEmail(value)) Add(field, "Adresse e-mail invalide.");
        return this;
    }

    public bool Ok => _errors.Count == 0;

    public IReadOnlyDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    /// <summary>The errors as an action's failure (the pages show them beside their fields).</summary>
    public Actions.ActionFailure Failure() => new(Actions.FailureKind.Invalid, "Certaines données sont invalides.", Errors);

    public ValidationProblem Problem() => Common.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}

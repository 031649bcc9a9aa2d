using System.Globalization;
using System.Reflection;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace CareerPath.Server.Endpoints;

/// <summary>
/// Deadlines: the timers still to fire and the human tasks still open, filtered by structure, date
/// range, kind (a rule id such as notice.public-contract, or task:decision) and overdue. JSON pages, or every one as CSV.
/// </summary>
public static class DeadlineEndpoints
{
    public static void MapDeadlines(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/deadlines").WithTags("Échéances");

        group.MapGet("/", async Task<Results<Ok<Page<DeadlineView>>, ValidationProblem>> (Guid? structureId, DateOnly? from, DateOnly? to, string? kind,
            bool? overdue, [AsParameters] PageQuery paging, DeadlineQueries deadlines, AccessLog log, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var today = WorkflowEngine.ParisDate(time.GetUtcNow());
            var (filter, problem) = Filter(structureId, from, to, kind, overdue, today);
            if (problem is not null) return problem;
            if (!paging.TryPage(out var page, out problem)) return problem!;
            var caller = http.Caller();
            if (await deadlines.ListAsync(Scope(caller, filter!), filter!, today, page, ct) is not { } list) return Common.InvalidCursor();
            await log.RecordAsync(caller, "deadlines.list", "advisor", null, list.Items.Count, ct, Advisors(list.Items));
            return TypedResults.Ok(list);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("listDeadlines").WithSummary("Lister les échéances (minuteries et tâches ouvertes)");

        group.MapGet("/export.csv", async Task<Results<CsvStream, ValidationProblem>> (Guid? structureId, DateOnly? from, DateOnly? to, string? kind,
            bool? overdue, DeadlineQueries deadlines, AccessLog log, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var today = WorkflowEngine.ParisDate(time.GetUtcNow());
            var (filter, problem) = Filter(structureId, from, to, kind, overdue, today);
            if (problem is not null) return problem;
            var caller = http.Caller();
            // Every row, streamed; the log names everyone in them before the first row leaves.
            var export = await deadlines.ExportAsync(Scope(caller, filter!), filter!, today, ct);
            try
            {
                await log.RecordAsync(caller, "deadlines.export", "advisor", null, export.Count, ct, export.Advisors.ToList());
            }
            catch
            {
                await export.DisposeAsync();
                throw;
            }
            return Csv.Stream(["dueOn", "overdue", "kind", "label", "advisorName", "definitionId", "subjectId", "structureId", "source"],
                export.RowsAsync(ct).Select(d => new[] { Csv.Iso(d.DueOn), d.Overdue ? "true" : "false", d.Kind, d.Label, d.AdvisorName, d.DefinitionId,
                    d.SubjectId.ToString(), d.StructureId?.ToString(), d.Source }), "echeances.csv", export);
        }).RequireAuthorization(Policies.PersonalRecords).WithName("exportDeadlines").WithSummary("Exporter toutes les échéances en CSV");
    }

    /// <summary>A structure filter the caller may not use answers nothing (not an error: it says nothing about the structure).</summary>
    static ReadScope Scope(Caller caller, DeadlineFilter filter) =>
        filter.StructureId is not null && !caller.IsAdvisor && !caller.MaySeeStructure(filter.StructureId) ? ReadScope.Nothing : caller.Scope();

    internal static List<Guid> Advisors(IEnumerable<DeadlineView> list) => list.Where(d => d.AdvisorId is not null).Select(d => d.AdvisorId!.Value).Distinct().ToList();

    static (DeadlineFilter?, ValidationProblem?) Filter(Guid? structureId, DateOnly? from, DateOnly? to, string? kind, bool? overdue, DateOnly today)
    {
        var f = from ?? (overdue == true ? today.AddYears(-3) : today);
        var t = to ?? (overdue == true ? today : today.AddDays(90));
        var check = new Check().Date("from", f).Date("to", t).Text("kind", kind, 100, required: false);
        if (t < f) check.Add("to", "La fin de la période précède son début.");
        else if (t.DayNumber - f.DayNumber > 5 * 366) check.Add("to", "Période de 5 ans au plus.");
        return check.Ok ? (new DeadlineFilter(structureId, f, t, kind, overdue), null) : (null, check.Problem());
    }
}

/// <summary>CSV downloads: UTF-8 with a BOM (so that spreadsheet software reads the accents), comma-separated, RFC 4180 quoting.</summary>
static class Csv
{
    // Text starting with = + - @ is escaped: a name typed by someone must not run as a spreadsheet formula.
    static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };

    /// <summary>Rows written to the response as they are read, whatever their number; <paramref name="owner"/> (the reader) is disposed after the last.</summary>
    public static CsvStream Stream(string[] header, IAsyncEnumerable<string?[]> rows, string name, IAsyncDisposable? owner = null) =>
        new(header, rows, name, owner);

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static CsvWriter Writer(TextWriter text) => CsvWriter.Create(text, Options);
}

/// <summary>A CSV download streamed row by row (flushed every few hundred rows), declared as text/csv in the OpenAPI document.</summary>
public sealed class CsvStream : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    const string Type = "text/csv; charset=utf-8";
    readonly string[] _header;
    readonly IAsyncEnumerable<string?[]> _rows;
    readonly string _name;
    readonly IAsyncDisposable? _owner;

    internal CsvStream(string[] header, IAsyncEnumerable<string?[]> rows, string name, IAsyncDisposable? owner) =>
        (_header, _rows, _name, _owner) = (header, rows, name, owner);

    public int? StatusCode => 200;
    public string ContentType => Type;

    public async Task ExecuteAsync(HttpContext http)
    {
        try
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = Type;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(_name);
            http.Response.Headers.ContentDisposition = disposition.ToString();
            var body = http.Response.Body;
            await body.WriteAsync(System.Text.Encoding.UTF8.GetPreamble(), http.RequestAborted);
            using var text = new StringWriter(CultureInfo.InvariantCulture);
            using var csv = Csv.Writer(text);
            csv.WriteHeader(_header);
            var pending = 0;
            await foreach (var row in _rows.WithCancellation(http.RequestAborted))
            {
                csv.WriteRecord(row.Select(v => v ?? "").ToArray());
                if (++pending == 500)
                {
                    await FlushAsync(csv, text, http);
                    pending = 0;
                }
            }
            await FlushAsync(csv, text, http);
        }
        finally
        {
            if (_owner is not null) await _owner.DisposeAsync();
        }
    }

    static async Task FlushAsync(CsvWriter csv, StringWriter text, HttpContext http)
    {
        csv.Flush();
        var chunk = text.GetStringBuilder();
        if (chunk.Length == 0) return;
        await http.Response.WriteAsync(chunk.ToString(), System.Text.Encoding.UTF8, http.RequestAborted);
        chunk.Clear();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(200, typeof(string), ["text/csv"]));
}

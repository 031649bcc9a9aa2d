using System.Globalization;
using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CsvHelper;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record DeadlineView
{
    public string Source { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Label { get; init; } = "";
    public DateOnly DueOn { get; init; }
    public bool Overdue { get; init; }
    public Guid InstanceId { get; init; }
    public string DefinitionId { get; init; } = "";
    public Guid SubjectId { get; init; }
    public Guid? StructureId { get; init; }
    public Guid? AdvisorId { get; init; }
    public string? AdvisorName { get; init; }
    public string Explanation { get; init; } = "";
}

public sealed record DeadlineFilter(Guid? StructureId, DateOnly From, DateOnly To, string? Kind, bool? Overdue);

/// <summary>
/// Deadlines: the timers still to fire and the human tasks still open, filtered by structure, date
/// range, kind (a rule id such as notice.public-contract, or task:decision) and overdue. JSON or CSV.
/// </summary>
public static class DeadlineEndpoints
{
    public static void MapDeadlines(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/deadlines").WithTags("Échéances");

        group.MapGet("/", (Guid? structureId, DateOnly? from, DateOnly? to, string? kind, bool? overdue, HttpContext http, CancellationToken ct) =>
            AnswerAsync(http, structureId, from, to, kind, overdue, "deadlines.list", Results.Ok, ct))
            .RequireAuthorization(Policies.PersonalRecords);

        group.MapGet("/export.csv", (Guid? structureId, DateOnly? from, DateOnly? to, string? kind, bool? overdue, HttpContext http, CancellationToken ct) =>
            AnswerAsync(http, structureId, from, to, kind, overdue, "deadlines.export", list =>
                Csv.File(["dueOn", "overdue", "kind", "label", "advisorName", "definitionId", "subjectId", "structureId", "source"],
                    list.Select(d => new[] { Csv.Iso(d.DueOn), d.Overdue ? "true" : "false", d.Kind, d.Label, d.AdvisorName, d.DefinitionId,
                        d.SubjectId.ToString(), d.StructureId?.ToString(), d.Source }), "echeances.csv"), ct))
            .RequireAuthorization(Policies.PersonalRecords);
    }

    /// <summary>Checks the filter, reads, logs the read with every advisor in it, then answers in the endpoint's format.</summary>
    static async Task<IResult> AnswerAsync(HttpContext http, Guid? structureId, DateOnly? from, DateOnly? to, string? kind, bool? overdue,
        string action, Func<IReadOnlyList<DeadlineView>, IResult> answer, CancellationToken ct)
    {
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var (filter, problem) = Filter(structureId, from, to, kind, overdue, time);
        if (problem is not null) return problem;
        var caller = http.Caller();
        var list = await ReadAsync(http.RequestServices.GetRequiredService<NpgsqlDataSource>(), caller, filter!, WorkflowEngine.ParisDate(time.GetUtcNow()), ct);
        await http.RequestServices.GetRequiredService<AccessLog>().RecordAsync(caller, action, "advisor", null, list.Count, ct, Advisors(list));
        return answer(list);
    }

    internal static List<Guid> Advisors(IEnumerable<DeadlineView> list) => list.Where(d => d.AdvisorId is not null).Select(d => d.AdvisorId!.Value).Distinct().ToList();

    static (DeadlineFilter?, IResult?) Filter(Guid? structureId, DateOnly? from, DateOnly? to, string? kind, bool? overdue, TimeProvider time)
    {
        var today = WorkflowEngine.ParisDate(time.GetUtcNow());
        var f = from ?? (overdue == true ? today.AddYears(-3) : today);
        var t = to ?? (overdue == true ? today : today.AddDays(90));
        var check = new Check().Date("from", f).Date("to", t).Text("kind", kind, 100, required: false);
        if (t < f) check.Add("to", "La fin de la période précède son début.");
        else if (t.DayNumber - f.DayNumber > 5 * 366) check.Add("to", "Période de 5 ans au plus.");
        return check.Ok ? (new DeadlineFilter(structureId, f, t, kind, overdue), null) : (null, check.Problem());
    }

    public static async Task<IReadOnlyList<DeadlineView>> ReadAsync(NpgsqlDataSource db, Caller caller, DeadlineFilter filter, DateOnly today, CancellationToken ct)
    {
        if (caller.IsAuditor || (filter.StructureId is not null && !caller.IsAdvisor && !caller.MaySeeStructure(filter.StructureId))) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<DeadlineView>("""
            SELECT * FROM (
                SELECT 'timer' AS Source, t.rule_id AS Kind, t.explanation->>'label' AS Label, t.due_on AS DueOn, t.due_on < @today AS Overdue,
                       i.id AS InstanceId, i.definition_id AS DefinitionId, i.subject_id AS SubjectId, i.structure_id AS StructureId,
                       (i.data->'advisor'->>'id')::uuid AS AdvisorId, i.data->'advisor'->>'fullName' AS AdvisorName, t.explanation::text AS Explanation
                  FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
                 WHERE t.fired_at IS NULL
                UNION ALL
                SELECT 'task', 'task:' || h.kind, h.title, h.due_on, h.due_on < @today,
                       i.id, i.definition_id, i.subject_id, i.structure_id,
                       (i.data->'advisor'->>'id')::uuid, i.data->'advisor'->>'fullName', NULL
                  FROM human_task h JOIN workflow_instance i ON i.id = h.instance_id
                 WHERE h.status = 'Open'
            ) d
             WHERE d.DueOn BETWEEN @From AND @To
               AND (@all OR d.StructureId = ANY(@scope)) AND (@self::uuid IS NULL OR d.AdvisorId = @self)
               AND (@StructureId::uuid IS NULL OR d.StructureId = @StructureId)
               AND (@Kind::text IS NULL OR d.Kind = @Kind OR d.Kind LIKE @kindPrefix)
               AND (@Overdue::boolean IS NULL OR d.Overdue = @Overdue)
             ORDER BY d.DueOn, d.Kind LIMIT 10000
            """, new
        {
            today, filter.From, filter.To, filter.StructureId, filter.Kind, filter.Overdue,
            kindPrefix = filter.Kind is null ? null : filter.Kind.Replace("%", "").Replace("_", "\\_") + ".%",
            all = caller.IsAdmin || caller.IsAdvisor, scope = caller.StructureFilter ?? [],
            self = caller.IsAdvisor ? caller.AdvisorId ?? Guid.Empty : (Guid?)null,
        });
        return rows.Select(r => r.Explanation is { Length: > 0 } e && r.Source == "timer" ? r with { Explanation = DeadlineJson.Describe(e) } : r).ToList();
    }
}

/// <summary>CSV downloads: UTF-8 with a BOM (so that spreadsheet software reads the accents), comma-separated, RFC 4180 quoting.</summary>
static class Csv
{
    public static IResult File(string[] header, IEnumerable<string?[]> rows, string name)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Text starting with = + - @ is escaped: a name typed by someone must not run as a spreadsheet formula.
        var options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };
        using (var csv = CsvWriter.Create(text, options))
        {
            csv.WriteHeader(header);
            foreach (var row in rows) csv.WriteRecord(row.Select(v => v ?? "").ToArray());
        }
        var bytes = System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(text.ToString())).ToArray();
        return Results.File(bytes, "text/csv; charset=utf-8", name);
    }

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

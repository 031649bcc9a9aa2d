using System.Data;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

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

/// <summary>Kind is a rule id (notice.public-contract), a rule family (notice), or a task kind (task:decision).</summary>
public sealed record DeadlineFilter(Guid? StructureId, DateOnly From, DateOnly To, string? Kind, bool? Overdue);

/// <summary>
/// Deadlines: the timers still to fire and the human tasks still open. A contract's deadlines carry its
/// advisor (contract.advisor_id) and its post's structure; a post's, the post's structure.
/// </summary>
public sealed class DeadlineQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static DeadlineQueries() => DapperTypes.Register();

    /// <summary>The name in this list's cursors: another list's cursor is refused.</summary>
    const string List = "deadlines";

    // One row per deadline; Key is unique (the timer's or the task's id), so (DueOn, Key) orders and pages them.
    const string Deadlines = """
        SELECT * FROM (
            SELECT 'timer' AS Source, t.rule_id AS Kind, t.due_on AS DueOn, t.due_on < @today AS Overdue,
                   i.id AS InstanceId, i.definition_id AS DefinitionId, i.subject_id AS SubjectId, coalesce(p.structure_id, i.structure_id) AS StructureId,
                   c.advisor_id AS AdvisorId, a.full_name AS AdvisorName, t.explanation::text AS Explanation, NULL AS Title,
                   't' || lpad(t.id::text, 19, '0') AS Key
              FROM workflow_timer t
              JOIN workflow_instance i ON i.id = t.instance_id
              LEFT JOIN contract c ON i.definition_id = @contractDef AND c.id = i.subject_id
              LEFT JOIN advisor a ON a.id = c.advisor_id
              LEFT JOIN funded_post p ON p.id = CASE WHEN i.definition_id = @contractDef THEN c.post_id ELSE i.subject_id END
             WHERE t.fired_at IS NULL
            UNION ALL
            SELECT 'task', 'task:' || h.kind, h.due_on, h.due_on < @today,
                   i.id, i.definition_id, i.subject_id, coalesce(p.structure_id, i.structure_id),
                   c.advisor_id, a.full_name, NULL, h.title,
                   'h' || h.id::text
              FROM human_task h
              JOIN workflow_instance i ON i.id = h.instance_id
              LEFT JOIN contract c ON i.definition_id = @contractDef AND c.id = i.subject_id
              LEFT JOIN advisor a ON a.id = c.advisor_id
              LEFT JOIN funded_post p ON p.id = CASE WHEN i.definition_id = @contractDef THEN c.post_id ELSE i.subject_id END
             WHERE h.status = 'Open'
        ) d
         WHERE d.DueOn BETWEEN @From AND @To
           AND (@all OR d.StructureId = ANY(@structures)) AND (@self::uuid IS NULL OR d.AdvisorId = @self)
           AND (@StructureId::uuid IS NULL OR d.StructureId = @StructureId)
           AND (@Kind::text IS NULL OR d.Kind = @Kind OR d.Kind LIKE @kindPrefix)
           AND (@Overdue::boolean IS NULL OR d.Overdue = @Overdue)
        """;

    /// <summary>A page of deadlines by due day then id; null when the cursor is not one of this list.</summary>
    public async Task<Page<DeadlineView>?> ListAsync(ReadScope scope, DeadlineFilter filter, DateOnly today, PageRequest page, CancellationToken ct = default)
    {
        DateOnly? afterDay = null;
        string? afterKey = null;
        if (page.After is not null)
        {
            if (!Cursor.TryDecodeDay(page.After, List, out var day, out var key)) return null;
            (afterDay, afterKey) = (day, key);
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        var args = Args(scope, filter, today);
        args.Add("afterDay", afterDay, DbType.Date);
        args.Add("afterKey", afterKey);
        args.Add("take", page.Take);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition($"""
            {Deadlines}
               AND (@afterDay::date IS NULL OR (d.DueOn, d.Key COLLATE "C") > (@afterDay, @afterKey::text COLLATE "C"))
             ORDER BY d.DueOn, d.Key COLLATE "C" LIMIT @take
            """, args, cancellationToken: ct))).ToList();
        var rowsPage = Page<Row>.From(rows, page.Limit, r => Cursor.Key(List, Cursor.DayKey(r.DueOn, r.Key)));
        return new Page<DeadlineView>(rowsPage.Items.Select(r => r.View()).ToList(), rowsPage.Next);
    }

    /// <summary>
    /// Every deadline of the filter, to stream (a CSV export, a calendar feed): the count and the advisors
    /// come first, read in the same snapshot as the rows, so that the access log names exactly who is in them.
    /// Dispose it once the rows are written.
    /// </summary>
    public async Task<DeadlineExport> ExportAsync(ReadScope scope, DeadlineFilter filter, DateOnly today, CancellationToken ct = default)
    {
        var conn = await db.OpenConnectionAsync(ct);
        try
        {
            var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var args = Args(scope, filter, today);
            var summary = await conn.QuerySingleAsync<(long Count, Guid[]? Advisors)>(new CommandDefinition($"""
                SELECT count(*), array_agg(DISTINCT d.AdvisorId) FILTER (WHERE d.AdvisorId IS NOT NULL) FROM ({Deadlines}) d
                """, args, tx, cancellationToken: ct));
            return new DeadlineExport(conn, tx, (int)summary.Count, summary.Advisors ?? [], args);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    static DynamicParameters Args(ReadScope scope, DeadlineFilter filter, DateOnly today)
    {
        var args = new DynamicParameters(new
        {
            contractDef = AdvisorContractWorkflow.DefinitionId, filter.StructureId, filter.Kind, filter.Overdue,
            kindPrefix = filter.Kind is null ? null : filter.Kind.Replace("%", "").Replace("_", "\\_") + ".%",
            all = scope.AllStructures, structures = scope.Structures, self = scope.Advisor,
        });
        args.Add("today", today, DbType.Date);
        args.Add("From", filter.From, DbType.Date);
        args.Add("To", filter.To, DbType.Date);
        return args;
    }

    /// <summary>The rows of an export, in order, read as they come (never all held in memory).</summary>
    public sealed class DeadlineExport(NpgsqlConnection conn, NpgsqlTransaction tx, int count, Guid[] advisors, DynamicParameters args) : IAsyncDisposable
    {
        public int Count { get; } = count;
        public IReadOnlyList<Guid> Advisors { get; } = advisors;

        public async IAsyncEnumerable<DeadlineView> RowsAsync([EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var row in conn.QueryUnbufferedAsync<Row>($"{Deadlines} ORDER BY d.DueOn, d.Key COLLATE \"C\"", args, tx).WithCancellation(ct))
                yield return row.View();
        }

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }

    sealed record Row
    {
        public string Source { get; init; } = "";
        public string Kind { get; init; } = "";
        public DateOnly DueOn { get; init; }
        public bool Overdue { get; init; }
        public Guid InstanceId { get; init; }
        public string DefinitionId { get; init; } = "";
        public Guid SubjectId { get; init; }
        public Guid? StructureId { get; init; }
        public Guid? AdvisorId { get; init; }
        public string? AdvisorName { get; init; }
        public string? Explanation { get; init; }
        public string? Title { get; init; }
        public string Key { get; init; } = "";

        public DeadlineView View() => new()
        {
            Source = Source, Kind = Kind, DueOn = DueOn, Overdue = Overdue, InstanceId = InstanceId, DefinitionId = DefinitionId,
            SubjectId = SubjectId, StructureId = StructureId, AdvisorId = AdvisorId, AdvisorName = AdvisorName,
            // A timer's label and explanation are in its stored explanation; a task's label is its title.
            Label = Explanation is { } e ? Label(e) : Title ?? "",
            Explanation = Explanation is { } json ? DeadlineJson.Describe(json) : "",
        };

        static string Label(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("label", out var label) ? label.GetString() ?? "" : "";
        }
    }
}

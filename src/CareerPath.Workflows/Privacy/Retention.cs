using System.Text.Json;
using System.Text.Json.Nodes;
using CareerPath.Domain.Calendar;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Privacy;

public enum RetentionAction { Archived, Reopened, Erased, Deleted }

/// <summary>How many rows (or files) of a category one run archived, erased or deleted; <paramref name="Unit"/> says rows of what.</summary>
public sealed record RetentionCount(DataCategory Category, RetentionAction Action, string Unit, int Count);

/// <summary>
/// One run of the retention job: what it did (or, dry, what it would do), by category, and the files it by count only.
/// <paramref name="HeldBack"/>: advisors past their archive whose workflow is still running, left for an administrator.
/// </summary>
public sealed record RetentionReport(Guid Id, DateTimeOffset At, bool DryRun, IReadOnlyList<RetentionCount> Counts, int HeldBack)
{
    public int Count(DataCategory category, RetentionAction action, string unit) =>
        Counts.Where(c => c.Category == category && c.Action == action && c.Unit == unit).Sum(c => c.Count);
}

/// <summary>A real run as recorded: counts only, never whom.</summary>
public sealed record RetentionRun(Guid Id, DateTimeOffset At, string RunBy, IReadOnlyList<RetentionCount> Counts);

/// <summary>
/// The daily retention job (<see cref="RetentionPolicy"/>). In one transaction, it
/// <list type="bullet">
/// <item>archives the files whose last contract ended longer ago than the active base lasts;</item>
/// <item>erases the advisors whose last contract ended longer ago than the archive lasts: their name, e-mail, disability
/// flag and account, and every copy of those and of free texts in the instances' data, the task titles, the journal,
/// the records' notes, the messages (rows and pickup files) and the incidents. Contracts, decisions, trainings and
/// outcomes stay under the advisor's id, which the union reports turn into a pseudonym, so their figures do not change;</item>
/// <item>deletes what is older than its category allows: sent messages, closed tokens and feeds, expired sessions,
/// resolved incidents, and the access log's oldest rows (through <c>access_log_purge</c>, which anchors the chain).</item>
/// </list>
/// A dry run does exactly the same statements and rolls them back, so it counts what the real run would do, and
/// changes nothing: no row, no file, no record of itself. Files are deleted after the commit: a crash in between leaves
/// files whose row is gone, which the next run deletes (an orphan is a pickup file that no outbox row names).
/// </summary>
public sealed class Retention(NpgsqlDataSource db, TimeProvider time, RetentionPolicy policy, string? pickupFolder)
{
    /// <summary>What an erased advisor's name becomes, in the records and wherever it was copied.</summary>
    public const string ErasedName = "Personne effacée";

    /// <summary>An erased advisor's address: unique (the column is), and undeliverable (RFC 2606 reserves .invalid).</summary>
    public static string ErasedEmail(Guid advisorId) => $"efface-{advisorId:N}@careerpath.invalid";

    /// <summary>What a free text (a decision's reason, an amendment's) becomes where the column or the model requires one.</summary>
    public const string ErasedText = "Motif effacé";

    /// <summary>The journal's actor and trigger of the step that erased an instance's copies.</summary>
    public const string Actor = "retention";
    public const string ErasedTrigger = "PersonalDataErased";
    const long RunLockKey = 0x43_50_52_65_74_61_69; // "CPRetai": one run at a time, whichever node

    public async Task<RetentionReport> RunAsync(bool dryRun, string runBy = "job", CancellationToken ct = default)
    {
        var problems = policy.Problems();
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(" ", problems));
        var now = time.GetUtcNow();
        var today = WorkflowEngine.ParisDate(now);
        var counts = new List<RetentionCount>();
        void Add(DataCategory category, RetentionAction action, string unit, int count) => counts.Add(new(category, action, unit, count));

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition($"SELECT pg_advisory_xact_lock({RunLockKey})", transaction: tx, cancellationToken: ct));

        // 1. Archive: the active base ends this long after the last contract (a contract with no end, a CDI, keeps it active).
        var archiveBefore = DateMath.AddMonths(today, -policy.ActiveMonthsAfterLastContract);
        var archived = await conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE advisor a SET archived_on = @today
              FROM ({LastEnds}) e
             WHERE e.advisor_id = a.id AND a.archived_on IS NULL AND NOT e.open_ended AND e.last_end < @archiveBefore
            """, new { today, archiveBefore, def = AdvisorContractWorkflow.DefinitionId }, tx, cancellationToken: ct));
        Add(DataCategory.ContractsAndWorkflows, RetentionAction.Archived, "conseillers", archived);
        // An archived advisor hired again (a contract without an end, or ending later) is back in the active base.
        var reopened = await conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE advisor a SET archived_on = NULL
              FROM ({LastEnds}) e
             WHERE e.advisor_id = a.id AND a.archived_on IS NOT NULL AND a.erased_on IS NULL AND (e.open_ended OR e.last_end >= @archiveBefore)
            """, new { archiveBefore, def = AdvisorContractWorkflow.DefinitionId }, tx, cancellationToken: ct));
        Add(DataCategory.ContractsAndWorkflows, RetentionAction.Reopened, "conseillers", reopened);

        // 2. Erase: past the archive, and no workflow of theirs still running (held back, and counted, if one is).
        var eraseBefore = DateMath.AddMonths(today, -12 * policy.ArchiveYearsAfterLastContract);
        var due = (await conn.QueryAsync<(Guid Id, string FullName, string WorkEmail, bool Running)>(new CommandDefinition($"""
            SELECT a.id, a.full_name, a.work_email,
                   EXISTS (SELECT 1 FROM contract c JOIN workflow_instance i ON i.definition_id = @def AND i.subject_id = c.id
                            WHERE c.advisor_id = a.id AND i.closed_at IS NULL)
              FROM advisor a JOIN ({LastEnds}) e ON e.advisor_id = a.id
             WHERE a.erased_on IS NULL AND NOT e.open_ended AND e.last_end < @eraseBefore
             ORDER BY a.id
            """, new { eraseBefore, def = AdvisorContractWorkflow.DefinitionId }, tx, cancellationToken: ct))).ToList();
        var heldBack = due.Count(d => d.Running);
        var erased = due.Where(d => !d.Running).ToList();
        var deletedMessages = new List<Guid>();
        await EraseAsync(conn, tx, erased.Select(e => (e.Id, e.FullName, e.WorkEmail)).ToList(), today, Add, deletedMessages, ct);

        // 3. Whatever is older than its category allows.
        var messagesBefore = Midnight(DateMath.AddMonths(today, -policy.MessagesMonths));
        // A running workflow's messages stay: their dedupe keys are what keeps a reminder from going out twice.
        var aged = (await conn.QueryAsync<Guid>(new CommandDefinition("""
            DELETE FROM outbox_message m WHERE m.status <> 'Pending' AND coalesce(m.sent_at, m.created_at) < @messagesBefore
               AND (m.instance_id IS NULL OR NOT EXISTS (SELECT 1 FROM workflow_instance i WHERE i.id = m.instance_id AND i.closed_at IS NULL))
            RETURNING m.id
            """, new { messagesBefore }, tx, cancellationToken: ct))).ToList();
        deletedMessages.AddRange(aged);
        Add(DataCategory.Messages, RetentionAction.Deleted, "messages", deletedMessages.Count);

        var credentialsBefore = Midnight(DateMath.AddMonths(today, -policy.ClosedCredentialsMonths));
        Add(DataCategory.TokensAndSessions, RetentionAction.Deleted, "jetons", await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM api_token WHERE coalesce(revoked_at, expires_at) < @credentialsBefore", new { credentialsBefore }, tx, cancellationToken: ct)));
        Add(DataCategory.TokensAndSessions, RetentionAction.Deleted, "sessions", await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM web_session WHERE expires_at < @now", new { now }, tx, cancellationToken: ct)));
        Add(DataCategory.CalendarFeeds, RetentionAction.Deleted, "abonnements", await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM calendar_feed WHERE revoked_at < @credentialsBefore", new { credentialsBefore }, tx, cancellationToken: ct)));
        var incidentsBefore = Midnight(DateMath.AddMonths(today, -policy.ResolvedIncidentsMonths));
        Add(DataCategory.Incidents, RetentionAction.Deleted, "incidents", await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM incident i WHERE i.resolved_at < @incidentsBefore AND NOT EXISTS (SELECT 1 FROM mail_circuit m WHERE m.incident_id = i.id)
            """, new { incidentsBefore }, tx, cancellationToken: ct)));
        // The purge last: it holds the access log's chain lock to the commit. A dry run counts the same prefix without the
        // purge, so that it neither waits for nor holds back the reads being logged, nor draws an anchor number.
        var accessLogBefore = Midnight(DateMath.AddMonths(today, -policy.AccessLogMonths));
        Add(DataCategory.AccessLog, RetentionAction.Deleted, "entrées", (int)await conn.ExecuteScalarAsync<long>(new CommandDefinition(dryRun
            ? """
              SELECT count(*) FROM access_log
               WHERE seq <= coalesce((SELECT min(seq) - 1 FROM access_log WHERE at >= @accessLogBefore), (SELECT max(seq) FROM access_log))
              """
            : "SELECT access_log_purge(@accessLogBefore, @now)", new { accessLogBefore, now }, tx, cancellationToken: ct)));

        // 4. The pickup files of the messages deleted, and those no message names any more (a run that crashed after its commit).
        var files = await PickupFilesToDeleteAsync(conn, tx, ct);
        Add(DataCategory.Messages, RetentionAction.Deleted, "fichiers .eml", files.Count);

        var report = new RetentionReport(Guid.CreateVersion7(now), now, dryRun, counts, heldBack);
        if (dryRun)
        {
            await tx.RollbackAsync(ct);
            return report;
        }
        await conn.ExecuteAsync(new CommandDefinition("INSERT INTO retention_run (id, at, run_by, counts) VALUES (@id, @at, @runBy, @counts::jsonb)",
            new { id = report.Id, at = now, runBy, counts = JsonSerializer.Serialize(counts, WorkflowJson.Options) }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        foreach (var file in files) File.Delete(file);
        return report;
    }

    /// <summary>The real runs, newest first.</summary>
    public async Task<IReadOnlyList<RetentionRun>> RunsAsync(int limit = 30, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(Guid Id, DateTimeOffset At, string RunBy, string Counts)>(new CommandDefinition(
            "SELECT id, at, run_by, counts::text FROM retention_run ORDER BY at DESC, id DESC LIMIT @limit", new { limit }, cancellationToken: ct));
        return rows.Select(r => new RetentionRun(r.Id, r.At, r.RunBy, JsonSerializer.Deserialize<List<RetentionCount>>(r.Counts, WorkflowJson.Options)!)).ToList();
    }

    // Each advisor's last contract end, and whether one of their contracts has none yet. A contract with no end date (a CDI)
    // ends, for CareerPath, when its workflow closes: the program's follow-up of it is over, and the employer's own HR
    // file, not CareerPath, keeps what a permanent employee's career needs (CareerPath's interpretation).
    const string LastEnds = """
        SELECT c.advisor_id, bool_or(e.end_on IS NULL) AS open_ended, max(e.end_on) AS last_end
          FROM contract c
          CROSS JOIN LATERAL (SELECT coalesce(c.terminated_on, c.effective_end, c.end_date,
                                     (SELECT max((i.closed_at AT TIME ZONE 'Europe/Paris')::date) FROM workflow_instance i
                                       WHERE i.definition_id = @def AND i.subject_id = c.id HAVING bool_and(i.closed_at IS NOT NULL))) AS end_on) e
         GROUP BY c.advisor_id
        """;

    async Task EraseAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<(Guid Id, string FullName, string WorkEmail)> advisors, DateOnly today,
        Action<DataCategory, RetentionAction, string, int> add, List<Guid> deletedMessages, CancellationToken ct)
    {
        var ids = advisors.Select(a => a.Id).ToArray();
        // Their contracts' instances, and the posts' instances that may hold a copy of their name (older data did).
        var instances = (await conn.QueryAsync<(Guid Id, Guid AdvisorId, string Data)>(new CommandDefinition("""
            SELECT i.id, c.advisor_id, i.data::text FROM workflow_instance i JOIN contract c ON c.id = i.subject_id
             WHERE i.definition_id = @def AND c.advisor_id = ANY(@ids)
             FOR UPDATE OF i
            """, new { ids, def = AdvisorContractWorkflow.DefinitionId }, tx, cancellationToken: ct))).ToList();
        var posts = (await conn.QueryAsync<(Guid Id, string Data)>(new CommandDefinition("""
            SELECT i.id, i.data::text FROM workflow_instance i
             WHERE i.definition_id = @def AND i.subject_id IN (SELECT post_id FROM contract WHERE advisor_id = ANY(@ids))
             FOR UPDATE
            """, new { ids, def = PostFundingWorkflow.DefinitionId }, tx, cancellationToken: ct))).ToList();

        // What identifies each advisor: the record's name and address, and those the instances were started with (a later
        // change of the record does not reach a closed instance's copy).
        var identifying = advisors.ToDictionary(a => a.Id, a => new HashSet<string>(StringComparer.OrdinalIgnoreCase) { a.FullName, a.WorkEmail });
        foreach (var i in instances)
            if (JsonNode.Parse(i.Data)?["advisor"] is JsonObject copy)
                foreach (var key in new[] { "fullName", "workEmail" })
                    if (copy[key]?.GetValue<string>() is { Length: > 0 } value) identifying[i.AdvisorId].Add(value);
        var everyone = identifying.Values.SelectMany(v => v).Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(s => s.Length).ToList();

        var rewritten = new List<(Guid Id, string Data)>();
        foreach (var i in instances)
        {
            var data = JsonNode.Parse(i.Data)!.AsObject();
            if (data["advisor"] is JsonObject advisor)
            {
                advisor["fullName"] = ErasedName;
                advisor["workEmail"] = ErasedEmail(i.AdvisorId);
                advisor["hasRecognisedDisability"] = false;
            }
            // The HR addresses were there to send this contract's reminders; the contract is over.
            data["hrEmail"] = "";
            data["hrLeadEmail"] = "";
            EraseFreeTexts(data);
            Scrub(data, everyone);
            rewritten.Add((i.Id, data.ToJsonString()));
        }
        foreach (var p in posts)
            if (everyone.Any(s => p.Data.Contains(s, StringComparison.OrdinalIgnoreCase)))
            {
                var data = JsonNode.Parse(p.Data)!;
                // A post's own texts are the structure's, not the advisor's: only the copies of the advisor go.
                Scrub(data, everyone);
                rewritten.Add((p.Id, data.ToJsonString()));
            }
        var instanceIds = instances.Select(i => i.Id).ToArray();
        // The journal keeps when, which trigger and which states; who becomes a role, and why and with what data go.
        add(DataCategory.Journal, RetentionAction.Erased, "transitions", await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE workflow_journal SET actor = split_part(actor, ':', 1), reason = NULL, payload = NULL WHERE instance_id = ANY(@instanceIds)
            """, new { instanceIds }, tx, cancellationToken: ct)));
        // The rewrite is a step of each instance like any other: a new version, journaled, so that a transition that read the
        // instance before this one (a running post) meets a conflict instead of writing its stale copy back.
        await conn.ExecuteAsync(new CommandDefinition("""
            WITH u AS (
                UPDATE workflow_instance i SET data = u.data::jsonb, version = i.version + 1, updated_at = @now
                  FROM unnest(@ids, @data) AS u(id, data) WHERE i.id = u.id
                RETURNING i.id, i.version, i.state)
            INSERT INTO workflow_journal (instance_id, seq, at, actor, trigger, from_state, to_state)
            SELECT id, version, @now, @actor, @trigger, state, state FROM u
            """, new { ids = rewritten.Select(r => r.Id).ToArray(), data = rewritten.Select(r => r.Data).ToArray(), now = time.GetUtcNow(),
            actor = Actor, trigger = ErasedTrigger }, tx, cancellationToken: ct));
        add(DataCategory.ContractsAndWorkflows, RetentionAction.Erased, "instances", rewritten.Count);

        // Task titles name the advisor ("Décision sur la suite du contrat de …"): the name goes, the rest of the title stays.
        // A weekly digest (no instance) that listed them goes below, with the messages that name them.
        var tasks = (await conn.QueryAsync<(Guid Id, string Title)>(new CommandDefinition(
            "SELECT id, title FROM human_task WHERE instance_id = ANY(@instanceIds)", new { instanceIds }, tx, cancellationToken: ct))).ToList();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE human_task t SET title = u.title, reason = NULL, request = NULL, completed_by = split_part(t.completed_by, ':', 1)
              FROM unnest(@ids, @titles) AS u(id, title) WHERE t.id = u.id
            """, new { ids = tasks.Select(t => t.Id).ToArray(), titles = tasks.Select(t => ReplaceText(t.Title, everyone)).ToArray() }, tx, cancellationToken: ct));
        add(DataCategory.Tasks, RetentionAction.Erased, "tâches", tasks.Count);

        var emails = identifying.Values.SelectMany(v => v).Where(s => s.Contains('@')).Select(s => s.ToLowerInvariant()).Distinct().ToArray();
        deletedMessages.AddRange(await conn.QueryAsync<Guid>(new CommandDefinition("""
            DELETE FROM outbox_message m WHERE m.instance_id = ANY(@instanceIds) OR lower(m.recipient_address) = ANY(@emails)
                -- A sent digest (no instance) that named them. Not a message of another instance: a namesake's pending reminder stays.
                OR (m.instance_id IS NULL AND m.status <> 'Pending'
                    AND EXISTS (SELECT 1 FROM unnest(@strings) s WHERE strpos(lower(m.data::text), lower(s)) > 0))
            RETURNING m.id
            """, new { instanceIds, emails, strings = everyone.ToArray() }, tx, cancellationToken: ct)));
        add(DataCategory.Incidents, RetentionAction.Deleted, "incidents", await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM incident i WHERE i.instance_id = ANY(@instanceIds) AND NOT EXISTS (SELECT 1 FROM mail_circuit m WHERE m.incident_id = i.id)
            """, new { instanceIds }, tx, cancellationToken: ct)));

        // The records: free texts go, as in the instances (EraseFreeTexts), so that records and instances stay equal (RecordsCheck);
        // facts stay.
        add(DataCategory.Decisions, RetentionAction.Erased, "contrats", await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE contract SET decision_reason = CASE WHEN decision_reason IS NULL THEN NULL ELSE @erased END, termination_note = NULL
             WHERE advisor_id = ANY(@ids)
            """, new { ids, erased = ErasedText }, tx, cancellationToken: ct)));
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE contract_amendment SET reason = @erased WHERE contract_id IN (SELECT id FROM contract WHERE advisor_id = ANY(@ids))
            """, new { ids, erased = ErasedText }, tx, cancellationToken: ct));
        add(DataCategory.ContractsAndWorkflows, RetentionAction.Deleted, "comptes", await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM app_user WHERE advisor_id = ANY(@ids)", new { ids }, tx, cancellationToken: ct)));
        add(DataCategory.ContractsAndWorkflows, RetentionAction.Erased, "conseillers", await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE advisor a SET full_name = @name, work_email = u.email,
                   has_recognised_disability = false, archived_on = coalesce(a.archived_on, @today), erased_on = @today
              FROM unnest(@ids, @addresses) AS u(id, email) WHERE a.id = u.id
            """, new { ids, addresses = ids.Select(ErasedEmail).ToArray(), name = ErasedName, today }, tx, cancellationToken: ct)));
    }

    /// <summary>
    /// The free texts of a contract's data, by their place in <see cref="AdvisorContractData"/>: the decision's reason, the
    /// amendments' reasons, the early end's note. By place, not by key: an early end's "reason" is a code (TerminationReason)
    /// the reports read back, not a text.
    /// </summary>
    static void EraseFreeTexts(JsonObject data)
    {
        if (data["decision"] is JsonObject decision && decision.ContainsKey("reason")) decision["reason"] = ErasedText;
        if (data["contract"] is not JsonObject contract) return;
        if (contract["earlyTermination"] is JsonObject early && early.ContainsKey("note")) early["note"] = null;
        if (contract["amendments"] is JsonArray amendments)
            foreach (var amendment in amendments.OfType<JsonObject>())
                if (amendment.ContainsKey("reason")) amendment["reason"] = ErasedText;
    }

    /// <summary>Walks the data in place: every string that holds an identifying one has it replaced.</summary>
    static void Scrub(JsonNode? node, IReadOnlyList<string> identifying)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (value is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        var replaced = ReplaceText(text, identifying);
                        if (replaced != text) o[key] = replaced;
                    }
                    else Scrub(value, identifying);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        var replaced = ReplaceText(text, identifying);
                        if (replaced != text) a[i] = replaced;
                    }
                    else Scrub(a[i], identifying);
                break;
        }
    }

    // Longest first (the list is so sorted): a name that contains another is replaced whole.
    static string ReplaceText(string text, IReadOnlyList<string> identifying)
    {
        foreach (var s in identifying)
            if (s.Length > 0) text = text.Replace(s, ErasedName, StringComparison.OrdinalIgnoreCase);
        return text;
    }

    async Task<IReadOnlyList<string>> PickupFilesToDeleteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        if (pickupFolder is null || !Directory.Exists(pickupFolder)) return [];
        var inFolder = new Dictionary<Guid, string>();
        foreach (var path in Directory.EnumerateFiles(pickupFolder, "*.eml"))
            if (PickupFolderTransport.OutboxIdOf(path) is { } id) inFolder[id] = path;
        if (inFolder.Count == 0) return [];
        // Read in this transaction: the rows it deleted are gone from its view, so their files count as orphans too.
        var kept = (await conn.QueryAsync<Guid>(new CommandDefinition("SELECT id FROM outbox_message WHERE id = ANY(@ids)",
            new { ids = inFolder.Keys.ToArray() }, tx, cancellationToken: ct))).ToHashSet();
        return inFolder.Where(f => !kept.Contains(f.Key)).Select(f => f.Value).Order(StringComparer.Ordinal).ToList();
    }

    static DateTimeOffset Midnight(DateOnly day) => WorkflowEngine.ParisMidnight(day);
}

using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>
/// Everything CareerPath holds about one advisor (GDPR art. 15): identity, contracts with their deadlines and
/// journal, tasks about them, the e-mails sent to them, and every logged read of their data. Nothing about anyone else.
/// </summary>
public sealed record PersonalDataExport(DateTimeOffset ProducedAt, PersonalIdentity Identity, IReadOnlyList<ExportedContract> Contracts,
    IReadOnlyList<ExportedTask> Tasks, IReadOnlyList<ExportedMessage> Messages, IReadOnlyList<ExportedRead> Reads);

public sealed record PersonalIdentity(Guid Id, string FullName, string WorkEmail, bool HasRecognisedDisability, string? Structure);

/// <summary>One contract: its record (dates, amendments, end, decision, trainings, outcomes), its journal and its deadlines.</summary>
public sealed record ExportedContract(ContractView Record, string Structure, IReadOnlyList<ExportedStep> Journal,
    IReadOnlyList<TimelineDeadline> DeadlinesReached, IReadOnlyList<TimelineDeadline> DeadlinesToCome);

/// <summary>A transition of the contract's workflow; who acted is given by role only ("hr", "advisor", "timer").</summary>
public sealed record ExportedStep(DateTimeOffset At, string Trigger, string? From, string To, string ByRole);

public sealed record ExportedTask(Guid ContractId, string Kind, string Title, DateOnly DueOn, DateTimeOffset OpenedAt, string Status, DateTimeOffset? ClosedAt);

public sealed record ExportedMessage(Guid ContractId, string Template, DateTimeOffset CreatedAt, string Status, DateTimeOffset? SentAt);

/// <summary>A read of the advisor's data: when, by which role, what, and how many records the read held — not who.</summary>
public sealed record ExportedRead(DateTimeOffset At, string ReaderRole, string Action, string SubjectKind, int Records);

/// <summary>
/// Builds the advisor's export from the queries the pages and the API already use (AdvisorQueries,
/// ContractQueries, TimelineQueries); only the tasks, e-mails and log lines are read here.
/// </summary>
public sealed class PersonalDataExports(NpgsqlDataSource db, AdvisorQueries advisors, ContractQueries contracts, TimelineQueries timelines, TimeProvider time)
{
    static PersonalDataExports() => DapperTypes.Register();

    /// <param name="scope">The contracts the caller may read (an HR manager: their structures'); the advisor and administrators read all.</param>
    /// <returns>Null when there is no such advisor.</returns>
    public async Task<PersonalDataExport?> ExportAsync(Guid advisorId, ReadScope scope, CancellationToken ct = default)
    {
        var producedAt = time.GetUtcNow();
        if (await advisors.GetAsync(advisorId, scope, ct) is not { } advisor) return null;
        var records = new List<ContractView>();
        foreach (var id in advisor.Contracts)
            if (await contracts.GetAsync(id, ct) is { } c) records.Add(c);
        // Staff see who acted in the timeline; the export keeps only the role of the actor ("hr:someone@…" → "hr").
        var timeline = (await timelines.ForAdvisorAsync(advisorId, scope, showActors: true, ct)).ToDictionary(t => t.ContractId);

        await using var conn = await db.OpenConnectionAsync(ct);
        var names = (await conn.QueryAsync<(Guid Id, string Name)>(new CommandDefinition(
                "SELECT id, name FROM structure WHERE id = ANY(@ids)",
                new { ids = records.Select(r => r.StructureId).Append(advisor.StructureId ?? Guid.Empty).Distinct().ToArray() }, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.Name);
        var contractIds = records.Select(r => r.Id).ToArray();
        // Every instance of each contract (a migrated or restarted one too), not only the latest.
        var instances = (await conn.QueryAsync<(Guid Id, Guid ContractId)>(new CommandDefinition(
            "SELECT id, subject_id FROM workflow_instance WHERE definition_id = @def AND subject_id = ANY(@contractIds)",
            new { def = AdvisorContractWorkflow.DefinitionId, contractIds }, cancellationToken: ct))).ToList();
        var instanceIds = instances.Select(i => i.Id).ToArray();

        // The tasks about their contracts: what and when, never who closed them nor the words they closed them with (a colleague's).
        var tasks = (await conn.QueryAsync<ExportedTask>(new CommandDefinition("""
            SELECT i.subject_id AS ContractId, t.kind, t.title, t.due_on AS DueOn, t.opened_at AS OpenedAt, t.status, t.completed_at AS ClosedAt
              FROM human_task t JOIN workflow_instance i ON i.id = t.instance_id
             WHERE t.instance_id = ANY(@instanceIds)
             ORDER BY t.opened_at, t.id
            """, new { instanceIds }, cancellationToken: ct))).ToList();
        // The e-mails sent to them: the messages of their contracts addressed to the advisor role. The messages to HR about
        // them are HR's mail and carry HR's address; the address itself is left out (it is the identity's work e-mail).
        var messages = (await conn.QueryAsync<ExportedMessage>(new CommandDefinition("""
            SELECT i.subject_id AS ContractId, m.template_id AS Template, m.created_at AS CreatedAt, m.status, m.sent_at AS SentAt
              FROM outbox_message m JOIN workflow_instance i ON i.id = m.instance_id
             WHERE m.instance_id = ANY(@instanceIds) AND m.recipient_role = @advisorRole
             ORDER BY m.created_at, m.id
            """, new { instanceIds, advisorRole = Role.Advisor }, cancellationToken: ct))).ToList();

        // Every read of their data, whoever's scope it was read in: a read of the advisor (subject_id), a list that held them
        // (subject_ids: AccessLog records the advisors of every list, and of a contract or instance read), and, should a line
        // name only a contract or an instance of theirs, that line too. Every contract of theirs counts, even out of the
        // caller's scope: the reads are the advisor's data, not the contract's.
        var allContracts = (await conn.QueryAsync<Guid>(new CommandDefinition("SELECT id FROM contract WHERE advisor_id = @advisorId",
            new { advisorId }, cancellationToken: ct))).ToArray();
        var allInstances = (await conn.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM workflow_instance WHERE definition_id = @def AND subject_id = ANY(@allContracts)",
            new { def = AdvisorContractWorkflow.DefinitionId, allContracts }, cancellationToken: ct))).ToArray();
        // Art. 15 gives the dates and purposes of the consultations, not, in principle, the identity of the employees who
        // consulted (CJEU 22 June 2023, C-579/21, Pankki S): our reading of it is that the reader's role,
        // the moment, the action and the count answer the request, and the reader's account does not belong in it. The other
        // people of a list (subject_ids) are not the advisor's data at all and are never read here.
        // An HR manager's export (scoped to their structures) leaves them out: the reads are the advisor's data, and name
        // what other structures and administrators did (an archived file's reasons among them).
        var reads = !scope.AllStructures ? [] : (await conn.QueryAsync<ExportedRead>(new CommandDefinition("""
            SELECT at, user_role AS ReaderRole, action, subject_kind AS SubjectKind, records
              FROM access_log
             WHERE subject_id = @advisorId OR subject_ids @> ARRAY[@advisorId::uuid] OR subject_id = ANY(@others)
             ORDER BY seq
            """, new { advisorId, others = allContracts.Concat(allInstances).ToArray() }, cancellationToken: ct))).ToList();

        var exported = records.Select(r =>
        {
            timeline.TryGetValue(r.Id, out var t);
            return new ExportedContract(r, names.GetValueOrDefault(r.StructureId, ""),
                (t?.Past ?? []).Select(s => new ExportedStep(s.At, s.Trigger, s.From, s.To, WorkflowEngine.ActorRole(s.Actor ?? ""))).ToList(),
                t?.Fired ?? [], t?.Coming ?? []);
        }).ToList();
        var structure = advisor.StructureId is { } sid ? names.GetValueOrDefault(sid) : null;
        return new PersonalDataExport(producedAt,
            new PersonalIdentity(advisor.Id, advisor.FullName, advisor.WorkEmail, advisor.HasRecognisedDisability, structure),
            exported, tasks, messages, reads);
    }
}

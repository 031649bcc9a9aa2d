using System.Data;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>
/// One line of the HR dashboard: a timer still to fire (Source "timer", Kind its rule id) or an open
/// human task (Source "task", Kind its task kind), with the contract's advisor or the post it is about.
/// </summary>
public sealed record DashboardItem
{
    public string Source { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Label { get; init; } = "";
    public DateOnly DueOn { get; init; }
    /// <summary>The timer's or the task's id: unique, orders two lines of the same day.</summary>
    public string Key { get; init; } = "";
    public Guid InstanceId { get; init; }
    public string DefinitionId { get; init; } = "";
    public string State { get; init; } = "";
    public Guid PostId { get; init; }
    public string PostLabel { get; init; } = "";
    public Guid StructureId { get; init; }
    public string StructureName { get; init; } = "";
    public Guid? ContractId { get; init; }
    public Guid? AdvisorId { get; init; }
    public string? AdvisorName { get; init; }
    /// <summary>The contract's end as amended (a contract's lines only).</summary>
    public DateOnly? ContractEnd { get; init; }

    public bool IsTask => Source == "task";
}

/// <summary>
/// A post without its advisor: vacant after a contract (refill deadline) or still to recruit on (recruitment
/// deadline) — the pending one, or else the latest, passed (the post is still to fill after it).
/// </summary>
public sealed record VacantPost
{
    public Guid PostId { get; init; }
    public string Label { get; init; } = "";
    public Guid StructureId { get; init; }
    public string StructureName { get; init; } = "";
    public string State { get; init; } = "";
    public DateOnly? Deadline { get; init; }
    public string? DeadlineRule { get; init; }
    /// <summary>The end of the post's last contract (a vacant post).</summary>
    public DateOnly? VacantSince { get; init; }
}

public sealed record DashboardData(IReadOnlyList<DashboardItem> Items, IReadOnlyList<VacantPost> Vacancies);

/// <summary>A contract held on a post, for the post's page.</summary>
public sealed record PostContract
{
    public Guid ContractId { get; init; }
    public Guid AdvisorId { get; init; }
    public string AdvisorName { get; init; } = "";
    public string ContractType { get; init; } = "";
    public DateOnly Start { get; init; }
    public DateOnly? End { get; init; }
    public DateOnly? TerminatedOn { get; init; }
    public string? State { get; init; }
}

/// <summary>A pending timer of a post's funding workflow.</summary>
public sealed record PostDeadline
{
    public string RuleId { get; init; } = "";
    public string Label { get; init; } = "";
    public DateOnly DueOn { get; init; }
}

public sealed record PostOccupancy(IReadOnlyList<PostContract> Contracts, IReadOnlyList<PostDeadline> Deadlines);

/// <summary>
/// The HR dashboard's reads, in one round trip: the scope's posts (funded_post by structure), their
/// contracts (contract by post), the workflow instances of both (by definition and subject), then their
/// pending timers and open tasks (by instance) — every step an indexed path, whatever the size of the
/// rest of the program. The same lines as <see cref="DeadlineQueries"/> (a contract's deadline belongs to its post's structure).
/// </summary>
public sealed class DashboardQueries(NpgsqlDataSource db)
{
    // Dates and instants map to DateOnly and DateTimeOffset, whoever built this class.
    static DashboardQueries() => DapperTypes.Register();

    public const string FundingEndRule = "funding.end";

    const string Posts = """
        posts AS (
            SELECT p.id, p.structure_id, p.label, s.name AS structure_name
              FROM funded_post p JOIN structure s ON s.id = p.structure_id
             WHERE @all OR p.structure_id = ANY(@structures)
        )
        """;

    /// <summary>
    /// The scope's open tasks (whatever their day), its timers due by <paramref name="horizon"/> (overdue ones
    /// included), the funding ends due by <paramref name="fundingHorizon"/>, and its posts without an advisor.
    /// </summary>
    public async Task<DashboardData> ReadAsync(ReadScope scope, DateOnly horizon, DateOnly fundingHorizon, CancellationToken ct = default)
    {
        // An advisor's scope never reaches the dashboard; answered as nothing rather than as everything.
        if (scope.Advisor is not null) return new([], []);
        var args = new DynamicParameters(new
        {
            all = scope.AllStructures, structures = scope.Structures, contractDef = AdvisorContractWorkflow.DefinitionId,
            postDef = PostFundingWorkflow.DefinitionId, fundingEnd = FundingEndRule,
            vacant = nameof(PostState.Vacant), recruiting = nameof(PostState.Recruiting),
        });
        args.Add("horizon", horizon, DbType.Date);
        args.Add("fundingHorizon", fundingHorizon, DbType.Date);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition($"""
            WITH {Posts},
            subjects AS MATERIALIZED (
                SELECT i.id AS instance_id, i.definition_id, i.state, p.id AS post_id, p.label AS post_label, p.structure_id, p.structure_name,
                       c.id AS contract_id, c.advisor_id, c.end_date
                  FROM posts p
                  JOIN contract c ON c.post_id = p.id
                  JOIN workflow_instance i ON i.definition_id = @contractDef AND i.subject_id = c.id
                UNION ALL
                SELECT i.id, i.definition_id, i.state, p.id, p.label, p.structure_id, p.structure_name, NULL, NULL, NULL
                  FROM posts p
                  JOIN workflow_instance i ON i.definition_id = @postDef AND i.subject_id = p.id
            ),
            lines AS (
                SELECT 'timer' AS source, t.rule_id AS kind, coalesce(t.explanation->>'label', t.rule_id) AS label, t.due_on,
                       't' || lpad(t.id::text, 19, '0') AS key, s.*
                  FROM subjects s
                  JOIN workflow_timer t ON t.instance_id = s.instance_id AND t.fired_at IS NULL
                 WHERE t.due_on <= @horizon OR (t.rule_id = @fundingEnd AND t.due_on <= @fundingHorizon)
                UNION ALL
                SELECT 'task', h.kind, h.title, h.due_on, 'h' || h.id::text, s.*
                  FROM subjects s
                  JOIN human_task h ON h.instance_id = s.instance_id AND h.status = 'Open'
            )
            SELECT l.source AS Source, l.kind AS Kind, l.label AS Label, l.due_on AS DueOn, l.key AS Key, l.instance_id AS InstanceId,
                   l.definition_id AS DefinitionId, l.state AS State, l.post_id AS PostId, l.post_label AS PostLabel, l.structure_id AS StructureId,
                   l.structure_name AS StructureName, l.contract_id AS ContractId, l.advisor_id AS AdvisorId, a.full_name AS AdvisorName,
                   CASE WHEN l.contract_id IS NOT NULL THEN coalesce((SELECT m.new_end_date FROM contract_amendment m WHERE m.contract_id = l.contract_id
                                                                      ORDER BY m.effective_on DESC LIMIT 1), l.end_date) END AS ContractEnd
              FROM lines l
              LEFT JOIN advisor a ON a.id = l.advisor_id
             ORDER BY l.due_on, l.key COLLATE "C";

            WITH {Posts}
            SELECT p.id AS PostId, p.label AS Label, p.structure_id AS StructureId, p.structure_name AS StructureName, i.state AS State,
                   d.due_on AS Deadline, d.rule_id AS DeadlineRule,
                   CASE WHEN i.state = @vacant THEN (SELECT max(coalesce(c.terminated_on, c.end_date)) FROM contract c WHERE c.post_id = p.id) END AS VacantSince
              FROM posts p
              JOIN LATERAL (SELECT id, state FROM workflow_instance
                             WHERE definition_id = @postDef AND subject_id = p.id ORDER BY created_at DESC LIMIT 1) i ON true
              LEFT JOIN LATERAL (SELECT t.due_on, t.rule_id FROM workflow_timer t
                                  WHERE t.instance_id = i.id AND t.rule_id IN ('refill.deadline', 'recruitment.deadline')
                                  ORDER BY t.fired_at IS NOT NULL, CASE WHEN t.fired_at IS NULL THEN t.due_on END, t.due_on DESC LIMIT 1) d ON true
             WHERE i.state IN (@vacant, @recruiting)
             ORDER BY d.due_on NULLS LAST, p.label;
            """, args, cancellationToken: ct));
        var items = (await grid.ReadAsync<DashboardItem>()).ToList();
        var vacancies = (await grid.ReadAsync<VacantPost>()).ToList();
        return new DashboardData(items, vacancies);
    }

    /// <summary>The names of the structures of a scope, by id (an administrator: every structure).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> StructureNamesAsync(ReadScope scope, CancellationToken ct = default)
    {
        if (scope.Advisor is not null) return new Dictionary<Guid, string>();
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(Guid Id, string Name)>(new CommandDefinition(
            "SELECT id, name FROM structure WHERE @all OR id = ANY(@structures) ORDER BY name",
            new { all = scope.AllStructures, structures = scope.Structures }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => r.Name);
    }

    /// <summary>
    /// Who held a post (its contracts, with their advisor and the state of their workflow) and the coming
    /// deadlines of its funding; nothing when the post is out of the scope.
    /// </summary>
    public async Task<PostOccupancy> PostOccupancyAsync(Guid postId, ReadScope scope, CancellationToken ct = default)
    {
        if (scope.Advisor is not null) return new([], []);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT c.id AS ContractId, c.advisor_id AS AdvisorId,
                   -- An archived file is read one by one with a reason (AdvisorFiles): its holder is not named to an HR manager here.
                   CASE WHEN a.archived_on IS NOT NULL AND NOT @all THEN 'Dossier archivé' ELSE a.full_name END AS AdvisorName,
                   c.contract_type AS ContractType, c.start_date AS Start,
                   coalesce((SELECT m.new_end_date FROM contract_amendment m WHERE m.contract_id = c.id ORDER BY m.effective_on DESC LIMIT 1), c.end_date) AS "End",
                   c.terminated_on AS TerminatedOn,
                   (SELECT i.state FROM workflow_instance i WHERE i.definition_id = @contractDef AND i.subject_id = c.id ORDER BY i.created_at DESC LIMIT 1) AS State
              FROM contract c
              JOIN funded_post p ON p.id = c.post_id
              JOIN advisor a ON a.id = c.advisor_id
             WHERE c.post_id = @postId AND (@all OR p.structure_id = ANY(@structures))
             ORDER BY c.start_date DESC, c.id;

            SELECT t.rule_id AS RuleId, coalesce(t.explanation->>'label', t.rule_id) AS Label, t.due_on AS DueOn
              FROM funded_post p
              JOIN LATERAL (SELECT id FROM workflow_instance
                             WHERE definition_id = @postDef AND subject_id = p.id ORDER BY created_at DESC LIMIT 1) i ON true
              JOIN workflow_timer t ON t.instance_id = i.id AND t.fired_at IS NULL
             WHERE p.id = @postId AND (@all OR p.structure_id = ANY(@structures))
             ORDER BY t.due_on, t.id;
            """, new
        {
            postId, all = scope.AllStructures, structures = scope.Structures, contractDef = AdvisorContractWorkflow.DefinitionId,
            postDef = PostFundingWorkflow.DefinitionId,
        }, cancellationToken: ct));
        var contracts = (await grid.ReadAsync<PostContract>()).ToList();
        var deadlines = (await grid.ReadAsync<PostDeadline>()).ToList();
        return new PostOccupancy(contracts, deadlines);
    }
}

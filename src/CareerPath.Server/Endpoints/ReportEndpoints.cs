using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using Dapper;
using Npgsql;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

/// <summary>One contract's outcome, pseudonymised: no name, no e-mail, no free text, no structure, no exact date.</summary>
public sealed record OutcomeRecord(string Advisor, string Contract, string ContractType, int? EndYear, string? Decision, bool DecisionLate,
    bool NoticeDeadlineMissed, bool EarlyEnd, bool TrialFailed, bool TrainingCompleted, bool Certified, string? Outcome6, string? Outcome12);

/// <summary>A count of distinct advisors; null when 1 to 4 people (suppressed, so that nobody can be singled out).</summary>
public sealed record Cell(string Measure, int? Advisors, bool Suppressed);
public sealed record ReportGroup(string Dimension, string Value, IReadOnlyList<Cell> Cells);
public sealed record OutcomesReport(int SuppressionThreshold, IReadOnlyList<ReportGroup> Groups);

/// <summary>
/// What became of advisors: decisions, notice kept or missed, trainings, early ends, 6- and 12-month
/// outcomes. The same pseudonymised report for every role that may read it (auditors see all
/// structures, HR managers theirs); cells of fewer than 5 people are suppressed.
/// </summary>
public static class ReportEndpoints
{
    public const int Threshold = 5;

    public static void MapReports(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/reports/outcomes").WithTags("Rapports").RequireAuthorization(Policies.Reports);

        group.MapGet("/", async (NpgsqlDataSource db, Pseudonyms pseudonyms, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var facts = await FactsAsync(db, caller, ct);
            await log.RecordAsync(caller, "reports.outcomes", "report", null, facts.Count, ct);
            return Results.Ok(Aggregate(facts));
        });

        group.MapGet("/export.csv", async (NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var facts = await FactsAsync(db, caller, ct);
            await log.RecordAsync(caller, "reports.outcomes.export", "report", null, facts.Count, ct);
            return Csv.File(["dimension", "value", "measure", "advisors"], Aggregate(facts).Groups.SelectMany(g => g.Cells.Select(c => new[]
            {
                g.Dimension, g.Value, c.Measure, c.Suppressed ? $"<{Threshold}" : c.Advisors?.ToString(),
            })), "rapport-devenir.csv");
        });

        group.MapGet("/records", async (NpgsqlDataSource db, Pseudonyms pseudonyms, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var facts = await FactsAsync(db, caller, ct);
            var p = await pseudonyms.ForRequestAsync(ct);
            await log.RecordAsync(caller, "reports.outcomes.records", "report", null, facts.Count, ct);
            return Results.Ok(facts.Select(f => new OutcomeRecord(p('A', f.AdvisorId), p('C', f.ContractId), f.ContractType, f.EndYear, f.Decision,
                f.DecisionLate, f.NoticeMissed, f.EarlyEnd, f.TrialFailed, f.TrainingCompleted, f.Certified, f.Outcome6, f.Outcome12)));
        });
    }

    sealed record Fact(Guid AdvisorId, Guid ContractId, string StructureKind, string Regime, string ContractType, int? EndYear, string? Decision,
        bool DecisionLate, bool NoticeMissed, bool EarlyEnd, bool TrialFailed, bool TrainingCompleted, bool Certified, string? Outcome6, string? Outcome12);

    static async Task<IReadOnlyList<Fact>> FactsAsync(NpgsqlDataSource db, Caller caller, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Data, string? Kind)>("""
            SELECT i.data::text, s.kind FROM workflow_instance i LEFT JOIN structure s ON s.id = i.structure_id
             WHERE i.definition_id = 'advisor-contract' AND (@all OR i.structure_id = ANY(@scope))
            """, new { all = caller.IsAdmin || caller.IsAuditor, scope = caller.StructureFilter ?? [] });
        return rows.Select(r =>
        {
            var d = Deserialize<AdvisorContractData>(r.Data);
            var early = d.Contract.EarlyTermination;
            return new Fact(d.Advisor.Id, d.Contract.Id, r.Kind ?? "Inconnue", d.Contract.Regime.ToString(), d.Contract.Type.ToString(),
                (d.Contract.ActualEnd ?? d.Contract.EffectiveEnd)?.Year, d.Decision?.Kind.ToString(), d.DecisionLate, d.NoticeDeadlineMissed,
                early is not null && early.Reason != TerminationReason.TrialFailed, d.TrialFailed || early?.Reason == TerminationReason.TrialFailed,
                d.InitialTrainingDone, d.CertificationDone,
                d.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month6)?.Kind.ToString(),
                d.Outcomes.FirstOrDefault(o => o.At == FollowUpPoint.Month12)?.Kind.ToString());
        }).ToList();
    }

    static OutcomesReport Aggregate(IReadOnlyList<Fact> facts)
    {
        var groups = new List<ReportGroup> { Group("ensemble", "tous", facts) };
        groups.AddRange(facts.GroupBy(f => f.StructureKind).OrderBy(g => g.Key).Select(g => Group("typeDeStructure", g.Key, g.ToList())));
        groups.AddRange(facts.GroupBy(f => f.Regime).OrderBy(g => g.Key).Select(g => Group("regime", g.Key, g.ToList())));
        groups.AddRange(facts.GroupBy(f => f.ContractType).OrderBy(g => g.Key).Select(g => Group("typeDeContrat", g.Key, g.ToList())));
        return new OutcomesReport(Threshold, groups);
    }

    static ReportGroup Group(string dimension, string value, IReadOnlyList<Fact> facts)
    {
        var measures = new List<(string, Func<Fact, bool>)>
        {
            ("conseillers", _ => true),
            ("cdiOuTitularisation", f => f.Decision is nameof(DecisionKind.PermanentHireCdi) or nameof(DecisionKind.Titularisation)),
            ("renouvellements", f => f.Decision == nameof(DecisionKind.Renewal)),
            ("nonRenouvellements", f => f.Decision == nameof(DecisionKind.NotRetained)),
            ("finsAnticipees", f => f.EarlyEnd),
            ("periodesEssaiNonConcluantes", f => f.TrialFailed),
            ("delaiDePrevenanceTenu", f => f.Decision is not null && !f.DecisionLate && !f.NoticeMissed),
            ("delaiDePrevenanceManque", f => f.DecisionLate || f.NoticeMissed),
            ("formationInitialeTerminee", f => f.TrainingCompleted),
            ("certifies", f => f.Certified),
        };
        foreach (var kind in Enum.GetNames<OutcomeKind>())
        {
            measures.Add(($"situation6Mois.{kind}", f => f.Outcome6 == kind));
            measures.Add(($"situation12Mois.{kind}", f => f.Outcome12 == kind));
        }
        var total = facts.Select(f => f.AdvisorId).Distinct().Count();
        var cells = measures.Select(m =>
        {
            var n = facts.Where(m.Item2).Select(f => f.AdvisorId).Distinct().Count();
            // A small group hides every cell: its complement would reveal the small ones.
            var suppressed = (n is > 0 and < Threshold) || (total < Threshold && n > 0);
            return new Cell(m.Item1, suppressed ? null : n, suppressed);
        }).ToList();
        return new ReportGroup(dimension, value, cells);
    }
}

using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using Dapper;
using Npgsql;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Server.Endpoints;

/// <summary>One contract's outcome: no name, no e-mail, no free text, no exact date.</summary>
public sealed record OutcomeRecord(Guid AdvisorId, Guid ContractId, string ContractType, int? EndYear, string? Decision, bool DecisionLate,
    bool NoticeDeadlineMissed, bool EarlyEnd, bool TrialFailed, bool TrainingCompleted, bool Certified, string? Outcome6, string? Outcome12);

/// <summary>A count of distinct advisors; null when 1 to 4 people (suppressed, so that nobody can be singled out).</summary>
public sealed record Cell(string Measure, int? Advisors, bool Suppressed);
public sealed record ReportGroup(string Dimension, string Value, IReadOnlyList<Cell> Cells);
public sealed record OutcomesReport(int SuppressionThreshold, IReadOnlyList<ReportGroup> Groups);

/// <summary>
/// What became of advisors: decisions, notice kept or missed, trainings, early ends, 6- and 12-month
/// outcomes, as counts of people. The same report for every role that may read it (auditors see all
/// structures, HR managers theirs), with the cells that could single someone out suppressed.
/// </summary>
public static class ReportEndpoints
{
    public const int Threshold = 5;

    public static void MapReports(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/reports/outcomes").WithTags("Rapports").RequireAuthorization(Policies.Reports);

        group.MapGet("/", async (NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
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

        // One row per contract: for HR managers (their structures) and administrators only. Rows, even
        // pseudonymised, single out whoever is alone in a small group: a union auditor gets the counts.
        api.MapGet("/reports/outcomes/records", async (NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var facts = await FactsAsync(db, caller, ct);
            await log.RecordAsync(caller, "reports.outcomes.records", "advisor", null, facts.Count, ct, facts.Select(f => f.AdvisorId).Distinct().ToArray());
            return Results.Ok(facts.Select(f => new OutcomeRecord(f.AdvisorId, f.ContractId, f.ContractType, f.EndYear, f.Decision,
                f.DecisionLate, f.NoticeMissed, f.EarlyEnd, f.TrialFailed, f.TrainingCompleted, f.Certified, f.Outcome6, f.Outcome12)));
        }).WithTags("Rapports").RequireAuthorization(Policies.Staff);
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

    static readonly (string Name, Func<Fact, bool> Test)[] Measures = BuildMeasures();

    static (string, Func<Fact, bool>)[] BuildMeasures()
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
        return [.. measures];
    }

    /// <summary>
    /// Counts of distinct advisors per group and measure, with the cells that could single someone out
    /// hidden: a count of 1 to 4, a count 1 to 4 short of its group's size (its complement), every cell
    /// of a group under 5 people; then, in each dimension, a second cell beside a lone hidden one, so that
    /// the overall figure minus the shown groups does not give the hidden one back.
    /// </summary>
    static OutcomesReport Aggregate(IReadOnlyList<Fact> facts)
    {
        var groups = new List<(string Dimension, string Value, int[] Counts)> { ("ensemble", "tous", Count(facts)) };
        // Two crossing breakdowns only: a roll-up of one of them (public/private is one of structure kinds)
        // would give back a hidden cell by subtraction.
        foreach (var (dimension, key) in new (string, Func<Fact, string>)[] { ("typeDeStructure", f => f.StructureKind), ("typeDeContrat", f => f.ContractType) })
            groups.AddRange(facts.GroupBy(key).OrderBy(g => g.Key).Select(g => (dimension, g.Key, Count(g.ToList()))));

        var hidden = groups.Select(g => g.Counts.Select(n => Small(n, g.Counts[0])).ToArray()).ToList();
        // Until nothing changes: hiding a partner (or the overall cell) can leave another dimension with a lone hidden cell.
        for (var changed = true; changed;)
        {
            changed = false;
            for (var m = 0; m < Measures.Length; m++)
                foreach (var dimension in groups.Skip(1).Select(g => g.Dimension).Distinct())
                {
                    var members = Enumerable.Range(0, groups.Count).Where(i => groups[i].Dimension == dimension).ToList();
                    if (members.Count(i => hidden[i][m]) != 1 || hidden[0][m]) continue;
                    var partner = members.Where(i => !hidden[i][m] && groups[i].Counts[m] > 0).OrderBy(i => groups[i].Counts[m]).Cast<int?>().FirstOrDefault();
                    hidden[partner ?? 0][m] = true;
                    changed = true;
                }
        }

        return new OutcomesReport(Threshold, groups.Select((g, i) => new ReportGroup(g.Dimension, g.Value,
            Measures.Select((measure, m) => new Cell(measure.Name, hidden[i][m] ? null : g.Counts[m], hidden[i][m])).ToList())).ToList());
    }

    static bool Small(int n, int total) => (n is > 0 and < Threshold) || (total - n is > 0 and < Threshold) || (total < Threshold && n > 0);

    static int[] Count(IReadOnlyList<Fact> facts) =>
        Measures.Select(m => facts.Where(m.Test).Select(f => f.AdvisorId).Distinct().Count()).ToArray();
}

using System.Diagnostics;
using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareerPath.Workflows.Simulation;

/// <summary>
/// The demo data set: about 30 advisors whose contracts started over the last two years, played
/// through the engine up to today, so that the embedded default shows what CareerPath is for:
/// reminders due, a decision overdue, a missing certification, a vacant post, a funding end approaching.
/// </summary>
public static class DemoData
{
    public const int Advisors = 30;
    const int Seed = 2026;

    public static async Task<string> SeedAsync(string connectionString, TimeProvider realTime, ILogger log, CancellationToken ct = default)
    {
        await using var db = Database.CreateDataSource(connectionString);
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            var existing = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM structure");
            if (existing > 0) return $"The database already holds {existing} structures: seed-demo only seeds an empty database. Nothing changed.";
        }
        var today = WorkflowEngine.ParisDate(realTime.GetUtcNow());
        var model = Build(today);
        var wall = Stopwatch.StartNew();
        var start = model.Advisors.Min(a => a.Post.Conventions[0].Start).AddDays(-2);
        try
        {
            await model.InsertReferenceDataAsync(db, ct);
            var clock = new SimulatedClock(WorkflowEngine.DueInstant(start));
            var engine = new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock);
            await new ProgramRunner(model, engine, clock).RunAsync(realTime.GetUtcNow(), ct);
        }
        catch
        {
            // The database was empty: leave it empty rather than half seeded.
            await using var conn = await db.OpenConnectionAsync(CancellationToken.None);
            await conn.ExecuteAsync(EmptyAll);
            throw;
        }
        log.LogInformation("Demo data: {Advisors} advisors played from {Start} to {Today} in {Seconds:0.0} s", model.Advisors.Count, start, today, wall.Elapsed.TotalSeconds);
        var report = await SimulationReport.CollectAsync(db, model.Advisors.Count, wall, ct);
        return $"Seeded the demo data set ({model.Structures.Count} structures, {model.Advisors.Count} advisors) up to {today:yyyy-MM-dd}: " +
               $"{report.Transitions} transitions, {report.Emails} e-mails, {report.OpenInstances} instances running.";
    }

    const string EmptyAll = """
        TRUNCATE incident, decision_audit, outbox_message, human_task, workflow_timer, workflow_journal, workflow_instance,
                 calendar_feed, api_token, app_user_structure, app_user, contract_amendment, contract, advisor, grant_tranche, grant_convention, funded_post, hr_contact, structure
        """;

    /// <summary>A seeded program over the last two years, with five advisors set up to show each situation today.</summary>
    public static ProgramModel Build(DateOnly today)
    {
        var model = ProgramModel.Generate(Advisors, Seed, DateMath.AddMonths(today, -24), spreadDays: 600);
        var advisors = model.Advisors.ToList();
        var publicOnes = advisors.Where(a => a.Structure.Structure.Regime == LegalRegime.Public).Take(5).ToList();

        // A public CDD ending next month whose notice deadline passed a month ago with no decision.
        Replace(advisors, Recast(publicOnes[0], DateMath.AddMonths(today, -23), 24) with
        {
            Behaviour = publicOnes[0].Behaviour with { DecisionAfterDays = null, TrialFailsOnDay = null, EarlyEnd = null },
        });
        // Decision reminders running: the notice deadline is next month, the decision not taken yet.
        Replace(advisors, Recast(publicOnes[1], DateMath.AddMonths(today, -21), 24) with
        {
            Behaviour = publicOnes[1].Behaviour with { DecisionAfterDays = 120, TrialFailsOnDay = null, EarlyEnd = null },
        });
        // Training finished a year ago and the certification exams never passed.
        Replace(advisors, Recast(publicOnes[2], DateMath.AddMonths(today, -15), 24) with
        {
            Behaviour = publicOnes[2].Behaviour with { PixPassedAfterDays = null, Ccp1PassedAfterDays = null, TrialFailsOnDay = null, EarlyEnd = null, ReviewAfterDays = 5 },
        });
        // Resigned six weeks ago: the post is vacant and its refill deadline is running.
        var resigned = Recast(publicOnes[3], DateMath.AddMonths(today, -10), 24);
        Replace(advisors, resigned with
        {
            Behaviour = resigned.Behaviour with { TrialFailsOnDay = null, EarlyEnd = (today.DayNumber - resigned.Contract.Start.DayNumber - 42, TerminationReason.Resignation) },
        });
        // The post's funding ends within 90 days.
        var ending = Recast(publicOnes[4], DateMath.AddMonths(today, -22), 36, grantedMonthsBefore: 0);
        Replace(advisors, ending with { Behaviour = ending.Behaviour with { TrialFailsOnDay = null, EarlyEnd = null } });

        return new ProgramModel { Structures = model.Structures, Advisors = advisors };
    }

    /// <summary>The same advisor on a public CDD starting on <paramref name="start"/>, on a post granted shortly before.</summary>
    static SimAdvisor Recast(SimAdvisor a, DateOnly start, int months, int grantedMonthsBefore = 1)
    {
        var grant = DateMath.AddMonths(start, -grantedMonthsBefore);
        var convention = StandardFunding.StandardConvention(a.Post.Conventions[0].Id, ConventionWave.FirstWave, LegalRegime.Public, grant);
        var post = a.Post with { Conventions = [convention] };
        var contract = a.Contract with { Type = ContractType.Cdd, Regime = LegalRegime.Public, Start = start, End = DateMath.AddMonths(start, months).AddDays(-1) };
        return a with { Post = post, Contract = contract };
    }

    static void Replace(List<SimAdvisor> advisors, SimAdvisor replacement) =>
        advisors[advisors.FindIndex(a => a.Index == replacement.Index)] = replacement;
}

using System.Text.Json.Nodes;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CareerPath.Workflows.Tests.Notifications;

public sealed class MailTemplatesTests
{
    static readonly string[] EveryTemplate =
    [
        Templates.Welcome, Templates.TrainingStart, Templates.Milestones, Templates.CertificationDeadline, Templates.ThematicModuleDue,
        Templates.MidContractReview, Templates.DecisionReminder, Templates.DecisionOverdue, Templates.DecisionRecorded, Templates.FollowUp, Templates.RecruitmentDeadline,
        Templates.PostVacant, Templates.RefillDeadline, Templates.TrancheDue, Templates.FundingEnding,
    ];

    [Fact]
    public async Task Every_template_the_workflows_emit_renders_with_no_missing_value()
    {
        // The demo data set, then a whole simulated program to the end of its follow-ups: every
        // message the workflows wrote must render, and together they cover every template.
        var demo = await TestCluster.CreateMigratedDatabaseAsync();
        await DemoData.SeedAsync(demo, new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero)), NullLogger.Instance);
        var program = await TestCluster.CreateMigratedDatabaseAsync();
        await using (var db = Database.CreateDataSource(program))
        {
            var model = ProgramModel.Generate(60, 11, new DateOnly(2021, 4, 1), 300);
            await model.InsertReferenceDataAsync(db);
            var clock = new SimulatedClock(WorkflowEngine.DueInstant(new DateOnly(2020, 12, 1)));
            await new ProgramRunner(model, new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock), clock).RunAsync();
        }

        // Every post of the program is filled in time; one left unfilled past its recruitment deadline.
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        await Scenario.StartPostAsync(h, Scenario.Post(Guid.NewGuid(), "2024-01-15"));
        await h.RunUntilAsync("2024-05-01");

        var rendered = new HashSet<string>();
        foreach (var cs in new[] { demo, program, h.ConnectionString })
        {
            await using var conn = new NpgsqlConnection(cs);
            foreach (var (template, data) in await conn.QueryAsync<(string, string)>("SELECT template_id, data::text FROM outbox_message"))
            {
                var mail = MailTemplates.Render(template, JsonNode.Parse(data)!.AsObject(), "https://careerpath.example.fr");
                Assert.False(string.IsNullOrWhiteSpace(mail.Subject));
                Assert.Contains("https://careerpath.example.fr/", mail.Text);
                Assert.StartsWith("<!DOCTYPE html>", mail.Html);
                rendered.Add(template);
            }
        }
        Assert.Equal(EveryTemplate.Order(), rendered.Order());
    }

    [Fact]
    public void Decision_reminder_names_the_advisor_the_dates_and_the_rule_with_its_source()
    {
        var mail = MailTemplates.Render(Templates.DecisionReminder, new JsonObject
        {
            ["advisorName"] = "Camille Martin", ["structureName"] = "Mairie d'Exemple", ["contractId"] = "c1", ["link"] = "/contracts/c1",
            ["noticeDeadline"] = "2025-11-14", ["contractEnd"] = "2026-01-14", ["ruleId"] = "notice.public-contract",
            ["source"] = "Décret n° 88-145 du 15 février 1988, art. 38-1", ["explanation"] = "Règle « Délai de prévenance » …",
        }, "https://careerpath.example.fr/");

        Assert.Equal("Décision à notifier avant le vendredi 14 novembre 2025 — Camille Martin", mail.Subject);
        Assert.Contains("mercredi 14 janvier 2026", mail.Text);
        Assert.Contains("notice.public-contract — Décret n° 88-145 du 15 février 1988, art. 38-1", mail.Text);
        Assert.Contains("https://careerpath.example.fr/contracts/c1", mail.Text);
        Assert.Contains("Mairie d&#39;Exemple", mail.Html);
    }

    [Fact]
    public void A_missing_value_is_an_error_not_a_blank_in_the_mail()
    {
        var error = Assert.Throws<MissingTemplateValueException>(() => MailTemplates.Render(Templates.PostVacant,
            new JsonObject { ["postLabel"] = "Poste", ["structureName"] = "S", ["link"] = "/posts/p" }, "https://x"));

        Assert.Contains("refillDeadline", error.Message);
    }
}

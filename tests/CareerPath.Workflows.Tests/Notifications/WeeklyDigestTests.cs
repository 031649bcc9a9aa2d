using System.Text.Json.Nodes;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Notifications;

public sealed class WeeklyDigestTests
{
    [Fact]
    public async Task Each_hr_manager_gets_one_digest_a_week_with_the_next_30_days_and_the_overdue_tasks()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, contract, _) = await Scenario.StartPublicCddAsync(h);
        // The mid-contract review task (opened on 14 January 2025, due 13 February) was never done;
        // on 20 August the first decision reminder (15 September) is within 30 days.
        await h.RunUntilAsync("2025-08-20");

        Assert.Equal(1, await WeeklyDigest.WriteAsync(h.DataSource, h.Clock));
        Assert.Equal(0, await WeeklyDigest.WriteAsync(h.DataSource, h.Clock)); // same week: nothing more

        var (address, data) = (await h.QueryAsync<(string, string)>(
            "SELECT recipient_address, data::text FROM outbox_message WHERE template_id = 'weekly-digest'")).Single();
        Assert.Equal(Scenario.HrEmail, address);
        var json = JsonNode.Parse(data)!.AsObject();
        var overdue = json["overdue"]!.AsArray();
        Assert.Contains(overdue, o => o!["title"]!.ToString().StartsWith("Entretien de mi-parcours"));
        var deadlines = json["deadlines"]!.AsArray().Select(d => d!["dueOn"]!.ToString()).ToList();
        Assert.Contains("2025-09-15", deadlines);
        Assert.All(deadlines, d => Assert.InRange(DateOnly.Parse(d), new DateOnly(2025, 8, 20), new DateOnly(2025, 9, 19)));

        var mail = MailTemplates.Render("weekly-digest", json, "https://careerpath.example.fr");
        Assert.Contains("En retard depuis le", mail.Text);
        Assert.Contains("Mairie d'Exemple", mail.Subject);

        // Next week, a new digest.
        h.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await WeeklyDigest.WriteAsync(h.DataSource, h.Clock));
    }
}

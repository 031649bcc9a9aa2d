using System.Globalization;
using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>Subjects of the advisor-page tests, found in the demo data; each test salts its choice so tests don't share a contract.</summary>
internal static class CareerSubjects
{
    public static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    public static string Long(DateOnly d) => d.ToString("d MMMM yyyy", French);
    public static string Short(DateOnly d) => d.ToString("dd/MM/yyyy", French);

    /// <summary>
    /// A fixed-term contract of the HR manager's structures, running, with its end far enough ahead to move, deadlines
    /// to come, and an advisor no test has acted on yet.
    /// </summary>
    public static Task<(Guid ContractId, Guid AdvisorId, DateOnly End)> AmendableAsync(WebSite site, string salt) =>
        site.QueryAsync<(Guid, Guid, DateOnly)>("""
            SELECT c.id, c.advisor_id, COALESCE(c.effective_end, c.end_date)
              FROM contract c
              JOIN funded_post p ON p.id = c.post_id
              JOIN LATERAL (SELECT id, state FROM workflow_instance WHERE definition_id = 'advisor-contract' AND subject_id = c.id
                             ORDER BY created_at DESC LIMIT 1) i ON true
             WHERE p.structure_id = ANY(@structures) AND c.contract_type IN ('Cdd', 'Pec') AND c.terminated_on IS NULL
               AND i.state IN ('Active', 'InitialTraining', 'AwaitingCertification', 'TrialPeriod', 'MidContractReview', 'DecisionPending')
               AND COALESCE(c.effective_end, c.end_date) > @today::date + 120
               AND c.advisor_id <> @me
               -- Untouched by the tests so far (theirs act at the site's clock): each test gets a contract of its own.
               AND NOT EXISTS (SELECT 1 FROM workflow_journal j JOIN workflow_instance ai ON ai.id = j.instance_id
                                JOIN contract ac ON ac.id = ai.subject_id WHERE ac.advisor_id = c.advisor_id AND j.at >= @now)
               AND EXISTS (SELECT 1 FROM workflow_timer t WHERE t.instance_id = i.id AND t.fired_at IS NULL)
             ORDER BY md5(c.id::text || @salt) LIMIT 1
            """, new { structures = site.HrStructures.ToArray(), today = site.Today, me = site.Advisor.AdvisorId, salt, now = WebSite.Now });
}

[Collection("site")]
public sealed class AdvisorPageTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Hr_opens_an_advisor_of_its_structures_reads_the_timeline_and_a_deadlines_explanation()
    {
        var (contractId, advisorId, _) = await CareerSubjects.AmendableAsync(site, "B-page");
        var name = await site.QueryAsync<string>("SELECT full_name FROM advisor WHERE id = @advisorId", new { advisorId });
        var coming = await site.QueryAsync<int>("""
            SELECT count(*)::int FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
             WHERE i.subject_id = @contractId AND t.fired_at IS NULL
            """, new { contractId });
        var page = await NewPageAsync(site);
        var response = await page.SignInToAsync(site.Hr, $"/conseillers/{advisorId}");
        Assert.Equal(200, response!.Status);
        Assert.Equal(name, (await page.Locator("h1").InnerTextAsync()).Trim());
        var section = page.Locator($"#contrat-{contractId}");
        await Assertions.Expect(section).ToBeVisibleAsync();
        // Every coming deadline is on the timeline, each with its explanation.
        var deadlines = section.Locator("ol[aria-label^='Échéances à venir'] > li");
        Assert.Equal(coming, await deadlines.CountAsync());
        Assert.Equal(coming, await deadlines.Locator("details.cp-explanation").CountAsync());
        // The journal, in French: the contract's recording is its first line; staff see who acted.
        var history = section.Locator("table", new() { Has = page.Locator("caption", new() { HasTextString = "Historique" }) });
        await Assertions.Expect(history.Locator("tbody tr").First).ToContainTextAsync("Contrat enregistré");
        await Assertions.Expect(history.Locator("thead")).ToContainTextAsync("Par");
        // Links to the contract's forms.
        await Assertions.Expect(section.GetByRole(AriaRole.Link, new() { Name = "Avenant", Exact = true })).ToHaveAttributeAsync("href", $"/contrats/{contractId}/avenant");
        await Assertions.Expect(section.GetByRole(AriaRole.Link, new() { Name = "Décision de fin de contrat" })).ToHaveAttributeAsync("href", $"/contrats/{contractId}/decision");

        // The explanation opens on a click (native details, no script needed): rule, source, steps, working day.
        var first = deadlines.First.Locator("details.cp-explanation");
        var rule = await site.QueryAsync<string>("""
            SELECT t.rule_id FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
             WHERE i.subject_id = @contractId AND t.fired_at IS NULL ORDER BY t.due_on, t.due_at, t.ordinal, t.id LIMIT 1
            """, new { contractId });
        Assert.False(await first.Locator("p", new() { HasTextString = "Source :" }).IsVisibleAsync());
        await first.Locator("summary").ClickAsync();
        await Assertions.Expect(first).ToHaveAttributeAsync("open", "");
        await Assertions.Expect(first.Locator("p", new() { HasTextString = "Règle :" })).ToBeVisibleAsync();
        var source = await first.Locator("p", new() { HasTextString = "Source :" }).InnerTextAsync();
        Assert.True(source.Length > "Source : ".Length + 3, source);
        await Assertions.Expect(first).ToContainTextAsync("Jour ouvré");
        Assert.False(string.IsNullOrEmpty(rule));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("conseiller");

        // The access log has the page's read, as the API writes it.
        Assert.True(await site.QueryAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM access_log WHERE action = 'advisors.page' AND subject_id = @advisorId)", new { advisorId }));

        // A contract's own address leads to its place on this page.
        await page.GotoAsync($"/contrats/{contractId}");
        Assert.EndsWith($"/conseillers/{advisorId}#contrat-{contractId}", page.Url);
    }

    [Fact]
    public async Task A_moved_deadline_shows_the_day_the_rule_gave_and_the_working_day()
    {
        // A deadline whose rule's date fell on a day off (Deadline.UnadjustedDate ≠ Date), in the HR manager's structures.
        var (advisorId, timerId, unadjusted) = await site.QueryAsync<(Guid, long, DateOnly)>("""
            SELECT c.advisor_id, t.id, (t.explanation->>'unadjustedDate')::date
              FROM workflow_timer t
              JOIN workflow_instance i ON i.id = t.instance_id
              JOIN contract c ON c.id = i.subject_id
              JOIN funded_post p ON p.id = c.post_id
             WHERE i.definition_id = 'advisor-contract' AND p.structure_id = ANY(@structures) AND t.fired_at IS NULL
               AND i.id = (SELECT id FROM workflow_instance WHERE definition_id = 'advisor-contract' AND subject_id = c.id ORDER BY created_at DESC LIMIT 1)
               AND (t.explanation->>'unadjustedDate') <> (t.explanation->>'date')
             ORDER BY md5(t.id::text || 'B-moved') LIMIT 1
            """, new { structures = site.HrStructures.ToArray() });
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, $"/conseillers/{advisorId}");
        var deadline = page.Locator($"#echeance-{timerId}");
        await Assertions.Expect(deadline).ToContainTextAsync("Déplacée au jour ouvré");
        await deadline.Locator("summary").ClickAsync();
        await Assertions.Expect(deadline.Locator("p.cp-moved")).ToContainTextAsync($"la règle donne le {CareerSubjects.Long(unadjusted)}");
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task An_hr_manager_opening_another_structures_advisor_gets_the_not_found_page()
    {
        var (advisorId, contractId) = await site.QueryAsync<(Guid, Guid)>("""
            SELECT a.id, c.id FROM advisor a JOIN contract c ON c.advisor_id = a.id
             WHERE (a.structure_id IS NULL OR NOT a.structure_id = ANY(@structures))
               AND NOT EXISTS (SELECT 1 FROM contract c2 JOIN funded_post p ON p.id = c2.post_id
                                WHERE c2.advisor_id = a.id AND p.structure_id = ANY(@structures))
             ORDER BY a.id LIMIT 1
            """, new { structures = site.HrStructures.ToArray() });
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr);
        foreach (var url in new[] { $"/conseillers/{advisorId}", $"/contrats/{contractId}", $"/contrats/{contractId}/avenant", $"/contrats/{contractId}/renouvellement" })
        {
            var response = await page.GotoAsync(url);
            Assert.Equal(404, response!.Status);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Page non trouvée");
        }
        await page.AssertAccessibleAsync();
    }
}

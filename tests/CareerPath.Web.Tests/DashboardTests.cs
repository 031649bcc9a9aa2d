using System.Text;
using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using MiniExcelLibs;

namespace CareerPath.Web.Tests;

/// <summary>The HR dashboard, its downloads, and the list of advisors.</summary>
[Collection("site")]
public sealed class DashboardTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    sealed record OverdueDecision
    {
        public Guid AdvisorId { get; init; }
        public string AdvisorName { get; init; } = "";
        public DateTime Due { get; init; }
        public DateOnly DueOn => DateOnly.FromDateTime(Due);
    }

    /// <summary>The demo's open decisions whose notice deadline has passed, in the HR manager's structures.</summary>
    async Task<IReadOnlyList<OverdueDecision>> OverdueDecisionsAsync() => await site.QueryListAsync<OverdueDecision>("""
        SELECT a.id AS AdvisorId, a.full_name AS AdvisorName, h.due_on AS Due
          FROM human_task h
          JOIN workflow_instance i ON i.id = h.instance_id
          JOIN contract c ON c.id = i.subject_id
          JOIN funded_post p ON p.id = c.post_id
          JOIN advisor a ON a.id = c.advisor_id
         WHERE h.kind = 'decision' AND h.status = 'Open' AND h.due_on < @today AND p.structure_id = ANY(@structures)
        """, new { today = site.Today.ToDateTime(TimeOnly.MinValue), structures = site.HrStructures.ToArray() });

    [Fact]
    public async Task The_hr_manager_sees_the_overdue_decision_with_its_notice_deadline_and_the_lines_lead_to_the_advisor_and_the_post()
    {
        var overdue = await OverdueDecisionsAsync();
        Assert.NotEmpty(overdue);
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr);
        // The home page of an HR manager is the dashboard.
        Assert.EndsWith("/tableau-de-bord", page.Url);
        Assert.Equal("Tableau de bord", await page.Locator("h1").InnerTextAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("tableau-de-bord");

        foreach (var d in overdue)
        {
            var row = page.Locator("#decisions ~ div table tbody tr", new() { HasText = d.AdvisorName });
            await Assertions.Expect(row).ToHaveCountAsync(1);
            var text = await row.TextContentAsync() ?? "";
            Assert.Contains(d.DueOn.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("fr-FR")), text);
            Assert.Contains($"En retard de {site.Today.DayNumber - d.DueOn.DayNumber} jour", text);
            Assert.Equal($"/conseillers/{d.AdvisorId}", await row.GetByRole(AriaRole.Link, new() { Name = d.AdvisorName }).GetAttributeAsync("href"));
            // The overdue decision is in the overdue list too.
            await Assertions.Expect(page.Locator("#en-retard ~ div table tbody tr", new() { HasText = d.AdvisorName })).Not.ToHaveCountAsync(0);
        }

        // The page's read is in the access log, naming the advisors shown.
        var logged = await site.QueryAsync<Guid[]>("""
            SELECT subject_ids FROM access_log WHERE action = 'dashboard.page' AND user_role = 'hr' ORDER BY seq DESC LIMIT 1
            """);
        Assert.Contains(overdue[0].AdvisorId, logged);

        // A post line (a vacant post, or a funding end) opens the post's page.
        var postLink = page.Locator("main a[href^='/postes/']").First;
        var href = await postLink.GetAttributeAsync("href");
        await postLink.ClickAsync();
        await page.WaitForURLAsync("**" + href);
        Assert.Contains("Poste", await page.Locator("h1").InnerTextAsync());
        await page.AssertAccessibleAsync();

        // The advisor's line opens the advisor's page.
        await page.GotoAsync("/tableau-de-bord");
        await page.Locator("#decisions ~ div table tbody tr", new() { HasText = overdue[0].AdvisorName })
            .GetByRole(AriaRole.Link, new() { Name = overdue[0].AdvisorName }).ClickAsync();
        await page.WaitForURLAsync($"**/conseillers/{overdue[0].AdvisorId}");
    }

    [Fact]
    public async Task Every_list_downloads_as_csv_for_french_excel_and_as_xlsx_and_the_download_is_logged()
    {
        var overdue = await OverdueDecisionsAsync();
        Assert.NotEmpty(overdue);
        var name = overdue[0].AdvisorName;
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, "/tableau-de-bord");

        // The link of the page downloads a file.
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator("#decisions ~ ul a[href='/tableau-de-bord/decisions.csv']").ClickAsync());
        Assert.Equal($"decisions-{site.Today:yyyy-MM-dd}.csv", download.SuggestedFilename);
        var csv = await File.ReadAllBytesAsync((await download.PathAsync())!);
        // UTF-8 with a byte order mark, « ; » between the fields, the accents intact.
        Assert.Equal(Encoding.UTF8.GetPreamble(), csv[..3]);
        var text = Encoding.UTF8.GetString(csv[3..]);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Date;Jours restants;Statut;Nature;Libellé;Conseiller;Poste;Structure;Fin du contrat;Règle ou tâche;Lien", lines[0]);
        var line = Assert.Single(lines, l => l.Contains(name));
        Assert.StartsWith($"{overdue[0].DueOn:yyyy-MM-dd};-{site.Today.DayNumber - overdue[0].DueOn.DayNumber};En retard", line);
        Assert.Contains($";/conseillers/{overdue[0].AdvisorId}", line);

        // The same list in Excel: dates are dates, the advisor's row is there.
        var xlsx = await page.APIRequest.GetAsync("/tableau-de-bord/decisions.xlsx");
        Assert.Equal(200, xlsx.Status);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Headers["content-type"]);
        using (var stream = new MemoryStream(await xlsx.BodyAsync()))
        {
            var rows = MiniExcel.Query(stream, useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
            var row = Assert.Single(rows, r => (string?)r["Conseiller"] == name);
            Assert.Equal(overdue[0].DueOn.ToDateTime(TimeOnly.MinValue), Assert.IsType<DateTime>(row["Date"]));
            Assert.Equal("Tâche", row["Nature"]);
            Assert.Equal($"/conseillers/{overdue[0].AdvisorId}", row["Lien"]);
        }

        // Every list of the page downloads in both formats.
        var links = await page.Locator("main a.fr-link--download").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Contains("/tableau-de-bord/echeances.xlsx", links);
        Assert.Contains("/tableau-de-bord/taches.csv", links);
        foreach (var href in links.Distinct())
        {
            var response = await page.APIRequest.GetAsync(href);
            Assert.True(response.Status == 200, $"{href}: {response.Status}");
        }
        var tasks = Encoding.UTF8.GetString(await (await page.APIRequest.GetAsync("/tableau-de-bord/taches.csv")).BodyAsync());
        Assert.Contains(name, tasks);
        Assert.Equal(404, (await page.APIRequest.GetAsync("/tableau-de-bord/inconnue.csv")).Status);
        Assert.Equal(404, (await page.APIRequest.GetAsync("/tableau-de-bord/taches.pdf")).Status);

        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM access_log WHERE action = 'dashboard.export' AND @advisor = ANY(subject_ids))
            """, new { advisor = overdue[0].AdvisorId }));

        // An advisor has no dashboard, nor its files.
        var advisor = await NewPageAsync(site);
        await advisor.SignInAsync(site.Advisor);
        var refused = await advisor.APIRequest.GetAsync("/tableau-de-bord/taches.csv", new() { MaxRedirects = 0 });
        Assert.Equal(403, refused.Status);
        Assert.DoesNotContain(name, Encoding.UTF8.GetString(await refused.BodyAsync()));
        var denied = await advisor.GotoAsync("/tableau-de-bord");
        Assert.Equal(403, denied!.Status);
        Assert.Equal("Accès refusé", await advisor.Locator("h1").InnerTextAsync());
        await advisor.AssertAccessibleAsync();
    }

    [Fact]
    public async Task The_advisors_list_pages_with_the_dsfr_pagination_and_links_to_each_advisor()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, "/conseillers");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("conseillers");
        var inScope = await site.QueryAsync<long>("""
            SELECT count(*) FROM advisor a WHERE a.structure_id = ANY(@s)
                OR EXISTS (SELECT 1 FROM contract c JOIN funded_post p ON p.id = c.post_id WHERE c.advisor_id = a.id AND p.structure_id = ANY(@s))
            """, new { s = site.HrStructures.ToArray() });
        var rows = page.Locator("main table tbody tr");
        Assert.Equal(Math.Min(inScope, 50), await rows.CountAsync());
        var first = rows.First.Locator("a");
        Assert.Matches("^/conseillers/[0-9a-f-]{36}$", await first.GetAttributeAsync("href"));

        // An administrator sees every advisor, ten at a time here: next, next, then back.
        var admin = await NewPageAsync(site);
        await admin.SignInAsync(site.Admin, "/conseillers?par-page=10");
        var total = await site.QueryAsync<long>("SELECT count(*) FROM advisor");
        Assert.True(total > 20, "the demo data has more than two pages of ten advisors");
        var seen = new HashSet<string>();
        async Task CollectAsync()
        {
            foreach (var name in await admin.Locator("main table tbody tr td:first-child").AllInnerTextsAsync()) Assert.True(seen.Add(name), $"{name} twice");
        }
        await CollectAsync();
        Assert.Equal("1", await admin.Locator(".fr-pagination a[aria-current='page']").InnerTextAsync());
        await admin.GetByRole(AriaRole.Link, new() { Name = "Page suivante" }).ClickAsync();
        Assert.Equal("2", await admin.Locator(".fr-pagination a[aria-current='page']").InnerTextAsync());
        await CollectAsync();
        await admin.AssertAccessibleAsync();
        var secondPage = admin.Url;
        await admin.GetByRole(AriaRole.Link, new() { Name = "Page suivante" }).ClickAsync();
        await CollectAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "Page précédente" }).ClickAsync();
        Assert.Equal(secondPage, admin.Url);
        Assert.Equal(Math.Min(total, 30), seen.Count);
        // A cursor that is not one of this list: 400, as the API answers.
        Assert.Equal(400, (await admin.GotoAsync("/conseillers?pages=bm90LWEtY3Vyc29y"))!.Status);
    }
}

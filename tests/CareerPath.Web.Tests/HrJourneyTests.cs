using System.Text.RegularExpressions;
using CareerPath.Web.Tests.Infrastructure;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>The HR manager's journey on a site of its own (it takes the demo's overdue decision, which other tests look for).</summary>
[CollectionDefinition("journey")]
public sealed class JourneyCollection : ICollectionFixture<WebSite>, ICollectionFixture<BrowserFixture>;

[Collection("journey")]
public sealed class HrJourneyTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [Fact]
    public async Task From_the_overdue_decision_on_the_dashboard_to_the_letter_through_an_amendment_previewed_then_saved()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr);
        Assert.EndsWith("/tableau-de-bord", page.Url);

        // 1. The dashboard shows an overdue decision, with its notice date; its line leads to the advisor.
        var overdue = page.Locator("#decisions ~ div.fr-table").First.Locator("tbody tr").Filter(new() { HasTextString = "En retard" }).First;
        await Assertions.Expect(overdue).ToBeVisibleAsync();
        var name = await overdue.Locator("a[href^='/conseillers/']").First.InnerTextAsync();
        await overdue.Locator("a[href^='/conseillers/']").First.ClickAsync();
        var advisorId = Guid.Parse(Regex.Match(page.Url, "/conseillers/([0-9a-f-]{36})").Groups[1].Value);
        Assert.Contains(name, await page.Locator("h1").InnerTextAsync());
        await page.AssertAccessibleAsync();
        var contractId = await site.QueryAsync<Guid>("""
            SELECT c.id FROM human_task t JOIN workflow_instance i ON i.id = t.instance_id JOIN contract c ON c.id = i.subject_id
             WHERE c.advisor_id = @advisorId AND t.status = 'Open' AND t.kind IN ('decision', 'decision-escalation') LIMIT 1
            """, new { advisorId });
        var contract = page.Locator($"#contrat-{contractId}");

        // 2. The notice deadline's explanation: rule, source, inputs, steps, the working-day line.
        var notice = contract.Locator("div[id^='echeance-']").Filter(new() { HasTextRegex = new Regex("— Notifier le renouvellement") }).First;
        await notice.Locator("summary").ClickAsync();
        var explanation = notice.Locator("details");
        Assert.NotNull(await explanation.GetAttributeAsync("open"));
        var text = await explanation.InnerTextAsync();
        Assert.Contains("Règle :", text);
        Assert.Matches(@"Source : \S+", text);
        Assert.Contains("Jour ouvré", text);
        await page.ScreenshotAsync("parcours-conseiller-explication");

        // 3. An amendment: previewed (the engine's changes, nothing written), then saved; the timeline follows.
        var end = await site.QueryAsync<DateOnly>("SELECT coalesce(effective_end, end_date) FROM contract WHERE id = @contractId", new { contractId });
        var newEnd = end.AddMonths(6);
        await contract.GetByRole(AriaRole.Link, new() { Name = "Avenant", Exact = true }).ClickAsync();
        await page.GetByLabel("Nouvelle date de fin").FillAsync(newEnd.ToString("yyyy-MM-dd"));
        await page.GetByLabel("Motif").FillAsync("Prolongation de la mission de six mois (avenant n° 1)");
        await Button(page, "Prévisualiser").ClickAsync();
        var noticeRow = page.Locator("#apercu table tbody tr").Filter(new() { HasTextRegex = new Regex("^\\s*Notifier le renouvellement") }).First;
        await Assertions.Expect(noticeRow).ToBeVisibleAsync();
        var movedTo = DateOnly.ParseExact(await noticeRow.Locator("td").Nth(2).InnerTextAsync(), "dd/MM/yyyy");
        Assert.True(movedTo > site.Today, $"the notice deadline moves to {movedTo}");
        Assert.Equal(0, await site.QueryAsync<int>("SELECT count(*)::int FROM contract_amendment WHERE contract_id = @contractId", new { contractId }));
        await page.AssertAccessibleAsync();
        await Button(page, "Enregistrer").ClickAsync();
        Assert.Contains($"/conseillers/{advisorId}", page.Url);
        Assert.Equal(1, await site.QueryAsync<int>("SELECT count(*)::int FROM contract_amendment WHERE contract_id = @contractId", new { contractId }));
        var comingNotice = contract.Locator("div[id^='echeance-']").Filter(new() { HasTextRegex = new Regex("— Notifier le renouvellement") })
            .Filter(new() { HasNotTextString = "Atteinte" }).First;
        await Assertions.Expect(comingNotice).ToContainTextAsync(movedTo.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("fr-FR")));

        // 4. The permanent-hire decision, then its letter as a Word file with the mentions and their sources.
        await contract.GetByRole(AriaRole.Link, new() { Name = "Décision de fin de contrat", Exact = true }).ClickAsync();
        await page.GetByLabel("Décision").SelectOptionAsync("PermanentHireCdi");
        await page.GetByLabel("Motif").FillAsync("Poste pérennisé au budget de la structure.");
        await Button(page, "Enregistrer la décision").ClickAsync();
        Assert.EndsWith($"/contrats/{contractId}/courrier", page.Url);
        await page.AssertAccessibleAsync();
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Télécharger le courrier (Word, .docx)" }).ClickAsync());
        var file = Path.Combine(Path.GetTempPath(), $"courrier-{Guid.NewGuid():N}.docx");
        await download.SaveAsAsync(file);
        string letter;
        using (var doc = WordprocessingDocument.Open(file, false)) letter = doc.MainDocumentPart!.Document.Body!.InnerText;
        File.Delete(file);
        Assert.Contains(name, letter);
        Assert.Contains("contrat à durée indéterminée", letter);
        Assert.Contains("Source", letter);
        Assert.Matches("recours|prud.hommes", letter);

        // 5. The task has left the dashboard.
        Assert.Equal(0, await site.QueryAsync<int>("""
            SELECT count(*)::int FROM human_task t JOIN workflow_instance i ON i.id = t.instance_id
             WHERE i.subject_id = @contractId AND t.status = 'Open'
            """, new { contractId }));
        await page.GotoAsync("/tableau-de-bord");
        Assert.Equal(0, await page.Locator("#decisions ~ div.fr-table").First.Locator("tbody tr").Filter(new() { HasTextString = name }).CountAsync());
        await page.AssertAccessibleAsync();
    }
}

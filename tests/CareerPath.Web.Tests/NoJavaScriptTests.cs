using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>Every page works without JavaScript: the browser here has it turned off.</summary>
[Collection("site")]
public sealed class NoJavaScriptTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Sign_in_dashboard_advisor_page_explanations_and_a_preview_work_with_javascript_off()
    {
        var (contractId, advisorId) = await site.QueryAsync<(Guid, Guid)>("""
            SELECT c.id, c.advisor_id FROM contract c JOIN funded_post p ON p.id = c.post_id
              JOIN workflow_instance i ON i.subject_id = c.id AND i.closed_at IS NULL
             WHERE p.structure_id = ANY(@structures) AND c.contract_type IN ('Cdd', 'Pec') AND c.terminated_on IS NULL
               AND EXISTS (SELECT 1 FROM workflow_timer t WHERE t.instance_id = i.id AND t.fired_at IS NULL)
             ORDER BY c.id LIMIT 1
            """, new { structures = site.HrStructures.ToArray() });
        var page = await NewPageAsync(site, javaScript: false);
        await page.SignInAsync(site.Hr);
        Assert.EndsWith("/tableau-de-bord", page.Url);
        Assert.True(await page.Locator("main table").CountAsync() > 0);

        await page.GotoAsync($"/conseillers/{advisorId}");
        var details = page.Locator($"#contrat-{contractId} details.cp-explanation").First;
        await details.Locator("summary").ClickAsync();
        Assert.NotNull(await details.GetAttributeAsync("open"));
        Assert.Contains("Source :", await details.InnerTextAsync());

        await page.GotoAsync($"/contrats/{contractId}/avenant");
        var end = DateOnly.Parse(await page.GetByLabel("Nouvelle date de fin").InputValueAsync());
        await page.GetByLabel("Nouvelle date de fin").FillAsync(end.AddMonths(2).ToString("yyyy-MM-dd"));
        await page.GetByLabel("Motif").FillAsync("Essai sans JavaScript");
        await page.GetByRole(AriaRole.Button, new() { Name = "Prévisualiser", Exact = true }).ClickAsync();
        Assert.True(await page.Locator("#apercu table tbody tr").CountAsync() > 0);
        Assert.Equal(0, await site.QueryAsync<int>("SELECT count(*)::int FROM contract_amendment WHERE contract_id = @contractId AND reason = 'Essai sans JavaScript'",
            new { contractId }));
    }
}

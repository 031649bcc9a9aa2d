using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>The retention page on the administrators' site: the policy as configured, a dry run, a run.</summary>
[Collection("admin")]
public sealed class RetentionPageTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_administrator_reads_the_policy_simulates_the_job_without_change_then_runs_it_and_sees_its_counts()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Admin, "/admin/conservation");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Conservation des données");
        // One row per category, each with its source; the access log's is the CNIL's recommendation.
        await Assertions.Expect(page.Locator("#politique tbody tr")).ToHaveCountAsync(Enum.GetValues<CareerPath.Workflows.Privacy.DataCategory>().Length);
        await Assertions.Expect(page.Locator("#categorie-AccessLog")).ToContainTextAsync("délibération n° 2021-122");
        await Assertions.Expect(page.Locator("#categorie-AccessLog")).ToContainTextAsync("12 mois");
        await page.AssertAccessibleAsync();

        var runs = await site.QueryAsync<int>("SELECT count(*)::int FROM retention_run");
        var byAdmin = await site.QueryAsync<int>("SELECT count(*)::int FROM retention_run WHERE run_by = 'admin'");
        var archived = await site.QueryAsync<int>("SELECT count(*)::int FROM advisor WHERE archived_on IS NOT NULL");
        await page.GetByRole(AriaRole.Button, new() { Name = "Simuler sans rien changer" }).ClickAsync();
        await Assertions.Expect(page.Locator("#simulation")).ToContainTextAsync("Simulation du");
        Assert.Equal(runs, await site.QueryAsync<int>("SELECT count(*)::int FROM retention_run"));
        Assert.Equal(archived, await site.QueryAsync<int>("SELECT count(*)::int FROM advisor WHERE archived_on IS NOT NULL"));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-conservation-simulation");

        await page.GetByRole(AriaRole.Button, new() { Name = "Appliquer maintenant" }).ClickAsync();
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("Conservation appliquée");
        Assert.Equal(byAdmin + 1, await site.QueryAsync<int>("SELECT count(*)::int FROM retention_run WHERE run_by = 'admin'"));
        await Assertions.Expect(page.Locator("#executions tbody tr")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#executions tbody tr").First).ToContainTextAsync("administrateur");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-conservation");
    }
}

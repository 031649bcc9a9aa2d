using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>
/// An archived advisor's page on the administrators' site: the administrator opens it with a reason chosen in a list (no
/// JavaScript needed: a GET form), which the page states and the access log records; an HR manager who is not the
/// structure's lead is told who may read it. The file is archived for this test only, and restored after it.
/// </summary>
[Collection("admin")]
public sealed class ArchivedFileTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task An_archived_file_opens_for_the_administrator_with_a_logged_reason_and_not_for_an_hr_manager_who_is_not_the_lead()
    {
        var advisor = await site.QueryAsync<Guid>("""
            SELECT a.id FROM advisor a JOIN contract c ON c.advisor_id = a.id JOIN funded_post p ON p.id = c.post_id
             WHERE p.structure_id = @structure AND a.id <> @demoAdvisor ORDER BY a.id LIMIT 1
            """, new { structure = site.HrStructures[0], demoAdvisor = site.Advisor.AdvisorId });
        await site.QueryAsync<int>("UPDATE advisor SET archived_on = '2026-11-01' WHERE id = @advisor RETURNING 1", new { advisor });
        try
        {
            var hr = await NewPageAsync(site);
            var refused = await hr.SignInToAsync(site.Hr, $"/conseillers/{advisor}");
            Assert.Equal(403, refused.Status);
            Assert.EndsWith($"/conseillers/{advisor}/archive", hr.Url);
            await Assertions.Expect(hr.Locator("#archive-refusee")).ToContainTextAsync("Seuls un administrateur et le responsable RH référent");
            await hr.AssertAccessibleAsync();

            var admin = await NewPageAsync(site);
            await admin.SignInAsync(site.Admin, $"/conseillers/{advisor}");
            Assert.EndsWith($"/conseillers/{advisor}/archive", admin.Url);
            await Assertions.Expect(admin.Locator("h1")).ToHaveTextAsync("Dossier archivé");
            await admin.AssertAccessibleAsync();
            await admin.ScreenshotAsync("conseiller-archive-motif");

            await admin.GetByLabel("Motif de la lecture").SelectOptionAsync("contentieux");
            await admin.GetByRole(AriaRole.Button, new() { Name = "Ouvrir le dossier" }).ClickAsync();
            Assert.Contains($"/conseillers/{advisor}?motif=contentieux", admin.Url);
            await Assertions.Expect(admin.Locator("#dossier-archive")).ToContainTextAsync("lu pour le motif « Litige ou contentieux »");
            Assert.Equal("advisors.page:archive:contentieux", await site.QueryAsync<string>(
                "SELECT action FROM access_log WHERE subject_id = @advisor ORDER BY seq DESC LIMIT 1", new { advisor }));
            await admin.AssertAccessibleAsync();
            await admin.ScreenshotAsync("conseiller-archive");

            // A reason outside the list is asked again, and nothing is read.
            var reads = await site.QueryAsync<int>("SELECT count(*)::int FROM access_log WHERE subject_id = @advisor", new { advisor });
            var wrong = await admin.GotoAsync($"{site.BaseUrl}/conseillers/{advisor}?motif=curiosite");
            Assert.Equal(400, wrong!.Status);
            await Assertions.Expect(admin.Locator("#erreurs-formulaire")).ToContainTextAsync("Choisissez le motif");
            Assert.Equal(reads, await site.QueryAsync<int>("SELECT count(*)::int FROM access_log WHERE subject_id = @advisor", new { advisor }));
        }
        finally
        {
            await site.QueryAsync<int>("UPDATE advisor SET archived_on = NULL WHERE id = @advisor RETURNING 1", new { advisor });
        }
    }
}

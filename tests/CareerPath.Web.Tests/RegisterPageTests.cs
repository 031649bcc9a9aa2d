using System.Text;
using CareerPath.Web.Tests.Infrastructure;
using CareerPath.Workflows.Privacy;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>
/// The register of processing (/admin/registre) in the browser, on the administrators' site (a page that only reads
/// the configuration, so it can share it): its tables, its download, and its refusal to every other role.
/// </summary>
[Collection("admin")]
public sealed class RegisterPageTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    const string Path = "/admin/registre";

    [Fact]
    public async Task The_administrator_reads_the_register_from_the_admin_home_and_downloads_it_as_markdown()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Admin, "/admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Registre des traitements", Exact = true }).ClickAsync();
        Assert.EndsWith(Path, page.Url);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Registre des traitements");

        // The site runs on the default configuration: the policy's lines, each a row with its category as row header.
        var policy = new RetentionPolicy();
        var retention = page.Locator("#table-conservation");
        await Assertions.Expect(retention.Locator("caption")).ToHaveTextAsync("Durées de conservation prévues, par catégorie de données");
        await Assertions.Expect(retention.Locator("tbody tr")).ToHaveCountAsync(policy.Lines.Count);
        var accessLog = page.Locator($"#conservation-{DataCategory.AccessLog}");
        await Assertions.Expect(accessLog.Locator("th[scope=row]")).ToHaveTextAsync("Journal des accès");
        await Assertions.Expect(accessLog.Locator("td").First).ToHaveTextAsync("12 mois");
        // The access log's duration is the CNIL's text; the messages' is CareerPath's reading, and says so.
        await Assertions.Expect(accessLog.Locator(".fr-badge")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator($"#conservation-{DataCategory.Messages} .fr-badge")).ToHaveTextAsync("Interprétation");
        await Assertions.Expect(page.Locator("#table-donnees tbody tr")).ToHaveCountAsync(policy.Lines.Count);
        await Assertions.Expect(page.Locator("#table-finalites")).ToContainTextAsync("RGPD, art. 9-2-b");
        await Assertions.Expect(page.Locator("#table-responsable")).ToContainTextAsync(ProcessingRegister.ToFill);
        await Assertions.Expect(page.Locator("#table-securite tbody tr")).ToHaveCountAsync(ProcessingRegister.For(policy).Measures.Count);
        // Every table is captioned and every header cell says what it heads.
        var tables = page.Locator("main table");
        Assert.Equal(7, await tables.CountAsync());
        Assert.Equal(await tables.CountAsync(), await page.Locator("main table > caption").CountAsync());
        Assert.Equal(0, await page.Locator("main th:not([scope])").CountAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-registre");

        // The download is the register of this configuration (the defaults: what docs/registre-des-traitements.md holds, ProcessingRegisterTests).
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Télécharger le registre (Markdown)" }).ClickAsync());
        Assert.Equal("registre-des-traitements.md", download.SuggestedFilename);
        var file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"registre-{Guid.NewGuid():N}.md");
        await download.SaveAsAsync(file);
        var markdown = await File.ReadAllTextAsync(file, Encoding.UTF8);
        File.Delete(file);
        Assert.Equal(ProcessingRegister.For(policy).ToMarkdown(), markdown);
        var response = await page.APIRequest.GetAsync(Path + "?handler=markdown");
        Assert.Equal("text/markdown; charset=utf-8", response.Headers["content-type"]);
    }

    [Fact]
    public async Task Every_other_role_gets_the_403_page_and_no_markdown()
    {
        foreach (var person in new[] { site.Hr, site.Advisor, site.Auditor, site.Program })
        {
            var page = await NewPageAsync(site);
            await page.SignInAsync(person);
            foreach (var path in new[] { Path, Path + "?handler=markdown" })
            {
                var response = await page.GotoAsync(path);
                Assert.True(response!.Status == 403, $"{person.Email} {path}: {response.Status}");
                Assert.Equal("Accès refusé", await page.Locator("h1").InnerTextAsync());
                Assert.DoesNotContain("Registre des activités de traitement", await page.ContentAsync());
            }
        }
    }
}

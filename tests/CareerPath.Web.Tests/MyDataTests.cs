using System.Text.Json.Nodes;
using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>The advisor's own data page (/mes-donnees): the export as a page, its JSON file, and a correction request.</summary>
[Collection("forms")]
public sealed class MyDataTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    const string ReadsOfMe = """
        SELECT count(*)::int FROM access_log
         WHERE subject_id = @me OR subject_ids @> ARRAY[@me] OR subject_id IN (SELECT id FROM contract WHERE advisor_id = @me)
            OR subject_id IN (SELECT i.id FROM workflow_instance i JOIN contract c ON c.id = i.subject_id WHERE c.advisor_id = @me)
        """;

    [Fact]
    public async Task The_advisor_reads_everything_held_about_them_downloads_it_and_asks_for_a_correction_that_becomes_an_hr_task()
    {
        var me = site.Advisor.AdvisorId!.Value;
        var name = await site.QueryAsync<string>("SELECT full_name FROM advisor WHERE id = @me", new { me });
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Advisor);
        Assert.EndsWith("/mon-contrat", page.Url);
        await page.GetByRole(AriaRole.Link, new() { NameString = "Mes données" }).ClickAsync();
        await page.WaitForURLAsync("**/mes-donnees");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Mes données");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(name);

        // Every read of their data, this page's own included, one row each.
        var reads = await site.QueryAsync<int>(ReadsOfMe, new { me });
        Assert.True(reads >= 2, $"{reads} reads");
        Assert.Equal(reads, await page.Locator("#consultations tbody tr").CountAsync());
        // One section per contract of theirs.
        var contracts = await site.QueryAsync<int>("SELECT count(*)::int FROM contract WHERE advisor_id = @me", new { me });
        Assert.Equal(contracts, await page.Locator("h3[id^='donnees-contrat-']").CountAsync());
        // No one else: no other account's address, no other advisor's name.
        var main = await page.Locator("main").InnerTextAsync();
        foreach (var email in await site.QueryListAsync<string>("SELECT email FROM app_user WHERE advisor_id IS DISTINCT FROM @me", new { me }))
            Assert.DoesNotContain(email, main, StringComparison.OrdinalIgnoreCase);
        foreach (var other in await site.QueryListAsync<string>("SELECT full_name FROM advisor WHERE id <> @me", new { me }))
            Assert.False(main.Contains(other), $"the page names {other}");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("mes-donnees");

        // The JSON file: the same export, and its download is a logged read.
        var file = await page.Context.APIRequest.GetAsync($"{site.BaseUrl}/mes-donnees?handler=json");
        Assert.Equal(200, file.Status);
        Assert.Contains("attachment", file.Headers["content-disposition"]);
        var json = JsonNode.Parse(await file.TextAsync())!;
        Assert.Equal(me, json["identity"]!["id"]!.GetValue<Guid>());
        Assert.Equal(reads + 1, json["reads"]!.AsArray().Count);
        Assert.Equal("advisors.export", json["reads"]!.AsArray()[^1]!["action"]!.GetValue<string>());

        // A correction without a value: refused beside its field, nothing written.
        const string Tasks = "SELECT count(*)::int FROM human_task WHERE kind = 'correction-request'";
        var before = await site.QueryAsync<int>(Tasks);
        await page.GetByLabel("Donnée à corriger").SelectOptionAsync("WorkEmail");
        var bad = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { NameString = "Envoyer la demande" }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.Equal(400, bad.Status);
        await Assertions.Expect(page.Locator("#champ-value-erreur")).ToBeVisibleAsync();
        Assert.Equal(before, await site.QueryAsync<int>(Tasks));
        await page.AssertAccessibleAsync();

        await page.GetByLabel("Valeur exacte").FillAsync("Date de fin du contrat : 31/08/2027");
        await page.GetByLabel("Donnée à corriger").SelectOptionAsync("ContractDates");
        await page.GetByRole(AriaRole.Button, new() { NameString = "Envoyer la demande" }).ClickAsync();
        await page.WaitForURLAsync("**/mes-donnees");
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("dates de contrat");
        Assert.Equal(before + 1, await site.QueryAsync<int>(Tasks));
        var task = await site.QueryAsync<(string Title, string Request, string Role)>("""
            SELECT t.title, t.request, t.assignee_role FROM human_task t JOIN workflow_instance i ON i.id = t.instance_id JOIN contract c ON c.id = i.subject_id
             WHERE t.kind = 'correction-request' AND c.advisor_id = @me ORDER BY t.opened_at DESC LIMIT 1
            """, new { me });
        Assert.Equal($"Demande de rectification de {name} : dates de contrat", task.Title);
        Assert.Equal("dates de contrat : Date de fin du contrat : 31/08/2027", task.Request);
        Assert.Equal("hr", task.Role);
    }

    [Fact]
    public async Task Staff_do_not_have_an_advisor_data_page_of_their_own()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr);
        var response = await page.GotoAsync("/mes-donnees");
        Assert.Equal(404, response!.Status);
    }
}

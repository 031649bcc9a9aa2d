using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>The posts list, a post's page (conventions, tranches, vacancy), a tranche marked received, and a post out of reach.</summary>
[Collection("forms")]
public sealed class PostsTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    sealed record Awaited
    {
        public Guid PostId { get; init; }
        public string Label { get; init; } = "";
        public Guid ConventionId { get; init; }
        public int Seq { get; init; }
    }

    [Fact]
    public async Task The_posts_list_links_to_each_post_whose_page_shows_its_conventions_and_records_a_tranche_received()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, "/postes");
        Assert.Equal("Postes financés", await page.Locator("h1").InnerTextAsync());
        var posts = await site.QueryAsync<long>("SELECT count(*) FROM funded_post WHERE structure_id = ANY(@s)", new { s = site.HrStructures.ToArray() });
        Assert.Equal(Math.Min(posts, 50), await page.Locator("main table tbody tr").CountAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("postes");

        // A tranche of the HR manager's structures still awaited (the demo's grants pay some tranches later than planned, or never).
        var awaited = await site.QueryAsync<Awaited>("""
            SELECT p.id AS PostId, p.label AS Label, t.convention_id AS ConventionId, t.seq AS Seq
              FROM grant_tranche t JOIN grant_convention c ON c.id = t.convention_id JOIN funded_post p ON p.id = c.post_id
             WHERE p.structure_id = ANY(@s) AND t.received_on IS NULL
             ORDER BY t.expected_on, p.id, t.seq LIMIT 1
            """, new { s = site.HrStructures.ToArray() });
        var link = page.Locator($"main a[href='/postes/{awaited.PostId}']");
        if (await link.CountAsync() == 0) await page.GotoAsync($"/postes/{awaited.PostId}");
        else await link.ClickAsync();
        await page.WaitForURLAsync($"**/postes/{awaited.PostId}");
        Assert.Equal($"Poste « {awaited.Label} »", await page.Locator("h1").InnerTextAsync());
        await Assertions.Expect(page.GetByText("Conventions de subvention")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("poste");

        // Mark it received yesterday.
        var day = site.Today.AddDays(-1);
        var field = page.Locator($"#recu-{awaited.ConventionId:N}-{awaited.Seq}");
        await field.FillAsync($"{day:yyyy-MM-dd}");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Marquer la tranche n° {awaited.Seq} reçue" }).First.ClickAsync();
        await page.WaitForURLAsync($"**/postes/{awaited.PostId}");
        Assert.Contains($"Tranche n° {awaited.Seq}", await page.Locator(".fr-alert--success").InnerTextAsync());
        await Assertions.Expect(page.Locator($"#tranche-{awaited.ConventionId:N}-{awaited.Seq}")).ToContainTextAsync($"Reçue le {day:dd/MM/yyyy}");
        await page.AssertAccessibleAsync();
        Assert.Equal(day.ToDateTime(TimeOnly.MinValue), await site.QueryAsync<DateTime>(
            "SELECT received_on FROM grant_tranche WHERE convention_id = @c AND seq = @n", new { c = awaited.ConventionId, n = awaited.Seq }));
        // The post's funding workflow heard it, as through the API.
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM workflow_journal j JOIN workflow_instance i ON i.id = j.instance_id
                            WHERE i.subject_id = @p AND j.trigger = 'TrancheReceived')
            """, new { p = awaited.PostId }));
    }

    [Fact]
    public async Task A_tranche_form_sent_with_a_future_day_is_refused_beside_its_field_and_changes_nothing()
    {
        var awaited = await site.QueryAsync<Awaited>("""
            SELECT p.id AS PostId, p.label AS Label, t.convention_id AS ConventionId, t.seq AS Seq
              FROM grant_tranche t JOIN grant_convention c ON c.id = t.convention_id JOIN funded_post p ON p.id = c.post_id
             WHERE p.structure_id = ANY(@s) AND t.received_on IS NULL
             ORDER BY t.expected_on DESC, p.id, t.seq LIMIT 1
            """, new { s = site.HrStructures.ToArray() });
        // The browser's own date check (max) goes: it is the server's that is tested.
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, $"/postes/{awaited.PostId}");
        var fieldId = $"recu-{awaited.ConventionId:N}-{awaited.Seq}";
        await page.Locator($"#{fieldId}").EvaluateAsync("e => { e.removeAttribute('max'); }");
        await page.Locator($"#{fieldId}").FillAsync($"{site.Today.AddDays(3):yyyy-MM-dd}");
        var response = await page.RunAndWaitForResponseAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = $"Marquer la tranche n° {awaited.Seq} reçue" }).First.ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.Contains($"/postes/{awaited.PostId}"));
        Assert.Equal(400, response.Status);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        Assert.Contains("ne peut pas être reçue dans le futur", await page.Locator($"#{fieldId}-erreur").InnerTextAsync());
        Assert.Contains("Rien n'a été enregistré", await page.Locator("#erreurs-formulaire").InnerTextAsync());
        await page.AssertAccessibleAsync();
        Assert.True(await site.QueryAsync<bool>("SELECT received_on IS NULL FROM grant_tranche WHERE convention_id = @c AND seq = @n",
            new { c = awaited.ConventionId, n = awaited.Seq }));
    }

    [Fact]
    public async Task A_post_of_another_structure_is_the_not_found_page_and_its_form_changes_nothing()
    {
        var other = await site.QueryAsync<Guid>("SELECT id FROM funded_post WHERE NOT (structure_id = ANY(@s)) ORDER BY id LIMIT 1",
            new { s = site.HrStructures.ToArray() });
        var page = await NewPageAsync(site);
        var response = await page.SignInToAsync(site.Hr, $"/postes/{other}");
        Assert.Equal(404, response!.Status);
        Assert.Contains("Erreur 404", await page.Locator("main").InnerTextAsync());
        await page.AssertAccessibleAsync();
        // Unknown and out of reach look the same.
        Assert.Equal(404, (await page.GotoAsync($"/postes/{Guid.NewGuid()}"))!.Status);
        // The administrator reaches it.
        var admin = await NewPageAsync(site);
        Assert.Equal(200, (await admin.SignInToAsync(site.Admin, $"/postes/{other}")).Status);
        await admin.AssertAccessibleAsync();
    }
}

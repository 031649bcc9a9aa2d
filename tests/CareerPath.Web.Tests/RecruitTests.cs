using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>Recruit: the advisor and the contract in one form; a wrong contract writes nothing, not even the advisor.</summary>
[Collection("forms")]
public sealed class RecruitTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_wrong_contract_writes_nothing_then_the_fixed_form_creates_the_advisor_and_the_contract()
    {
        var (postId, _) = await site.OtherPublicPostAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var email = $"recrue-{tag}@example.org";
        var name = $"Recrue {tag}";
        var page = await NewPageAsync(site);
        Assert.Equal(200, (await page.SignInToAsync(site.Admin, "/conseillers/recruter")).Status);
        await page.AssertAccessibleAsync();

        await page.GetByLabel("Nom et prénom").FillAsync(name);
        await page.GetByLabel("Adresse e-mail professionnelle").FillAsync(email);
        await page.GetByLabel("Poste financé").SelectOptionAsync(postId.ToString());
        await page.GetByLabel("Type de contrat").SelectOptionAsync("Cdd");
        await page.GetByLabel("Début du contrat").FillAsync(site.Today.AddDays(15).ToString("yyyy-MM-dd"));
        await page.GetByLabel("Fin du contrat").FillAsync(site.Today.AddDays(5).ToString("yyyy-MM-dd"));
        var refused = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer le recrutement" }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        await Assertions.Expect(page.Locator("#champ-end-erreur")).ToBeVisibleAsync();
        Assert.Contains("Rien n'a été enregistré", await page.Locator("#erreurs-formulaire").InnerTextAsync());
        // Neither part: the advisor was checked and would have been valid, but is not written.
        Assert.Equal(0, await site.QueryAsync<int>("SELECT count(*)::int FROM advisor WHERE work_email = @email", new { email }));
        // The values typed are kept.
        Assert.Equal(email, await page.InputValueAsync("#champ-workEmail"));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("recruter");

        await page.GetByLabel("Fin du contrat").FillAsync(site.Today.AddDays(15).AddYears(1).ToString("yyyy-MM-dd"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer le recrutement" }).ClickAsync();
        await page.WaitForURLAsync("**/conseillers/*#contrat-*");
        var advisorId = await site.QueryAsync<Guid>("SELECT id FROM advisor WHERE work_email = @email", new { email });
        var (contractId, type, start) = await site.QueryAsync<(Guid, string, DateOnly)>(
            "SELECT id, contract_type, start_date FROM contract WHERE advisor_id = @advisorId AND post_id = @postId", new { advisorId, postId });
        Assert.Equal(("Cdd", site.Today.AddDays(15)), (type, start));
        Assert.EndsWith($"/conseillers/{advisorId}#contrat-{contractId}", page.Url);
        Assert.Contains("son suivi démarre", await page.Locator("[role=status]").First.InnerTextAsync());
        Assert.True(await site.QueryAsync<bool>("SELECT EXISTS (SELECT 1 FROM workflow_instance WHERE subject_id = @contractId)", new { contractId }));
    }

    [Fact]
    public async Task An_hr_manager_is_offered_only_the_posts_of_their_structures()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, "/conseillers/recruter");
        await page.AssertAccessibleAsync();
        var offered = (await page.Locator("#champ-postId option:not([value=''])").EvaluateAllAsync<string[]>("os => os.map(o => o.value)")).ToHashSet();
        var theirs = await site.QueryListAsync<Guid>("SELECT id FROM funded_post WHERE structure_id = ANY(@s)", new { s = site.HrStructures.ToArray() });
        Assert.Equal(theirs.Select(p => p.ToString()).ToHashSet(), offered);

        // A post of another structure, posted by hand, is refused like an unknown one.
        var (otherPost, _) = await site.OtherPublicPostAsync();
        await page.EvaluateAsync("id => { const o = document.createElement('option'); o.value = id; o.text = 'autre'; document.getElementById('champ-postId').append(o); }", otherPost.ToString());
        var email = $"hors-{Guid.NewGuid():N}@example.org";
        await page.GetByLabel("Nom et prénom").FillAsync("Hors Périmètre");
        await page.GetByLabel("Adresse e-mail professionnelle").FillAsync(email);
        await page.GetByLabel("Poste financé").SelectOptionAsync(otherPost.ToString());
        await page.GetByLabel("Type de contrat").SelectOptionAsync("Cdd");
        await page.GetByLabel("Début du contrat").FillAsync(site.Today.AddDays(15).ToString("yyyy-MM-dd"));
        await page.GetByLabel("Fin du contrat").FillAsync(site.Today.AddDays(15).AddYears(1).ToString("yyyy-MM-dd"));
        var refused = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer le recrutement" }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        await Assertions.Expect(page.Locator("#champ-postId-erreur")).ToBeVisibleAsync();
        Assert.Equal(0, await site.QueryAsync<int>("SELECT count(*)::int FROM advisor WHERE work_email = @email", new { email }));
    }
}

using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

[Collection("forms")]
public sealed class AmendmentTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    static async Task FillAsync(IPage page, DateOnly newEnd, string reason)
    {
        await page.GetByLabel("Nouvelle date de fin").FillAsync(newEnd.ToString("yyyy-MM-dd"));
        await page.GetByLabel("Motif").FillAsync(reason);
    }

    static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    Task<int> AmendmentsAsync(Guid contractId) =>
        site.QueryAsync<int>("SELECT count(*)::int FROM contract_amendment WHERE contract_id = @contractId", new { contractId });

    [Fact]
    public async Task Hr_previews_an_amendment_then_saves_it_and_sees_the_deadlines_move_on_the_timeline()
    {
        var (contractId, advisorId, end) = await CareerSubjects.AmendableAsync(site, "B-amend");
        var newEnd = end.AddDays(-61);
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, $"/conseillers/{advisorId}");
        await page.Locator($"#contrat-{contractId}").GetByRole(AriaRole.Link, new() { Name = "Avenant", Exact = true }).ClickAsync();
        Assert.EndsWith($"/contrats/{contractId}/avenant", page.Url);
        // The form starts from the record: its current end.
        Assert.Equal(end.ToString("yyyy-MM-dd"), await page.GetByLabel("Nouvelle date de fin").InputValueAsync());
        await page.AssertAccessibleAsync();

        // A missing reason: refused beside the field, status 400, nothing written.
        await page.GetByLabel("Nouvelle date de fin").FillAsync(newEnd.ToString("yyyy-MM-dd"));
        var bad = await page.RunAndWaitForResponseAsync(() => Button(page, "Prévisualiser").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, bad.Status);
        await Assertions.Expect(page.Locator("#champ-reason-erreur")).ToContainTextAsync("Champ obligatoire");
        await page.AssertAccessibleAsync();

        // Preview: the engine's changes, old date → new date, and nothing written.
        await FillAsync(page, newEnd, "Fin de la mission avancée d'un commun accord");
        await Button(page, "Prévisualiser").ClickAsync();
        var table = page.Locator("#apercu table");
        await Assertions.Expect(table.Locator("caption")).ToContainTextAsync("Échéances qui changeraient");
        var rows = table.Locator("tbody tr");
        Assert.True(await rows.CountAsync() > 0);
        // The contract's end itself moves from the old end to the new one (or a deadline computed from it).
        var moved = rows.Filter(new() { HasTextString = "avancée de" });
        Assert.True(await moved.CountAsync() > 0, await table.InnerTextAsync());
        var cells = moved.First.Locator("td");
        var before = DateOnly.ParseExact(await cells.Nth(1).InnerTextAsync(), "dd/MM/yyyy");
        var after = DateOnly.ParseExact(await cells.Nth(2).InnerTextAsync(), "dd/MM/yyyy");
        Assert.True(after < before);
        Assert.Equal(0, await AmendmentsAsync(contractId));
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
                            WHERE i.subject_id = @contractId AND t.fired_at IS NULL AND t.due_on = @before)
            """, new { contractId, before }));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("avenant-apercu");

        // Save: back on the advisor page, the message, the amendment, and the deadline at its new date.
        await Button(page, "Enregistrer").ClickAsync();
        await page.WaitForURLAsync($"**/conseillers/{advisorId}#contrat-{contractId}");
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("L'avenant est enregistré");
        Assert.Equal(1, await AmendmentsAsync(contractId));
        Assert.Equal(newEnd, await site.QueryAsync<DateOnly>("SELECT effective_end FROM contract WHERE id = @contractId", new { contractId }));
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
                            WHERE i.subject_id = @contractId AND t.fired_at IS NULL AND t.due_on = @after)
            """, new { contractId, after }));
        var section = page.Locator($"#contrat-{contractId}");
        await Assertions.Expect(section.Locator("ol[aria-label^='Échéances à venir']")).ToContainTextAsync(CareerSubjects.Long(after));
        await Assertions.Expect(section.Locator("table", new() { Has = page.Locator("caption", new() { HasTextString = "Avenants" }) }))
            .ToContainTextAsync(CareerSubjects.Short(newEnd));
        await Assertions.Expect(section.Locator("table", new() { Has = page.Locator("caption", new() { HasTextString = "Historique" }) }))
            .ToContainTextAsync("Avenant enregistré");
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task A_stale_amendment_form_is_refused_with_the_current_values_and_nothing_is_overwritten()
    {
        var (contractId, _, end) = await CareerSubjects.AmendableAsync(site, "B-stale");
        var mine = await NewPageAsync(site);
        await mine.SignInAsync(site.Hr, $"/contrats/{contractId}/avenant");

        // Meanwhile a colleague, in another browser, amends the same contract.
        var theirs = await NewPageAsync(site);
        await theirs.SignInAsync(site.Hr, $"/contrats/{contractId}/avenant");
        var theirEnd = end.AddDays(-40);
        await FillAsync(theirs, theirEnd, "Avenant saisi par un collègue");
        await Button(theirs, "Prévisualiser").ClickAsync();
        await Button(theirs, "Enregistrer").ClickAsync();
        await theirs.WaitForURLAsync("**/conseillers/**");
        Assert.Equal(1, await AmendmentsAsync(contractId));

        // My form, shown before their change, is refused on save.
        await FillAsync(mine, end.AddDays(-90), "Mon avenant, préparé avant celui du collègue");
        await Button(mine, "Prévisualiser").ClickAsync();
        var response = await mine.RunAndWaitForResponseAsync(() => Button(mine, "Enregistrer").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, response.Status);
        await Assertions.Expect(mine.Locator("#erreurs-formulaire")).ToContainTextAsync("Ce dossier a changé entre-temps");
        await Assertions.Expect(mine.Locator("#erreurs-formulaire")).ToContainTextAsync("modifié entre-temps");
        // The current values: the colleague's end, in the summary and in the form.
        await Assertions.Expect(mine.Locator("#contrat-actuel")).ToContainTextAsync(CareerSubjects.Long(theirEnd));
        Assert.Equal(theirEnd.ToString("yyyy-MM-dd"), await mine.GetByLabel("Nouvelle date de fin").InputValueAsync());
        Assert.Equal(1, await AmendmentsAsync(contractId));
        Assert.Equal(theirEnd, await site.QueryAsync<DateOnly>("SELECT effective_end FROM contract WHERE id = @contractId", new { contractId }));
        await mine.AssertAccessibleAsync();

        // Sent again from the current version, it goes through.
        await mine.GetByLabel("Nouvelle date de fin").FillAsync(end.AddDays(-90).ToString("yyyy-MM-dd"));
        await Button(mine, "Prévisualiser").ClickAsync();
        await Button(mine, "Enregistrer").ClickAsync();
        await mine.WaitForURLAsync("**/conseillers/**");
        Assert.Equal(2, await AmendmentsAsync(contractId));
    }

    [Fact]
    public async Task Hr_previews_a_renewal_then_saves_it_and_the_new_contract_joins_the_career_chain()
    {
        var (contractId, advisorId, end) = await CareerSubjects.AmendableAsync(site, "B-renew");
        var newEnd = end.AddYears(1);
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, $"/contrats/{contractId}/renouvellement");
        await FillAsync(page, newEnd, "Renouvellement pour un an");
        await page.GetByLabel("Date de notification au conseiller").FillAsync(site.Today.ToString("yyyy-MM-dd"));
        await Button(page, "Prévisualiser").ClickAsync();
        await Assertions.Expect(page.Locator("#apercu")).ToContainTextAsync("Renouvellement décidé");
        // The new contract's own deadlines are previewed too: its end, a year later, among them.
        var ofNewContract = page.Locator("#apercu tbody tr").Filter(new() { HasTextString = "nouveau contrat" });
        Assert.True(await ofNewContract.CountAsync() > 0);
        await Assertions.Expect(page.Locator("#apercu tbody")).ToContainTextAsync(newEnd.ToString("dd/MM/yyyy"));
        Assert.Equal(0, await site.QueryAsync<int>("SELECT count(*)::int FROM contract WHERE previous_contract_id = @contractId", new { contractId }));
        await page.AssertAccessibleAsync();

        await Button(page, "Enregistrer").ClickAsync();
        await page.WaitForURLAsync($"**/conseillers/{advisorId}#contrat-{contractId}");
        var renewal = await site.QueryAsync<Guid>("SELECT id FROM contract WHERE previous_contract_id = @contractId", new { contractId });
        await Assertions.Expect(page.Locator($"#contrat-{contractId}")).ToContainTextAsync("Renouvelé par le contrat");
        await Assertions.Expect(page.Locator($"#contrat-{renewal}")).ToContainTextAsync("Renouvellement du contrat");
        await page.AssertAccessibleAsync();
    }
}

using System.Text.Json.Nodes;
using CareerPath.Web.Tests.Infrastructure;
using CareerPath.Workflows.Definitions;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>The end-of-contract decision page and its notification letter (printable page and Word file).</summary>
[Collection("forms")]
public sealed class DecisionTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    static readonly string[] DecisionTasks = [Tasks.Decision, Tasks.Escalation];

    [Fact]
    public async Task A_decision_after_the_notice_deadline_shows_the_late_warning_is_recorded_late_closes_its_tasks_and_gives_the_letter()
    {
        // 20 months ending in 20 days: a 1-month notice (décret 88-145 art. 38-1, 2°), passed 10 days ago; the reminder
        // opened the decision task and the notice deadline the escalation.
        var own = await site.OwnContractAsync("décision tardive", then: [nameof(ContractTrigger.DecisionReminder), nameof(ContractTrigger.NoticeDeadline)]);
        Assert.Equal(2, await site.OpenTasksAsync(own.InstanceId, DecisionTasks));
        var page = await NewPageAsync(site);
        var response = await page.SignInToAsync(site.Admin, $"/contrats/{own.ContractId}/decision");
        Assert.Equal(200, response!.Status);
        var warning = page.Locator("#prevenance-depassee");
        await Assertions.Expect(warning).ToBeVisibleAsync();
        Assert.Contains("délai de prévenance est dépassé", await warning.InnerTextAsync());
        Assert.Contains("En retard de 10 jours", await page.Locator("#prevenance").TextContentAsync());
        Assert.Contains("sera close", await page.Locator("main").InnerTextAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("decision");

        await page.GetByLabel("Décision").SelectOptionAsync("PermanentHireCdi");
        await page.GetByLabel("Motif").FillAsync("Poste pérennisé au budget de la commune.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la décision" }).ClickAsync();
        await page.WaitForURLAsync($"**/contrats/{own.ContractId}/courrier");
        Assert.Contains("signalée comme notifiée après le délai", await page.Locator("[role=status]").InnerTextAsync());

        // Recorded, late, and the dashboard's decision and escalation tasks are closed.
        var (kind, late) = await site.QueryAsync<(string, bool)>("SELECT decision_kind, decision_late FROM contract WHERE id = @id", new { id = own.ContractId });
        Assert.Equal("PermanentHireCdi", kind);
        Assert.True(late);
        Assert.Equal(0, await site.OpenTasksAsync(own.InstanceId, DecisionTasks));
        Assert.Equal(2, await site.QueryAsync<int>("""
            SELECT count(*)::int FROM human_task WHERE instance_id = @id AND status = 'Completed' AND kind = ANY(@kinds) AND outcome = 'PermanentHireCdi'
            """, new { id = own.InstanceId, kinds = DecisionTasks }));

        // The printable letter.
        var letter = await page.Locator("article.cp-letter").InnerTextAsync();
        Assert.Contains(own.AdvisorName, letter);
        Assert.Contains("8 jours", letter);
        Assert.Contains("tribunal administratif", letter);
        Assert.Contains("après ce délai", letter);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("courrier");
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM access_log WHERE action = 'letter.page' AND subject_id = @id)
            """, new { id = own.ContractId }));

        // The Word file: the same letter, editable.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Télécharger le courrier (Word, .docx)" }).ClickAsync());
        Assert.EndsWith(".docx", download.SuggestedFilename);
        var file = await download.PathAsync();
        using var doc = WordprocessingDocument.Open(file!, false);
        var text = string.Join("\n", doc.MainDocumentPart!.Document.Body!.Elements<DocumentFormat.OpenXml.Wordprocessing.Paragraph>().Select(p => p.InnerText));
        Assert.Contains(own.AdvisorName, text);
        Assert.Contains("8 jours", text);
        Assert.Contains("silence", text);
        Assert.Contains("recours", text);
        Assert.Contains("tribunal administratif", text);
        Assert.Contains("Source : Décret n° 88-145 du 15 février 1988, art. 38-1", text);
        Assert.Contains("R421-1", text);
        Assert.Contains("Interprétation de CareerPath", text);
        Assert.True(await site.QueryAsync<bool>("SELECT EXISTS (SELECT 1 FROM access_log WHERE action = 'letter.docx' AND subject_id = @id)", new { id = own.ContractId }));

        // The decision page now says it is taken, and points to the letter.
        await page.GotoAsync($"/contrats/{own.ContractId}/decision");
        Assert.Contains("Décision déjà enregistrée", await page.Locator("main").InnerTextAsync());
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task The_decision_form_is_usable_with_the_keyboard_alone()
    {
        var own = await site.OwnContractAsync("clavier", then: [nameof(ContractTrigger.DecisionReminder)]);
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Admin, $"/contrats/{own.ContractId}/decision");
        await page.AssertAccessibleAsync();
        // Every field has its label.
        foreach (var id in new[] { "champ-kind", "champ-reason", "champ-notifiedOn" })
            Assert.Equal(1, await page.Locator($"label[for='{id}']").CountAsync());

        // From the top of the page, Tab reaches the fields in order, then the button; the keys fill them in.
        var order = new List<string>();
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>("() => document.activeElement.id || document.activeElement.textContent.trim()");
            if (order.Count == 0 || order[^1] != focused) order.Add(focused);
            if (focused == "champ-kind")
                for (var j = 0; j < 6 && await page.InputValueAsync("#champ-kind") != "NotRetained"; j++) await page.Keyboard.PressAsync("ArrowDown");
            if (focused == "champ-reason") await page.Keyboard.TypeAsync("Fin du projet de médiation numérique.");
            if (focused == "Enregistrer la décision") break;
        }
        var fields = new[] { "champ-kind", "champ-reason", "champ-notifiedOn", "Enregistrer la décision" };
        Assert.True(fields.All(order.Contains), "focus order: " + string.Join(" → ", order));
        Assert.Equal(fields, order.Where(fields.Contains).ToArray());
        Assert.Equal("NotRetained", await page.InputValueAsync("#champ-kind"));

        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/contrats/{own.ContractId}/courrier");
        Assert.Equal("NotRetained", await site.QueryAsync<string>("SELECT decision_kind FROM contract WHERE id = @id", new { id = own.ContractId }));
        Assert.Equal(0, await site.OpenTasksAsync(own.InstanceId, DecisionTasks));
        // Not retained, public law: no answer to give, but the appeal is stated.
        var letter = await page.Locator("article.cp-letter").InnerTextAsync();
        Assert.DoesNotContain("8 jours", letter);
        Assert.Contains("deux mois", letter);
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task A_stale_decision_form_is_refused_with_the_current_values_and_records_nothing()
    {
        var own = await site.OwnContractAsync("périmé");
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Admin, $"/contrats/{own.ContractId}/decision");
        var seen = int.Parse(await page.InputValueAsync("input[name=version]"));
        Assert.Equal(await site.VersionAsync(own.InstanceId), seen);

        // Someone else changes the contract meanwhile.
        await site.SignalAsync(own.InstanceId, nameof(ContractTrigger.ThematicModuleCompleted), new JsonObject { ["title"] = "Module pendant la décision" });
        var current = await site.VersionAsync(own.InstanceId);
        Assert.True(current > seen);

        // A renewal is not offered here: it has its own page, with the preview.
        Assert.Equal(0, await page.Locator("select[name=kind] option[value=Renewal]").CountAsync());
        await page.GetByLabel("Décision").SelectOptionAsync("PermanentHireCdi");
        await page.GetByLabel("Motif").FillAsync("Poste pérennisé.");
        var refused = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la décision" }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.Equal(409, refused.Status);
        Assert.Contains("Ce dossier a changé entre-temps", await page.Locator("#erreurs-formulaire").InnerTextAsync());
        Assert.Null(await site.QueryAsync<string?>("SELECT decision_kind FROM contract WHERE id = @id", new { id = own.ContractId }));
        // The form now carries the current version: sent again, it is recorded.
        Assert.Equal(current, int.Parse(await page.InputValueAsync("input[name=version]")));
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la décision" }).ClickAsync();
        await page.WaitForURLAsync($"**/contrats/{own.ContractId}/courrier");
        Assert.Equal("PermanentHireCdi", await site.QueryAsync<string>("SELECT decision_kind FROM contract WHERE id = @id", new { id = own.ContractId }));
        var letter = await page.Locator("article.cp-letter").InnerTextAsync();
        Assert.Contains("8 jours", letter);
        Assert.Contains("silence", letter);
    }

    [Fact]
    public async Task An_hr_manager_gets_the_not_found_page_for_another_structures_decision_and_letter()
    {
        var own = await site.OwnContractAsync("hors périmètre");
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr);
        foreach (var path in new[] { "decision", "courrier", "courrier.docx", "fin-anticipee", "revue", "formation", "examens", "modules", "devenir" })
        {
            var response = await page.GotoAsync($"/contrats/{own.ContractId}/{path}");
            Assert.Equal(404, response!.Status);
        }
        await page.AssertAccessibleAsync();
        // No decision yet: the letter does not exist, even for an administrator.
        var admin = await NewPageAsync(site);
        Assert.Equal(404, (await admin.SignInToAsync(site.Admin, $"/contrats/{own.ContractId}/courrier")).Status);
    }
}

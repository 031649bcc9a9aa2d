using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using CareerPath.Web.Tests.Infrastructure;
using CareerPath.Workflows.Queries;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

[Collection("forms")]
public sealed class MyContractTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_advisor_sees_only_their_own_contracts_and_milestones_never_who_acted_nor_another_advisor()
    {
        var me = site.Advisor.AdvisorId!.Value;
        var mine = await site.QueryListAsync<Guid>("SELECT id FROM contract WHERE advisor_id = @me ORDER BY start_date, id", new { me });
        var name = await site.QueryAsync<string>("SELECT full_name FROM advisor WHERE id = @me", new { me });
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Advisor);
        Assert.EndsWith("/mon-contrat", page.Url);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Mon contrat");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(name);

        // Exactly their contracts, each with its deadlines and their explanations.
        var sections = await page.Locator("section[id^='contrat-']").EvaluateAllAsync<string[]>("s => s.map(x => x.id)");
        Assert.Equal(mine.Select(id => $"contrat-{id}"), sections);
        var coming = await site.QueryAsync<int>("""
            SELECT count(*)::int FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
              JOIN contract c ON c.id = i.subject_id
             WHERE c.advisor_id = @me AND i.definition_id = 'advisor-contract' AND t.fired_at IS NULL
               AND i.id = (SELECT id FROM workflow_instance WHERE definition_id = 'advisor-contract' AND subject_id = c.id ORDER BY created_at DESC LIMIT 1)
            """, new { me });
        Assert.Equal(coming, await page.Locator("ol[aria-label^='Échéances à venir'] > li details.cp-explanation").CountAsync());
        var anyDeadline = page.Locator("details.cp-explanation").First;
        await anyDeadline.Locator("summary").ClickAsync();
        await Assertions.Expect(anyDeadline.Locator("p", new() { HasTextString = "Source :" })).ToBeVisibleAsync();
        // Never which colleague acted: no "Par" column, no account in the journal, no forms of staff.
        Assert.Equal(0, await page.Locator("th", new() { HasTextString = "Par" }).CountAsync());
        // Nor the notes staff wrote in the journal (a review's note, a decision's reason).
        Assert.Equal(0, await page.Locator("th", new() { HasTextString = "Précision" }).CountAsync());
        Assert.DoesNotContain("@", string.Join(" ", await page.Locator("table").AllInnerTextsAsync()));
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Avenant", Exact = true }).CountAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("mon-contrat");

        // Their own advisor page is this one; another advisor's is not found, and so are staff's forms.
        await page.GotoAsync($"/conseillers/{me}");
        Assert.EndsWith("/mon-contrat", page.Url);
        var other = await site.QueryAsync<(Guid, Guid)>("SELECT a.id, c.id FROM advisor a JOIN contract c ON c.advisor_id = a.id WHERE a.id <> @me ORDER BY a.id LIMIT 1", new { me });
        foreach (var url in new[] { $"/conseillers/{other.Item1}", $"/contrats/{other.Item2}", $"/contrats/{mine[^1]}/avenant" })
        {
            var response = await page.GotoAsync(url);
            Assert.Equal(404, response!.Status);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Page non trouvée");
        }
        await page.AssertAccessibleAsync();
        await page.GotoAsync($"/contrats/{mine[^1]}");
        Assert.EndsWith($"/mon-contrat#contrat-{mine[^1]}", page.Url);
    }

    /// <summary>
    /// The demo has nobody in initial training on its last day: a new advisor is recruited (as the API does), their
    /// contract starts (the start timer's trigger) and HR schedules the training; they get an account of their own.
    /// The post is outside the HR manager's structures, so the other tests' dashboards don't see them.
    /// </summary>
    async Task<(Guid AdvisorId, Guid ContractId, Person Person)> NewAdvisorInInitialTrainingAsync()
    {
        var services = site.App.Services;
        var records = services.GetRequiredService<ReferenceData>();
        var (postId, structureId) = await site.QueryAsync<(Guid, Guid)>("""
            SELECT p.id, p.structure_id FROM funded_post p
             WHERE NOT p.structure_id = ANY(@structures)
               AND NOT EXISTS (SELECT 1 FROM contract c WHERE c.post_id = p.id AND c.terminated_on IS NULL
                                AND (COALESCE(c.effective_end, c.end_date) IS NULL OR COALESCE(c.effective_end, c.end_date) >= @today))
             ORDER BY md5(p.id::text || 'B-training') LIMIT 1
            """, new { structures = site.HrStructures.ToArray(), today = site.Today });
        const string email = "camille.formation.b@exemple.fr";
        var advisor = await records.CreateAdvisorAsync(new NewAdvisor(structureId, "Camille Formation", email), "admin:tests", default);
        Assert.True(advisor.Ok, string.Join(" ", advisor.Errors));
        var start = site.Today.AddDays(-14);
        var contract = await records.CreateContractAsync(new NewContract(advisor.Id, postId, ContractType.Cdd, start, start.AddMonths(12).AddDays(-1)), "admin:tests", default);
        Assert.True(contract.Ok, string.Join(" ", contract.Errors));
        var instanceId = await site.QueryAsync<Guid>("SELECT id FROM workflow_instance WHERE subject_id = @id", new { id = contract.Id });
        await services.GetRequiredService<WorkflowEngine>().SignalAsync(new SignalRequest(instanceId, "ContractStarted",
            new JsonObject { ["timer"] = "contract.start" }, WorkflowEngine.TimerActor));
        var admin = new Caller { UserId = Guid.NewGuid(), Email = "admin@careerpath.local", Role = Roles.Admin };
        var scheduled = await services.GetRequiredService<ContractActions>().ScheduleTrainingAsync(admin, contract.Id,
            new TrainingRequest(start.AddDays(7), site.Today.AddDays(14), 140), ActOptions.Default, default);
        Assert.True(scheduled.Ok, scheduled.Failure?.Message);
        var accounts = new Accounts(new AccountStore(site.Db), site.Clock, new AccountOptions());
        await accounts.CreateAsync(new NewAccount(email, "Camille Formation", Roles.Advisor, WebSite.Password, [], advisor.Id));
        return (advisor.Id, contract.Id, new Person(email, WebSite.Password, advisor.Id));
    }

    [Fact]
    public async Task An_advisor_in_initial_training_marks_it_done_and_records_a_thematic_module()
    {
        var (advisorId, contractId, person) = await NewAdvisorInInitialTrainingAsync();
        var page = await NewPageAsync(site);
        await page.SignInAsync(person);
        Assert.EndsWith("/mon-contrat", page.Url);

        // A bad date is refused beside its field, 400, nothing recorded.
        var done = page.GetByRole(AriaRole.Button, new() { Name = "J'ai terminé ma formation initiale" });
        await page.GetByLabel("Durée en heures").FillAsync("0");
        await page.GetByLabel("Intitulé du module").FillAsync("Médiation numérique et démarches en ligne");
        var bad = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer le module" }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.Equal(400, bad.Status);
        await Assertions.Expect(page.Locator("#champ-hours-erreur")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        await done.ClickAsync();
        await page.WaitForURLAsync("**/mon-contrat");
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("formation initiale est enregistrée");
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM workflow_instance i, jsonb_array_elements(i.data->'trainings') t
                            WHERE i.subject_id = @contractId AND t->>'kind' = 'InitialTraining' AND t->>'completedOn' = @today)
            """, new { contractId, today = site.Today.ToString("yyyy-MM-dd") }));
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Votre formation initiale est terminée");

        await page.GetByLabel("Intitulé du module").FillAsync("Médiation numérique et démarches en ligne");
        await page.GetByLabel("Durée en heures").FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer le module" }).ClickAsync();
        await page.WaitForURLAsync("**/mon-contrat");
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("Médiation numérique et démarches en ligne");
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM workflow_instance i, jsonb_array_elements(i.data->'trainings') t
                            WHERE i.subject_id = @contractId AND t->>'kind' = 'Thematic' AND t->>'title' = 'Médiation numérique et démarches en ligne')
            """, new { contractId }));
        await Assertions.Expect(page.Locator($"#contrat-{contractId}")).ToContainTextAsync("Médiation numérique et démarches en ligne");
        await page.AssertAccessibleAsync();
    }
}

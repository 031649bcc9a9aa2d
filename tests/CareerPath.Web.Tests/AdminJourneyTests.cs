using System.Text;
using System.Text.RegularExpressions;
using CareerPath.Web.Tests.Infrastructure;
using CareerPath.Workflows.Notifications;
using Microsoft.Playwright;
using MimeKit;

namespace CareerPath.Web.Tests;

/// <summary>
/// The administrator's journeys on a site of their own: they fail e-mails through the real outbox dispatcher
/// (and move the site's clock for its back-off), disable accounts and migrate instances, which no other test may see.
/// </summary>
[CollectionDefinition("admin")]
public sealed class AdminCollection : ICollectionFixture<WebSite>, ICollectionFixture<BrowserFixture>;

[Collection("admin")]
public sealed class AdminJourneyTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    const int InstancesPage = 50;

    static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    static readonly string[] AdminPages =
    [
        "/admin", "/admin/workflows", "/admin/instances", "/admin/incidents", "/admin/envois", "/admin/comptes", "/admin/comptes/nouveau",
        "/admin/journal-des-acces", "/admin/migrations", "/admin/conservation",
    ];

    /// <summary>The administrator, signed in and sent to <paramref name="page"/> (not to the home page, the dashboard of every structure, to leave it at once).</summary>
    async Task<IPage> AdminAsync(string page, bool javaScript = true)
    {
        var admin = await NewPageAsync(site, javaScript);
        await admin.SignInAsync(site.Admin, page);
        return admin;
    }

    /// <summary>A mail server that refuses these messages (and takes every other).</summary>
    sealed class RefusingTransport(IReadOnlySet<Guid> refused) : IMailTransport
    {
        public Task SendAsync(MimeMessage message, CancellationToken ct) =>
            refused.Any(id => message.MessageId == OutboxDispatcher.MessageId(id))
                ? throw new IOException("550 boîte aux lettres refusée (test)")
                : Task.CompletedTask;
    }

    /// <summary>
    /// Two messages failed for real, once for the collection: the dispatcher sends every other due message on the
    /// way, so a second run would find none left to fail. The incident test retries the first, the outbox test resends the second.
    /// </summary>
    static Task<IReadOnlyList<Guid>>? _failed;

    Task<IReadOnlyList<Guid>> FailedMessagesAsync() => _failed ??= FailMessagesAsync(2);

    /// <summary>
    /// Makes <paramref name="count"/> due messages fail for real: the outbox dispatcher tries them against a server
    /// that refuses them, waits its back-off on the site's clock, until it gives up and raises an incident for each.
    /// </summary>
    async Task<IReadOnlyList<Guid>> FailMessagesAsync(int count)
    {
        var targets = (await site.QueryListAsync<Guid>("""
            SELECT id FROM outbox_message WHERE status = 'Pending' AND next_attempt_at <= @now ORDER BY created_at DESC, id LIMIT @count
            """, new { now = site.Clock.GetUtcNow(), count })).ToHashSet();
        Assert.Equal(count, targets.Count);
        var ids = targets.ToArray();
        var dispatcher = new OutboxDispatcher(site.Db, new RefusingTransport(targets), site.Clock, new SmtpOptions(), site.BaseUrl);
        for (var round = 0; round < 200; round++)
        {
            if (await site.QueryAsync<int>("SELECT count(*)::int FROM outbox_message WHERE id = ANY(@ids) AND status <> 'Failed'", new { ids }) == 0)
                return ids;
            var result = await dispatcher.DeliverDueAsync();
            if (result.Sent + result.Retrying + result.Failed > 0) continue;
            // Nothing due: the back-off of the refused messages runs out.
            var next = await site.QueryAsync<DateTimeOffset>("SELECT min(next_attempt_at) FROM outbox_message WHERE id = ANY(@ids) AND status = 'Pending'", new { ids });
            if (next > site.Clock.GetUtcNow()) site.Clock.SetUtcNow(next);
        }
        throw new InvalidOperationException("The messages never failed.");
    }

    [Fact]
    public async Task The_administrator_retries_an_incident_and_sees_it_leave_the_list()
    {
        var message = (await FailedMessagesAsync())[0];
        var incident = await site.QueryAsync<Guid>("SELECT id FROM incident WHERE effect = 'outbox' AND effect_ref = @ref AND resolved_at IS NULL",
            new { @ref = message.ToString() });
        var page = await AdminAsync("/admin");

        await Assertions.Expect(page.Locator(".fr-alert--warning")).ToContainTextAsync("Des incidents attendent une relance");
        await page.GetByRole(AriaRole.Link, new() { Name = "Incidents", Exact = true }).ClickAsync();
        Assert.EndsWith("/admin/incidents", page.Url);
        var row = page.Locator($"#incident-{incident}");
        await Assertions.Expect(row).ToContainTextAsync("550 boîte aux lettres refusée (test)");
        await Assertions.Expect(row).ToContainTextAsync("E-mail");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-incidents");

        await row.GetByRole(AriaRole.Button, new() { Name = "Relancer" }).ClickAsync();

        Assert.EndsWith("/admin/incidents", page.Url);
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("L'incident est relancé");
        Assert.Equal(0, await page.Locator($"#incident-{incident}").CountAsync());
        Assert.Equal(("Pending", 0), await site.QueryAsync<(string, int)>("SELECT status, attempts FROM outbox_message WHERE id = @message", new { message }));
        Assert.Equal($"admin:{site.Admin.Email}", await site.QueryAsync<string>("SELECT resolved_by FROM incident WHERE id = @incident", new { incident }));
        await page.AssertAccessibleAsync();

        // Among all incidents, it is there, closed; retrying it again is refused (400), nothing changes.
        await page.GotoAsync("/admin/incidents?tous=oui");
        await Assertions.Expect(page.Locator($"#incident-{incident}")).ToContainTextAsync("Clos");
        var again = await page.APIRequest.PostAsync($"/api/incidents/{incident}/retry");
        Assert.Equal(400, again.Status);
    }

    [Fact]
    public async Task The_administrator_resends_a_failed_message_and_the_outbox_sends_it()
    {
        var message = (await FailedMessagesAsync())[1];
        var page = await AdminAsync("/admin/envois");

        await page.GetByLabel("État de l'envoi").SelectOptionAsync("Failed");
        await Button(page, "Filtrer").ClickAsync();
        await page.WaitForLoadStateAsync();
        Assert.Contains("statut=Failed", page.Url);
        var row = page.Locator($"#envoi-{message}");
        await Assertions.Expect(row).ToContainTextAsync("En échec");
        await Assertions.Expect(row).ToContainTextAsync("550 boîte aux lettres refusée (test)");
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync(OutboxDispatcher.MaxAttempts.ToString());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-envois");

        await row.GetByRole(AriaRole.Button, new() { Name = "Renvoyer" }).ClickAsync();

        Assert.Contains("/admin/envois?statut=Failed", page.Url);
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("L'e-mail est remis en file d'attente");
        Assert.Equal(0, await page.Locator($"#envoi-{message}").CountAsync());
        Assert.Equal(("Pending", 0), await site.QueryAsync<(string, int)>("SELECT status, attempts FROM outbox_message WHERE id = @message", new { message }));
        // Its incident is closed with it: the engine has nothing left in failure for this message.
        Assert.False(await site.QueryAsync<bool>("SELECT EXISTS (SELECT 1 FROM incident WHERE effect_ref = @ref AND resolved_at IS NULL)", new { @ref = message.ToString() }));
        await page.AssertAccessibleAsync();

        // The mail server is back: the dispatcher sends it.
        var sent = await new OutboxDispatcher(site.Db, new RefusingTransport(new HashSet<Guid>()), site.Clock, new SmtpOptions(), site.BaseUrl).DeliverDueAsync();
        Assert.True(sent.Sent >= 1);
        Assert.Equal("Sent", await site.QueryAsync<string>("SELECT status FROM outbox_message WHERE id = @message", new { message }));
        await page.GotoAsync("/admin/envois?statut=Sent");
        await Assertions.Expect(page.Locator($"#envoi-{message}")).ToContainTextAsync("Envoyé");

        // A message that is not in failure is not sent again: 409.
        var refused = await page.APIRequest.PostAsync($"/api/outbox/{message}/resend");
        Assert.Equal(409, refused.Status);
        Assert.Equal(404, (await page.APIRequest.PostAsync($"/api/outbox/{Guid.NewGuid()}/resend")).Status);
    }

    [Fact]
    public async Task A_migration_dry_run_shows_what_would_move_and_changes_nothing_then_the_migration_moves_them()
    {
        const string definition = "post-funding";
        var open = await site.QueryAsync<int>("SELECT count(*)::int FROM workflow_instance WHERE definition_id = @definition AND closed_at IS NULL", new { definition });
        var busiest = await site.QueryAsync<string>("""
            SELECT state FROM workflow_instance WHERE definition_id = @definition AND closed_at IS NULL GROUP BY state ORDER BY count(*) DESC, state LIMIT 1
            """, new { definition });
        Assert.True(open > 0);
        var page = await AdminAsync("/admin/migrations");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Définition").SelectOptionAsync(definition);
        await page.GetByLabel("Version actuelle").SelectOptionAsync("1");
        await page.GetByLabel("Version cible").SelectOptionAsync("1");
        await Button(page, "Choisir les états").ClickAsync();
        // Each state goes to the state of the same name by default.
        await Assertions.Expect(page.Locator($"#etat-{busiest}")).ToHaveValueAsync(busiest);

        // A state left without a target, with instances in it: the dry run says why nothing can move.
        await page.Locator($"#etat-{busiest}").SelectOptionAsync("");
        await Button(page, "Simuler").ClickAsync();
        await Assertions.Expect(page.Locator("#erreurs-formulaire")).ToContainTextAsync($"Aucune correspondance pour les états {busiest}");
        Assert.Equal(0, await page.Locator("#simulation").CountAsync());
        await page.AssertAccessibleAsync();

        await page.Locator($"#etat-{busiest}").SelectOptionAsync(busiest);
        await Button(page, "Simuler").ClickAsync();
        await Assertions.Expect(page.Locator("#simulation-resume")).ToHaveTextAsync($"{open} instances passeraient de {definition} v1 à v1.");
        var stateRow = page.Locator("#simulation-etats tbody tr").Filter(new() { HasTextString = busiest }).First;
        var inBusiest = await site.QueryAsync<int>("SELECT count(*)::int FROM workflow_instance WHERE definition_id = @definition AND closed_at IS NULL AND state = @busiest",
            new { definition, busiest });
        await Assertions.Expect(stateRow.Locator("td").Nth(2)).ToHaveTextAsync(inBusiest.ToString());
        Assert.Equal(0, await site.QueryAsync<int>("SELECT count(*)::int FROM workflow_journal WHERE trigger = 'MigrateVersion'"));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-migrations-simulation");

        await Button(page, $"Migrer {open} instances").ClickAsync();
        Assert.Contains("/admin/instances?definition=post-funding&version=1&ouvertes=oui", page.Url);
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync($"Migration faite : {open} instances sont passées de {definition} v1 à v1.");
        Assert.Equal(open, await site.QueryAsync<int>("""
            SELECT count(*)::int FROM workflow_journal j JOIN workflow_instance i ON i.id = j.instance_id
             WHERE j.trigger = 'MigrateVersion' AND i.definition_id = @definition AND j.actor = @actor
            """, new { definition, actor = $"admin:{site.Admin.Email}" }));
    }

    [Fact]
    public async Task A_disabled_account_can_no_longer_sign_in_and_its_open_session_ends()
    {
        var hr = new Person($"rh.{Guid.NewGuid():N}@careerpath.test", "Un-mot-de-passe-solide-1");
        var page = await AdminAsync("/admin/comptes/nouveau");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-compte-nouveau");

        // Refused first: an HR manager without structures, a short password; every error beside its field.
        await page.GetByLabel("Adresse e-mail").FillAsync(hr.Email);
        await page.GetByLabel("Nom affiché").FillAsync("Responsable RH de test");
        await page.GetByLabel("Rôle").SelectOptionAsync("hr");
        await page.GetByLabel("Mot de passe").FillAsync("court");
        await Button(page, "Créer le compte").ClickAsync();
        await Assertions.Expect(page.Locator("#erreurs-formulaire")).ToContainTextAsync("Un responsable RH a au moins une structure.");
        await Assertions.Expect(page.Locator("#champ-password-erreur")).ToHaveTextAsync("12 caractères au moins.");
        Assert.False(await site.QueryAsync<bool>("SELECT EXISTS (SELECT 1 FROM app_user WHERE email = @email)", new { email = hr.Email }));
        await page.AssertAccessibleAsync();

        await page.GetByLabel("Mot de passe").FillAsync(hr.Password);
        await page.Locator("#champ-structures").SelectOptionAsync(site.HrStructures.Select(s => s.ToString()).ToArray());
        await Button(page, "Créer le compte").ClickAsync();
        var id = Guid.Parse(Regex.Match(page.Url, "/admin/comptes/([0-9a-f-]{36})$").Groups[1].Value);
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("est créé");
        Assert.Equal(site.HrStructures.Count, await site.QueryAsync<int>("SELECT count(*)::int FROM app_user_structure WHERE user_id = @id", new { id }));

        // The new HR manager signs in and works.
        var other = await NewPageAsync(site);
        await other.SignInAsync(hr);
        Assert.EndsWith("/tableau-de-bord", other.Url);

        // The administrator disables the account: the open session ends, and signing in again is refused.
        await Button(page, "Désactiver le compte").ClickAsync();
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("Le compte est désactivé");
        await Assertions.Expect(page.Locator("#etat-compte")).ToHaveTextAsync("Désactivé");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-compte");
        await other.GotoAsync("/tableau-de-bord");
        Assert.Contains("/connexion", other.Url);
        await other.GetByLabel("Adresse électronique").FillAsync(hr.Email);
        await other.Locator("#password").FillAsync(hr.Password);
        await other.GetByRole(AriaRole.Button, new() { Name = "Se connecter", Exact = true }).ClickAsync();
        Assert.Contains("/connexion", other.Url);
        await Assertions.Expect(other.Locator(".fr-alert--error")).ToContainTextAsync("Identifiants invalides");

        // Enabled again, it signs in.
        await Button(page, "Réactiver le compte").ClickAsync();
        await Assertions.Expect(page.Locator("#etat-compte")).ToHaveTextAsync("Actif");
        await other.SignInAsync(hr);
        Assert.EndsWith("/tableau-de-bord", other.Url);

        // Its structures change (one of the two): its session ends, and it reads that structure only at its next sign-in.
        await page.Locator("#champ-structures").SelectOptionAsync(site.HrStructures[0].ToString());
        await Button(page, "Enregistrer les structures").ClickAsync();
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("Les structures du responsable RH sont enregistrées");
        Assert.Equal([site.HrStructures[0]], await site.QueryListAsync<Guid>("SELECT structure_id FROM app_user_structure WHERE user_id = @id", new { id }));
        await other.GotoAsync("/tableau-de-bord");
        Assert.Contains("/connexion", other.Url);
    }

    [Fact]
    public async Task A_reset_password_works_and_lifts_the_lockout_the_old_one_no_longer_does()
    {
        var auditor = new Person($"auditeur.{Guid.NewGuid():N}@careerpath.test", "Ancien-mot-de-passe-1");
        var page = await AdminAsync("/admin/comptes");
        var created = await page.APIRequest.PostAsync("/api/users", new()
        {
            DataObject = new { email = auditor.Email, displayName = "Auditeur de test", role = "auditor", password = auditor.Password },
        });
        Assert.Equal(201, created.Status);
        var id = await site.QueryAsync<Guid>("SELECT id FROM app_user WHERE email = @email", new { email = auditor.Email });

        // Five wrong passwords lock the account.
        var other = await NewPageAsync(site);
        for (var i = 0; i < 5; i++)
        {
            await other.GotoAsync("/connexion");
            await other.GetByLabel("Adresse électronique").FillAsync(auditor.Email);
            await other.Locator("#password").FillAsync("Pas-le-bon-mot-de-passe");
            await other.GetByRole(AriaRole.Button, new() { Name = "Se connecter", Exact = true }).ClickAsync();
        }
        Assert.True(await site.QueryAsync<bool>("SELECT locked_until > @now FROM app_user WHERE id = @id", new { id, now = site.Clock.GetUtcNow() }));

        await page.GotoAsync("/admin/comptes");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-comptes");
        await page.GotoAsync($"/admin/comptes/{id}");
        await Assertions.Expect(page.Locator("#etat-compte")).ToContainTextAsync("Verrouillé");

        // A password too short is refused beside its field; nothing changes.
        await page.GetByLabel("Nouveau mot de passe").FillAsync("court");
        await Button(page, "Enregistrer ce mot de passe").ClickAsync();
        await Assertions.Expect(page.Locator("#champ-password-erreur")).ToHaveTextAsync("12 caractères au moins.");
        await page.AssertAccessibleAsync();

        // The server draws one, shown once.
        await Button(page, "Tirer un mot de passe").ClickAsync();
        var generated = (await page.Locator("#mot-de-passe-genere").InnerTextAsync()).Trim();
        Assert.Matches("^[a-zA-Z0-9]{5}(-[a-zA-Z0-9]{5}){3}$", generated);
        await Assertions.Expect(page.Locator("#etat-compte")).ToContainTextAsync("Actif");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-compte-mot-de-passe");
        await page.GotoAsync($"/admin/comptes/{id}");
        Assert.Equal(0, await page.Locator("#mot-de-passe-genere").CountAsync());

        await other.SignInAsync(auditor with { Password = generated });

        // The administrator sets one: the session opened with the drawn one ends, the new one works, the old ones do not.
        var chosen = "Nouveau-mot-de-passe-choisi-2";
        await page.GetByLabel("Nouveau mot de passe").FillAsync(chosen);
        await Button(page, "Enregistrer ce mot de passe").ClickAsync();
        await Assertions.Expect(page.Locator(".fr-alert--success")).ToContainTextAsync("Le mot de passe est changé");
        await other.GotoAsync("/compte");
        Assert.Contains("/connexion", other.Url);
        foreach (var old in new[] { auditor.Password, generated })
        {
            await other.GotoAsync("/connexion");
            await other.GetByLabel("Adresse électronique").FillAsync(auditor.Email);
            await other.Locator("#password").FillAsync(old);
            await other.GetByRole(AriaRole.Button, new() { Name = "Se connecter", Exact = true }).ClickAsync();
            await Assertions.Expect(other.Locator(".fr-alert--error")).ToContainTextAsync("Identifiants invalides");
        }
        await other.SignInAsync(auditor with { Password = chosen });

        // The API twin: a drawn password in the answer, and 404 for no such account.
        var api = await page.APIRequest.PostAsync($"/api/users/{id}/password", new() { DataObject = new { } });
        Assert.Equal(200, api.Status);
        var body = System.Text.Json.JsonDocument.Parse(await api.TextAsync()).RootElement;
        Assert.True(body.GetProperty("generated").GetBoolean());
        Assert.Equal(23, body.GetProperty("password").GetString()!.Length);
        Assert.Equal(404, (await page.APIRequest.PostAsync($"/api/users/{Guid.NewGuid()}/password", new() { DataObject = new { password = chosen } })).Status);
    }

    [Fact]
    public async Task The_workflow_diagrams_are_drawn_by_mermaid_and_read_as_a_table_without_javascript()
    {
        var page = await AdminAsync("/admin");
        var violations = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") violations.Add(m.Text); };
        var response = await page.GotoAsync("/admin/workflows");
        // Inline styles on this page only (Mermaid's SVG); scripts stay the site's own.
        var csp = (await response!.AllHeadersAsync())["content-security-policy"];
        Assert.Contains("style-src 'self' 'unsafe-inline'", csp);
        Assert.Contains("script-src 'self';", csp);
        var diagrams = page.Locator("[data-mermaid][data-rendu='oui'] svg");
        await Assertions.Expect(diagrams).ToHaveCountAsync(2);
        Assert.True(await diagrams.First.Locator("g").CountAsync() > 10);
        await Assertions.Expect(diagrams.First).ToContainTextAsync("TrialPeriod");
        Assert.DoesNotContain(violations, v => v.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        await page.AssertAccessibleAsync();
        var shot = await page.ScreenshotAsync("admin-workflows");
        // Shrunk to the page's width first; at its natural size, wider than its box (which scrolls), at the press of a toggle.
        var box = page.Locator("[data-mermaid]").First;
        Assert.True(await diagrams.First.EvaluateAsync<double>("svg => svg.getBoundingClientRect().width") <= await box.EvaluateAsync<double>("box => box.clientWidth") + 1);
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Diagramme en taille réelle" }).First;
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(await diagrams.First.EvaluateAsync<double>("svg => svg.getBoundingClientRect().width") > await box.EvaluateAsync<double>("box => box.clientWidth"));
        await box.ScreenshotAsync(new() { Path = Path.Combine(Path.GetDirectoryName(shot)!, "admin-workflows-diagramme.png") });
        await page.AssertAccessibleAsync();
        // Another admin page keeps inline styles refused.
        var other = await page.GotoAsync("/admin");
        Assert.Contains("style-src 'self';", (await other!.AllHeadersAsync())["content-security-policy"]);

        var plain = await AdminAsync("/admin/workflows", javaScript: false);
        Assert.Equal(0, await plain.Locator("[data-mermaid] svg").CountAsync());
        var table = plain.Locator("#transitions-advisor-contract-v1");
        await Assertions.Expect(table.Locator("tbody tr").Filter(new() { HasTextString = "ContractStarted" }).First).ToContainTextAsync("Recruited");
        Assert.Contains("stateDiagram-v2", await plain.Locator("#source-advisor-contract-v1").TextContentAsync());
        Assert.Contains("Recruited --> Decision1 : ContractStarted", await plain.Locator("#source-advisor-contract-v1").TextContentAsync());
        // (axe-core runs as a script: it checked this page above, with the diagrams drawn.)
    }

    [Fact]
    public async Task Instances_filter_and_page_and_one_instance_shows_its_state_data_timers_and_journal()
    {
        // Every instance, 50 a page: the next page starts after the last of this one.
        Assert.True(await site.QueryAsync<int>("SELECT count(*)::int FROM workflow_instance") > InstancesPage, "the demo holds more than one page of instances");
        var page = await AdminAsync("/admin/instances");
        var rows = page.Locator("table tbody tr");
        Assert.Equal(InstancesPage, await rows.CountAsync());
        var firstPage = await rows.Locator("td:first-child a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        await page.GetByRole(AriaRole.Link, new() { Name = "Page suivante" }).ClickAsync();
        await page.WaitForLoadStateAsync();
        Assert.Contains("pages=", page.Url);
        var secondPage = await rows.Locator("td:first-child a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(secondPage);
        Assert.Empty(firstPage.Intersect(secondPage));
        Assert.True(string.CompareOrdinal(firstPage[^1], secondPage[0]) < 0);
        await page.AssertAccessibleAsync();

        // The running advisor contracts only.
        await page.GotoAsync("/admin/instances");
        await page.GetByLabel("Définition").SelectOptionAsync("advisor-contract");
        await page.GetByLabel("En cours ou terminées").SelectOptionAsync("oui");
        await Button(page, "Filtrer").ClickAsync();
        await page.WaitForLoadStateAsync();
        Assert.Contains("definition=advisor-contract", page.Url);
        var running = await site.QueryAsync<int>("SELECT count(*)::int FROM workflow_instance WHERE definition_id = 'advisor-contract' AND closed_at IS NULL");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(running, InstancesPage));
        foreach (var text in await rows.Locator("td:nth-child(2)").AllInnerTextsAsync()) Assert.Equal("advisor-contract v1", text);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-instances");

        // An advisor's instances: filtered by the advisor's id.
        var (instanceId, advisorId) = await site.QueryAsync<(Guid, Guid)>("""
            SELECT i.id, c.advisor_id FROM workflow_instance i JOIN contract c ON c.id = i.subject_id
             WHERE EXISTS (SELECT 1 FROM workflow_timer t WHERE t.instance_id = i.id AND t.fired_at IS NULL)
               AND EXISTS (SELECT 1 FROM workflow_timer t WHERE t.instance_id = i.id AND t.fired_at IS NOT NULL)
             ORDER BY i.id LIMIT 1
            """);
        await page.GotoAsync($"/admin/instances?conseiller={advisorId}");
        await page.Locator($"a[href='/admin/instances/{instanceId}']").ClickAsync();
        await page.WaitForLoadStateAsync();

        Assert.EndsWith($"/admin/instances/{instanceId}", page.Url);
        var state = await site.QueryAsync<string>("SELECT state FROM workflow_instance WHERE id = @instanceId", new { instanceId });
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(state);
        Assert.Contains("\"structureName\"", await page.Locator("#donnees").InnerTextAsync());
        var why = page.Locator("div[id^='echeance-'] details").First;
        await why.Locator("summary").ClickAsync();
        await Assertions.Expect(why).ToContainTextAsync("Source :");
        Assert.True(await page.Locator("main").GetByText("Minuterie « ").CountAsync() > 1);
        var journal = await site.QueryAsync<int>("SELECT count(*)::int FROM workflow_journal WHERE instance_id = @instanceId", new { instanceId });
        await Assertions.Expect(page.Locator("#journal ~ div.fr-table tbody tr")).ToHaveCountAsync(Math.Min(journal, 50));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-instance");
        // The same access-log lines as the API's two reads, naming the advisor.
        Assert.Equal(2, await site.QueryAsync<int>("""
            SELECT count(*)::int FROM access_log WHERE subject_id = @instanceId AND action IN ('instances.read', 'instances.journal') AND @advisorId = ANY(subject_ids)
            """, new { instanceId, advisorId }));
    }

    [Fact]
    public async Task The_access_log_answers_who_read_this_advisor_and_downloads_as_csv()
    {
        var advisorId = site.Advisor.AdvisorId!.Value;
        // The HR manager reads the advisor's page: a line of the log.
        var hr = await NewPageAsync(site);
        Assert.Equal(200, (await hr.SignInToAsync(site.Hr, $"/conseillers/{advisorId}")).Status);

        var page = await AdminAsync("/admin/journal-des-acces");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Identifiant de la fiche du conseiller").FillAsync(advisorId.ToString());
        // The lines there are before the search: the search's own line (a read of the log is logged) comes after its answer.
        var lines = await site.QueryAsync<int>("SELECT count(*)::int FROM access_log WHERE subject_id = @advisorId OR @advisorId = ANY(subject_ids)", new { advisorId });
        await Button(page, "Rechercher").ClickAsync();
        Assert.Contains($"conseiller={advisorId}", page.Url);
        var rows = page.Locator("#acces tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasTextString = site.Hr.Email }).First).ToContainTextAsync("Responsable RH");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(lines, 100));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("admin-journal-des-acces");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Télécharger toutes les lignes de la période (CSV)" }).ClickAsync());
        Assert.Equal("journal-des-acces.csv", download.SuggestedFilename);
        var file = Path.Combine(Path.GetTempPath(), $"journal-{Guid.NewGuid():N}.csv");
        await download.SaveAsAsync(file);
        var csv = (await File.ReadAllLinesAsync(file, Encoding.UTF8)).Where(l => l.Length > 0).ToList();
        File.Delete(file);
        Assert.Equal("seq,at,userId,userRole,action,subjectKind,subjectId,records,subjectIds", csv[0]);
        // Every line of the log naming the advisor, the search's and the download's own included (logged before the file is written).
        var linesNow = await site.QueryAsync<int>("SELECT count(*)::int FROM access_log WHERE subject_id = @advisorId OR @advisorId = ANY(subject_ids)", new { advisorId });
        Assert.Equal(linesNow, csv.Count - 1);
        Assert.Contains(csv, l => l.Contains(",access-log.list,", StringComparison.Ordinal));
        Assert.Contains(csv, l => l.Contains(",access-log.export,", StringComparison.Ordinal));
        Assert.All(csv.Skip(1), l => Assert.Contains(advisorId.ToString(), l));

        // A period that ends before it starts: the errors beside the fields, 400.
        var bad = await page.GotoAsync("/admin/journal-des-acces?du=2026-11-30&au=2026-11-01");
        Assert.Equal(400, bad!.Status);
        await Assertions.Expect(page.Locator("#champ-au-erreur")).ToHaveTextAsync("La fin de la période précède son début.");
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task Every_admin_page_is_accessible_and_the_home_links_them_all()
    {
        var page = await AdminAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true }).ClickAsync();
        Assert.EndsWith("/admin", page.Url);
        var links = await page.Locator("main a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        foreach (var href in new[] { "/admin/workflows", "/admin/instances", "/admin/incidents", "/admin/envois", "/admin/comptes", "/admin/journal-des-acces",
                     "/admin/migrations", "/resultats", "/journal-des-decisions", "/programme", "/hangfire" })
            Assert.Contains(href, links);
        Assert.Equal("_blank", await page.Locator("a[href='/hangfire']").GetAttributeAsync("target"));
        await page.ScreenshotAsync("admin-accueil");
        var screenshots = new Dictionary<string, string>
        {
            ["/admin/incidents"] = "admin-incidents-liste", ["/admin/envois"] = "admin-envois-liste", ["/admin/migrations"] = "admin-migrations",
        };
        foreach (var path in AdminPages)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 200, $"{path}: {response.Status}");
            await page.AssertAccessibleAsync();
            if (screenshots.TryGetValue(path, out var name)) await page.ScreenshotAsync(name);
        }
    }

    [Fact]
    public async Task An_hr_manager_gets_the_403_page_on_every_admin_page()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr);
        var accountId = await site.QueryAsync<Guid>("SELECT id FROM app_user WHERE email = @email", new { email = site.Admin.Email });
        var instanceId = await site.QueryAsync<Guid>("SELECT id FROM workflow_instance ORDER BY id LIMIT 1");
        foreach (var path in AdminPages.Concat([$"/admin/comptes/{accountId}", $"/admin/instances/{instanceId}", "/admin/journal-des-acces?handler=csv"]))
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 403, $"{path}: {response.Status}");
            Assert.Equal("Accès refusé", await page.Locator("h1").InnerTextAsync());
        }
        await page.AssertAccessibleAsync();
        // Nor may it post to them.
        var post = await page.APIRequest.PostAsync("/admin/incidents?handler=Retry&id=" + Guid.NewGuid());
        Assert.True(post.Status is 400 or 403, $"{post.Status}");
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true }).CountAsync());
    }
}

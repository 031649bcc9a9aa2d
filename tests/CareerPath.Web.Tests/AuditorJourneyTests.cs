using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>
/// The union auditor's journey: the outcomes page, switched by cohort and structure kind, its CSV file, the decision
/// log with its verification; and never a name, an e-mail or a structure name in anything the auditor receives.
/// </summary>
[Collection("site")]
public sealed class AuditorJourneyTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    const string Hidden = "< 5";

    /// <summary>One contract as the outcomes are counted: its advisor, its structure kind and type, its start.</summary>
    sealed record ContractRow
    {
        public Guid AdvisorId { get; init; }
        public string Kind { get; init; } = "";
        public string Type { get; init; } = "";
        public DateTime Start { get; init; }
    }

    /// <summary>Each contract with its advisor's cohort (the quarter of their first contract), computed here from the rows.</summary>
    async Task<IReadOnlyList<(ContractRow Row, string Cohort)>> ContractsAsync()
    {
        var rows = await site.QueryListAsync<ContractRow>("""
            SELECT c.advisor_id AS AdvisorId, s.kind AS Kind, c.contract_type AS Type, c.start_date AS Start
              FROM contract c JOIN funded_post p ON p.id = c.post_id JOIN structure s ON s.id = p.structure_id
            """);
        var first = rows.GroupBy(r => r.AdvisorId).ToDictionary(g => g.Key, g => g.Min(r => r.Start));
        return rows.Select(r => (r, $"{first[r.AdvisorId].Year}-T{(first[r.AdvisorId].Month - 1) / 3 + 1}")).ToList();
    }

    static int Advisors(IEnumerable<(ContractRow Row, string Cohort)> rows, string? cohort = null, string? kind = null, string? type = null) =>
        rows.Where(r => (cohort is null || r.Cohort == cohort) && (kind is null || r.Row.Kind == kind) && (type is null || r.Row.Type == type))
            .Select(r => r.Row.AdvisorId).Distinct().Count();

    /// <summary>What the auditor must never receive: the demo's advisors' names and e-mails, structure names, HR contacts.</summary>
    async Task<IReadOnlyList<string>> PersonalTextsAsync()
    {
        var texts = await site.QueryListAsync<string>("""
            SELECT full_name FROM advisor UNION SELECT work_email FROM advisor UNION SELECT name FROM structure
            UNION SELECT full_name FROM hr_contact UNION SELECT email FROM hr_contact
            """);
        Assert.True(texts.Count > 60, $"{texts.Count} names and e-mails");
        return texts;
    }

    /// <summary>
    /// Every answer the page receives (documents and fetches). Their bodies are read by <see cref="ReadAsync"/> after each
    /// page has loaded, out of the event (reading a body from inside the browser's event can stall); one the browser no
    /// longer holds is asked again with the same cookies.
    /// </summary>
    sealed class Bodies
    {
        readonly IPage _page;
        readonly List<IResponse> _pending = [];
        readonly List<(string Url, byte[] Body)> _read = [];

        public Bodies(IPage page)
        {
            _page = page;
            page.Response += (_, response) =>
            {
                // A redirect has no body; a download is checked from its file.
                if (response.Status is >= 300 and < 400 || response.Request.ResourceType is not ("document" or "fetch" or "xhr")
                    || (response.Headers.TryGetValue("content-disposition", out var disposition) && disposition.Contains("attachment"))) return;
                lock (_pending) _pending.Add(response);
            };
        }

        public void Add(string url, byte[] body) => _read.Add((url, body));

        /// <summary>Reads the bodies of the answers received since the last call.</summary>
        public async Task ReadAsync()
        {
            List<IResponse> pending;
            lock (_pending)
            {
                pending = [.. _pending];
                _pending.Clear();
            }
            foreach (var response in pending)
            {
                byte[] body;
                try
                {
                    body = await response.BodyAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is TimeoutException or PlaywrightException)
                {
                    body = await (await _page.APIRequest.GetAsync(response.Url)).BodyAsync();
                }
                _read.Add((response.Url, body));
            }
        }

        /// <summary>No body holds a name or an e-mail, as sent or once its HTML entities are decoded.</summary>
        public async Task AssertNoneContainsAsync(IReadOnlyList<string> texts, params string[] mustHaveSeen)
        {
            await ReadAsync();
            foreach (var (url, body) in _read)
            {
                var raw = Encoding.UTF8.GetString(body);
                var decoded = WebUtility.HtmlDecode(raw);
                foreach (var text in texts)
                    Assert.False(raw.Contains(text, StringComparison.OrdinalIgnoreCase) || decoded.Contains(text, StringComparison.OrdinalIgnoreCase),
                        $"{url} contains « {text} »");
            }
            foreach (var path in mustHaveSeen)
                Assert.Contains(_read, r => (Uri.TryCreate(r.Url, UriKind.Absolute, out var u) ? u.PathAndQuery : r.Url).StartsWith(path, StringComparison.Ordinal));
        }
    }

    static async Task<string> Effectif(IPage page) => (await page.Locator("#effectif strong").InnerTextAsync()).Replace('\u202f', ' ').Replace('\u00a0', ' ');

    /// <summary>The page's detailed tables as (group, measure) → text, read from the markup (the tables sit in closed details).</summary>
    static async Task<Dictionary<(string Group, string Measure), string>> TablesAsync(IPage page)
    {
        var cells = await page.EvaluateAsync<string[][]>("""
            () => [...document.querySelectorAll("[id$='-tableau'] table")].flatMap(table => {
                const groups = [...table.querySelectorAll("thead th")].slice(1).map(th => th.textContent.trim());
                return [...table.querySelectorAll("tbody tr")].flatMap(tr => {
                    const measure = tr.querySelector("th").textContent.trim();
                    return [...tr.querySelectorAll("td")].map((td, i) => [groups[i], measure, td.textContent.trim()]);
                });
            })
            """);
        var table = new Dictionary<(string, string), string>();
        foreach (var c in cells)
        {
            var key = (c[0], c[1]);
            var value = c[2].Replace('\u202f', ' ').Replace('\u00a0', ' ');
            // The selection's column is in every table: the same figures each time.
            if (table.TryGetValue(key, out var before)) Assert.Equal(before, value);
            table[key] = value;
        }
        return table;
    }

    /// <summary>The advisors row of every table: a number shown is the count from the rows; a count of 1 to 4 is never shown.</summary>
    /// <summary>
    /// A headcount of 1 to 4 is hidden; a larger one is its exact number, or hidden too when the suppression needs it
    /// to protect another cell (a complement, or a cell the published bounds would pin: ReportSuppressionTests proves those).
    /// </summary>
    static void AssertHeadcount(int count, string text)
    {
        if (count is > 0 and < 5) Assert.Equal($"{Hidden} conseillers", text);
        else if (text != $"{Hidden} conseillers") Assert.Equal($"{count} conseillers", text);
    }

    static async Task AssertAdvisorCountsAsync(IPage page, Func<string, int> expected)
    {
        var table = await TablesAsync(page);
        var checkedCells = 0;
        foreach (var ((group, measure), text) in table.Where(t => t.Key.Measure == "Conseillers"))
        {
            var count = expected(group);
            if (count is > 0 and < 5) Assert.Equal(Hidden, text);
            else if (text != Hidden) Assert.Equal(count.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("fr-FR")).Replace('\u202f', ' ').Replace('\u00a0', ' '), text);
            checkedCells++;
        }
        Assert.True(checkedCells > 1);
    }

    [Fact]
    public async Task The_auditor_switches_cohort_and_structure_kind_downloads_the_figures_and_sees_the_verified_decision_log_never_a_name()
    {
        var texts = await PersonalTextsAsync();
        var contracts = await ContractsAsync();
        var page = await NewPageAsync(site);
        var bodies = new Bodies(page);
        await page.SignInAsync(site.Auditor);
        await bodies.ReadAsync();

        // 1. The auditor lands on the outcomes page: every advisor of the program, counted.
        Assert.EndsWith("/resultats", page.Url);
        Assert.Equal("Résultats du programme", await page.Locator("h1").InnerTextAsync());
        var all = Advisors(contracts);
        Assert.True(all >= 5);
        Assert.Equal($"{all} conseillers", await Effectif(page));
        Assert.Contains("« < 5 » signifie que le chiffre est masqué", await page.Locator(".fr-callout").InnerTextAsync());
        // Every chart has its data table.
        Assert.Equal(await page.Locator("figure svg.cp-chart").CountAsync(), await page.Locator("figure table").CountAsync());
        Assert.True(await page.Locator("figure svg.cp-chart").CountAsync() >= 9);
        await AssertAdvisorCountsAsync(page, group => group == "Ensemble de la sélection" ? all
            : contracts.Any(c => c.Cohort == group) ? Advisors(contracts, cohort: group)
            : Advisors(contracts, kind: KindOf(group), type: TypeOf(group)));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("resultats");
        // The tables and definitions behind their summaries pass too, once open.
        foreach (var summary in await page.Locator("main details > summary").AllAsync()) await summary.ClickAsync();
        Assert.Equal(await page.Locator("main details").CountAsync(), await page.Locator("main details[open]").CountAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("resultats-tableaux");

        // 2. The largest cohort: the figures become the cohort's.
        var cohort = contracts.Select(c => c.Cohort).Distinct().OrderByDescending(c => Advisors(contracts, cohort: c)).ThenBy(c => c, StringComparer.Ordinal).First();
        var inCohort = Advisors(contracts, cohort: cohort);
        Assert.True(inCohort >= 5 && inCohort < all, $"{cohort}: {inCohort} advisors");
        await page.Locator("#cohorte").SelectOptionAsync(cohort);
        await page.GetByRole(AriaRole.Button, new() { Name = "Afficher", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex($@"/resultats\?cohorte={cohort}&structure=$"));
        await bodies.ReadAsync();
        AssertHeadcount(inCohort, await Effectif(page));
        Assert.Equal(cohort, await page.Locator("#cohorte").InputValueAsync());
        // No cohort breakdown inside one cohort; the structure kinds are the cohort's.
        Assert.Equal(0, await page.Locator("#par-cohorte-tableau").CountAsync());
        await AssertAdvisorCountsAsync(page, group => group == "Ensemble de la sélection" ? inCohort
            : Advisors(contracts, cohort: cohort, kind: KindOf(group), type: TypeOf(group)));
        await page.AssertAccessibleAsync();

        // 3. Then the busiest structure kind within it: a handful of people, hidden; then the kind over every cohort.
        var kind = contracts.Select(c => c.Row.Kind).Distinct().OrderByDescending(k => Advisors(contracts, kind: k)).ThenBy(k => k, StringComparer.Ordinal).First();
        await page.Locator("#structure").SelectOptionAsync(kind);
        await page.GetByRole(AriaRole.Button, new() { Name = "Afficher", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex($@"/resultats\?cohorte={cohort}&structure={kind}$"));
        await bodies.ReadAsync();
        var both = Advisors(contracts, cohort: cohort, kind: kind);
        AssertHeadcount(both, await Effectif(page));
        await page.AssertAccessibleAsync();

        await page.Locator("#cohorte").SelectOptionAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Afficher", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex($@"/resultats\?cohorte=&structure={kind}$"));
        await bodies.ReadAsync();
        var ofKind = Advisors(contracts, kind: kind);
        Assert.True(ofKind >= 5 && ofKind != all);
        AssertHeadcount(ofKind, await Effectif(page));
        Assert.Equal(0, await page.Locator("#par-type-de-structure-tableau").CountAsync());
        await AssertAdvisorCountsAsync(page, group => group == "Ensemble de la sélection" ? ofKind
            : contracts.Any(c => c.Cohort == group) ? Advisors(contracts, cohort: group, kind: kind)
            : Advisors(contracts, kind: kind, type: TypeOf(group)));
        await page.AssertAccessibleAsync();

        // 4. The CSV file of this selection: the page's figures, every one of them, and nothing else.
        var shown = await TablesAsync(page);
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("a.fr-link--download[href*='handler=csv']").ClickAsync());
        Assert.Matches(@"^resultats-toutes-cohortes-[a-z]+-\d{4}-\d{2}-\d{2}\.csv$", download.SuggestedFilename);
        var file = await File.ReadAllBytesAsync((await download.PathAsync())!);
        bodies.Add(download.Url, file);
        Assert.Equal(Encoding.UTF8.GetPreamble(), file[..3]);
        var lines = Encoding.UTF8.GetString(file[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(';')).ToList();
        Assert.Equal(new[] { "Cohorte", "Type de structure", "Regroupement", "Groupe", "Mesure", "Conseillers" }, lines[0]);
        var rows = lines.Skip(1).ToList();
        Assert.All(rows, r => Assert.Equal(6, r.Length));
        Assert.All(rows, r => Assert.Equal("Toutes les cohortes", r[0]));
        Assert.All(rows, r => Assert.Equal(kind, KindOf(r[1]) ?? r[1]));
        var inFile = rows.ToDictionary(r => (r[3], r[4]), r => r[5].Replace('\u202f', ' ').Replace('\u00a0', ' '));
        Assert.Equal(shown.Count, inFile.Count);
        foreach (var (key, value) in shown) Assert.Equal(value, inFile[key]);
        Assert.Contains(inFile.Values, v => v == Hidden);
        // Every shown figure is 0 or a count of at least 5 (on the demo's 30 advisors, the bounds check may hide them all here).
        Assert.All(inFile.Values.Where(v => v != Hidden), v => Assert.True(int.TryParse(v.Replace(" ", ""), out var n) && n is 0 or >= 5, v));
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM access_log WHERE action = 'reports.outcomes.page-export' AND user_role = 'auditor')
               AND EXISTS (SELECT 1 FROM access_log WHERE action = 'reports.outcomes.page' AND user_role = 'auditor')
            """));

        // 5. The decision log: the verification first, then the decisions under pseudonyms, by month.
        await page.GetByRole(AriaRole.Link, new() { Name = "Journal des décisions", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/journal-des-decisions");
        await bodies.ReadAsync();
        var decisions = await site.QueryAsync<int>("SELECT count(*)::int FROM decision_audit");
        Assert.True(decisions > 5, $"{decisions} decisions");
        var alert = page.Locator("#verification");
        Assert.Contains("fr-alert--success", await alert.GetAttributeAsync("class"));
        Assert.Equal($"La chaîne est intacte : {decisions} décisions vérifiées", await alert.Locator("h2").InnerTextAsync());
        var entries = page.Locator("#journal tbody tr");
        Assert.Equal(Math.Min(decisions, 50), await entries.CountAsync());
        Assert.Matches(@"^A-[A-Z2-9]{10}$", await entries.First.Locator("td").Nth(2).InnerTextAsync());
        Assert.Matches(@"^C-[A-Z2-9]{10}$", await entries.First.Locator("td").Nth(3).InnerTextAsync());
        Assert.Matches(@"^[a-zéû]+\.? \d{4}$", await entries.First.Locator("td").Nth(4).InnerTextAsync());
        var ids = await site.QueryListAsync<string>("SELECT details::jsonb->>'advisorId' FROM decision_audit UNION SELECT details::jsonb->>'structureId' FROM decision_audit");
        var html = await page.ContentAsync();
        Assert.All(ids.Where(id => id is not null), id => Assert.DoesNotContain(id, html));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("journal-des-decisions");

        // A page of five, then the next: every entry once, in chain order.
        await page.GotoAsync("/journal-des-decisions?par-page=5");
        await bodies.ReadAsync();
        Assert.Equal(5, await entries.CountAsync());
        var firstPage = await entries.Locator("td:first-child").AllInnerTextsAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Page suivante" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("[?&]pages="));
        await bodies.ReadAsync();
        var secondPage = await entries.Locator("td:first-child").AllInnerTextsAsync();
        Assert.Equal(Enumerable.Range(1, Math.Min(decisions, 10)).Select(n => n.ToString()), firstPage.Concat(secondPage));
        await page.AssertAccessibleAsync();

        // The whole log as a file, with the stored hashes (the chain as it is).
        var csv = await page.APIRequest.GetAsync("/journal-des-decisions?handler=csv");
        Assert.Equal(200, csv.Status);
        var csvBody = await csv.BodyAsync();
        bodies.Add("/journal-des-decisions?handler=csv", csvBody);
        var logLines = Encoding.UTF8.GetString(csvBody[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(decisions + 1, logLines.Length);
        Assert.Equal(await site.QueryListAsync<string>("SELECT hash FROM decision_audit ORDER BY seq"), logLines.Skip(1).Select(l => l.Split(';')[^1]));
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM access_log WHERE action = 'audit.decisions.download' AND user_role = 'auditor' AND records = @decisions)
            """, new { decisions }));

        // A tampered entry: the page says where the chain breaks (the entry is put back as it was).
        var (seq, details) = await site.QueryAsync<(long, string)>("SELECT seq, details FROM decision_audit ORDER BY seq OFFSET 2 LIMIT 1");
        try
        {
            await site.QueryAsync<int>("""
                UPDATE decision_audit SET details = CASE WHEN details LIKE '%"late":false%' THEN replace(details, '"late":false', '"late":true')
                                                         ELSE replace(details, '"late":true', '"late":false') END
                 WHERE seq = @seq RETURNING 1
                """, new { seq });
            await page.GotoAsync("/journal-des-decisions");
            await bodies.ReadAsync();
            Assert.Contains("fr-alert--error", await alert.GetAttributeAsync("class"));
            Assert.Equal($"La chaîne est rompue à l'entrée n° {seq}", await alert.Locator("h2").InnerTextAsync());
            Assert.Contains($"Le contenu de l'entrée {seq} a été modifié.", await alert.InnerTextAsync());
            await page.AssertAccessibleAsync();
        }
        finally
        {
            await site.QueryAsync<int>("UPDATE decision_audit SET details = @details WHERE seq = @seq RETURNING 1", new { seq, details });
        }
        await page.GotoAsync("/journal-des-decisions");
        await bodies.ReadAsync();
        Assert.Contains("fr-alert--success", await alert.GetAttributeAsync("class"));

        // 6. Nothing the auditor received names anyone.
        await bodies.AssertNoneContainsAsync(texts, "/resultats", "/resultats?cohorte=", "/journal-des-decisions", "/journal-des-decisions?par-page=5");
    }

    [Fact]
    public async Task The_outcomes_page_and_the_decision_log_work_without_javascript_and_are_the_auditors_and_administrators_only()
    {
        var texts = await PersonalTextsAsync();
        var contracts = await ContractsAsync();
        var page = await NewPageAsync(site, javaScript: false);
        var bodies = new Bodies(page);
        await page.SignInAsync(site.Auditor);
        await bodies.ReadAsync();
        Assert.EndsWith("/resultats", page.Url);

        var kind = contracts.Select(c => c.Row.Kind).Distinct().OrderByDescending(k => Advisors(contracts, kind: k)).ThenBy(k => k, StringComparer.Ordinal).First();
        await page.Locator("#structure").SelectOptionAsync(kind);
        await page.GetByRole(AriaRole.Button, new() { Name = "Afficher", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex($@"/resultats\?cohorte=&structure={kind}$"));
        await bodies.ReadAsync();
        AssertHeadcount(Advisors(contracts, kind: kind), await Effectif(page));
        // The definitions open without script.
        var definitions = page.Locator("#definitions ~ details");
        await definitions.Locator("summary").ClickAsync();
        Assert.NotNull(await definitions.GetAttributeAsync("open"));
        Assert.Contains("Certifié", await definitions.InnerTextAsync());
        // (axe-core runs as a script: it checks these same pages in the test above.)

        await page.GotoAsync("/journal-des-decisions");
        await bodies.ReadAsync();
        Assert.StartsWith("La chaîne est intacte", await page.Locator("#verification h2").InnerTextAsync());
        // A page size out of range, or a cohort that is not one, is a bad request.
        foreach (var bad in new[] { "/journal-des-decisions?par-page=5000", "/resultats?cohorte=2024-Q1", "/resultats?structure=Mairie" })
        {
            Assert.Equal(400, (await page.GotoAsync(bad))!.Status);
            await bodies.ReadAsync();
        }
        await bodies.AssertNoneContainsAsync(texts, "/resultats", "/journal-des-decisions");

        // An HR manager has neither page; an administrator has both, with the ids.
        var hr = await NewPageAsync(site, javaScript: false);
        Assert.Equal(403, (await hr.SignInToAsync(site.Hr, "/resultats")).Status);
        Assert.Equal(403, (await hr.GotoAsync("/journal-des-decisions"))!.Status);
        Assert.Equal(403, (await hr.APIRequest.GetAsync("/resultats?handler=csv")).Status);
        var admin = await NewPageAsync(site, javaScript: false);
        Assert.Equal(200, (await admin.SignInToAsync(site.Admin, "/journal-des-decisions")).Status);
        var advisor = await site.QueryAsync<string>("SELECT details::jsonb->>'advisorId' FROM decision_audit ORDER BY seq LIMIT 1");
        Assert.Contains(advisor, await admin.Locator("#journal tbody tr").First.InnerTextAsync());
        Assert.Equal(200, (await admin.GotoAsync("/resultats"))!.Status);
    }

    /// <summary>A structure kind from its label on the page (null when the label is not one).</summary>
    static string? KindOf(string label) => label switch
    {
        "Communes" => "Commune",
        "Intercommunalités" => "Epci",
        "Départements" => "Departement",
        "Associations" => "Association",
        "Autres structures de l'ESS" => "OtherSocialEconomy",
        _ => null,
    };

    static string? TypeOf(string label) => label switch
    {
        "CDD" => "Cdd",
        "CDI" => "Cdi",
        "Parcours emploi compétences" => "Pec",
        "Contrat de projet" => "ContratDeProjet",
        _ => null,
    };
}

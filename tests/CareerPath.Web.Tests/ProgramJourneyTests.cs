using System.Globalization;
using System.Text;
using CareerPath.Domain.Model;
using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>
/// The program coordinator's journey: the national counts and the monthly funding ends, a region, the
/// open-data file — every figure checked against the database, and no advisor named anywhere.
/// </summary>
[Collection("site")]
public sealed class ProgramJourneyTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    sealed record StructureFacts
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string? Siret { get; init; }
        public string? Departement { get; init; }
        public int Funded { get; init; }
        public int Occupied { get; init; }
        public int Vacant { get; init; }
        public int Due { get; init; }
        public int Overdue { get; init; }
        public string? Region => Territory.FindDepartement(Departement)?.Region.Code;
    }

    /// <summary>
    /// Each structure's posts and decisions, straight from the tables: funded = the post's latest funding workflow
    /// in a state where the State's grant is attributed and not over, occupied = among them those holding a
    /// contract, vacant = Vacant or Recruiting (the dashboard's vacancies); decisions = open decision tasks.
    /// </summary>
    Task<IReadOnlyList<StructureFacts>> StructuresAsync() => site.QueryListAsync<StructureFacts>("""
        WITH latest AS (
            SELECT DISTINCT ON (subject_id) subject_id, state, data FROM workflow_instance
             WHERE definition_id = 'post-funding' ORDER BY subject_id, created_at DESC
        ),
        decisions AS (
            SELECT p.structure_id, count(*)::int AS due, count(*) FILTER (WHERE h.due_on < @today)::int AS overdue
              FROM human_task h JOIN workflow_instance i ON i.id = h.instance_id AND i.definition_id = 'advisor-contract'
              JOIN contract c ON c.id = i.subject_id JOIN funded_post p ON p.id = c.post_id
             WHERE h.kind = 'decision' AND h.status = 'Open'
             GROUP BY p.structure_id
        )
        SELECT s.id AS Id, s.name AS Name, s.siret AS Siret, s.departement AS Departement,
               count(l.*) FILTER (WHERE l.state IN ('Granted', 'Recruiting', 'Occupied', 'Vacant', 'Renewed', 'FundingEnding'))::int AS Funded,
               count(l.*) FILTER (WHERE l.state IN ('Granted', 'Recruiting', 'Occupied', 'Vacant', 'Renewed', 'FundingEnding')
                                    AND l.data->>'currentContractId' IS NOT NULL)::int AS Occupied,
               count(l.*) FILTER (WHERE l.state IN ('Vacant', 'Recruiting'))::int AS Vacant,
               coalesce(min(d.due), 0) AS Due, coalesce(min(d.overdue), 0) AS Overdue
          FROM structure s
          LEFT JOIN funded_post p ON p.structure_id = s.id
          LEFT JOIN latest l ON l.subject_id = p.id
          LEFT JOIN decisions d ON d.structure_id = s.id
         GROUP BY s.id
        """, new { today = site.Today.ToDateTime(TimeOnly.MinValue) });

    /// <summary>Pending funding ends from today to the end of the 12th month: (structure, « 2027-03 », posts).</summary>
    Task<IReadOnlyList<(Guid Structure, string Month, int Posts)>> FundingEndsAsync() => site.QueryListAsync<(Guid, string, int)>("""
        SELECT p.structure_id, to_char(t.due_on, 'YYYY-MM'), count(DISTINCT p.id)::int
          FROM workflow_timer t
          JOIN workflow_instance i ON i.id = t.instance_id AND i.definition_id = 'post-funding'
          JOIN funded_post p ON p.id = i.subject_id
         WHERE t.rule_id = 'funding.end' AND t.fired_at IS NULL AND t.due_on >= @today AND t.due_on < @after
         GROUP BY 1, 2
        """, new { today = site.Today.ToDateTime(TimeOnly.MinValue), after = Months()[^1].AddMonths(1).ToDateTime(TimeOnly.MinValue) });

    /// <summary>This month and the 11 after it.</summary>
    IReadOnlyList<DateOnly> Months() => Enumerable.Range(0, 12).Select(m => new DateOnly(site.Today.Year, site.Today.Month, 1).AddMonths(m)).ToList();

    /// <summary>Whatever identifies a person: advisors' names and e-mails, HR contacts' e-mails.</summary>
    Task<IReadOnlyList<string>> PersonalStringsAsync() => site.QueryListAsync<string>("""
        SELECT full_name FROM advisor UNION SELECT work_email FROM advisor UNION SELECT email FROM hr_contact
        """);

    static void AssertNobodyIn(string text, IReadOnlyList<string> personal, string where)
    {
        foreach (var p in personal) Assert.False(text.Contains(p, StringComparison.OrdinalIgnoreCase), $"{where} contains « {p} »");
    }

    static int Number(string text) => int.Parse(new string(text.Where(char.IsAsciiDigit).ToArray()), CultureInfo.InvariantCulture);

    /// <summary>A people count as shown: the number, or hidden (« &lt; 5 »), which it must be when 1 to 4.</summary>
    static void AssertPeople(int expected, string shown, string what)
    {
        if (expected is > 0 and < 5) Assert.True(shown.Trim() == "< 5", $"{what}: {expected} people must be hidden, the page shows {shown}");
        // A larger count may be hidden too (beside another hidden cell): shown, it is the count.
        else if (shown.Trim() != "< 5") Assert.Equal(expected, Number(shown));
    }

    static async Task<string> FigureAsync(IPage page, string id) => (await page.Locator($"#chiffre-{id}").InnerTextAsync()).Trim();

    [Fact]
    public async Task The_coordinator_sees_the_national_counts_and_the_monthly_funding_ends_filters_a_region_and_downloads_the_open_data()
    {
        var structures = await StructuresAsync();
        var ends = await FundingEndsAsync();
        var personal = await PersonalStringsAsync();
        var months = Months();
        Assert.NotEmpty(ends);
        Assert.All(structures, s => Assert.NotNull(s.Region));

        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Program);
        // The home page of a program coordinator is the national view.
        Assert.EndsWith("/programme", page.Url);
        Assert.Equal("Programme — vue nationale", await page.Locator("h1").InnerTextAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("programme");
        AssertNobodyIn(await page.ContentAsync(), personal, "/programme");

        // National counts, against the tables.
        Assert.Equal(structures.Sum(s => s.Funded), Number(await FigureAsync(page, "postes-finances")));
        Assert.Equal(structures.Sum(s => s.Occupied), Number(await FigureAsync(page, "postes-occupes")));
        Assert.Equal(structures.Sum(s => s.Vacant), Number(await FigureAsync(page, "postes-vacants")));
        Assert.True(structures.Sum(s => s.Vacant) > 0 && structures.Sum(s => s.Occupied) > 0);
        Assert.Equal(ends.Sum(e => e.Posts), Number(await FigureAsync(page, "fins-12-mois")));
        AssertPeople(structures.Sum(s => s.Due), await FigureAsync(page, "decisions-a-prendre"), "decisions due");
        AssertPeople(structures.Sum(s => s.Overdue), await FigureAsync(page, "decisions-en-retard"), "decisions overdue");

        // The monthly funding ends: a chart drawn by the server, with its table — twelve months in French, this one first.
        var chart = page.Locator("#fins-de-financement-graphique");
        await Assertions.Expect(chart.Locator("svg[role='img']")).ToHaveCountAsync(1);
        var rows = chart.Locator("table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(12);
        Assert.Equal("novembre 2026", (await rows.First.Locator("th").InnerTextAsync()).Trim());
        for (var m = 0; m < 12; m++)
        {
            var row = rows.Nth(m);
            Assert.Equal(months[m].ToString("MMMM yyyy", French), (await row.Locator("th").InnerTextAsync()).Trim());
            Assert.Equal(ends.Where(e => e.Month == months[m].ToString("yyyy-MM", CultureInfo.InvariantCulture)).Sum(e => e.Posts),
                Number(await row.Locator("td").InnerTextAsync()));
        }

        // The regions' table: each region of the program with its posts.
        var regions = structures.GroupBy(s => s.Region!).ToList();
        var regionRows = page.Locator("section[aria-labelledby='repartition'] table tbody tr");
        await Assertions.Expect(regionRows).ToHaveCountAsync(regions.Count);
        foreach (var r in regions)
        {
            var row = regionRows.Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = Territory.FindRegion(r.Key)!.Name, Exact = true }) });
            var cells = await row.Locator("td").AllInnerTextsAsync();
            Assert.Equal([r.Count(), r.Sum(s => s.Funded), r.Sum(s => s.Occupied), r.Sum(s => s.Vacant)], cells.Take(4).Select(Number));
        }

        // A region through the filter form (the one with most structures): its counts and its structures, named.
        var region = regions.OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
        var regionName = Territory.FindRegion(region.Key)!.Name;
        await page.Locator("#region").SelectOptionAsync(region.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Afficher", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**/programme?region={region.Key}*");
        Assert.Equal($"Programme — {regionName}", await page.Locator("h1").InnerTextAsync());
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("programme-region");
        AssertNobodyIn(await page.ContentAsync(), personal, $"/programme?region={region.Key}");
        Assert.Equal(region.Sum(s => s.Funded), Number(await FigureAsync(page, "postes-finances")));
        Assert.Equal(region.Sum(s => s.Occupied), Number(await FigureAsync(page, "postes-occupes")));
        Assert.Equal(region.Sum(s => s.Vacant), Number(await FigureAsync(page, "postes-vacants")));
        var regionEnds = ends.Where(e => region.Any(s => s.Id == e.Structure)).Sum(e => e.Posts);
        Assert.Equal(regionEnds, Number(await FigureAsync(page, "fins-12-mois")));
        var named = await page.Locator("section[aria-labelledby='structures'] table tbody th").AllInnerTextsAsync();
        Assert.Equal(region.Select(s => s.Name).Order(StringComparer.Ordinal), named.Select(n => n.Trim()).Order(StringComparer.Ordinal));
        // One level down: its départements.
        var departementRows = page.Locator("section[aria-labelledby='repartition'] table tbody tr");
        await Assertions.Expect(departementRows).ToHaveCountAsync(region.Select(s => s.Departement).Distinct().Count());

        // The open-data file of the whole country, from the national page.
        await page.GotoAsync("/programme");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#donnees-ouvertes ~ ul a.fr-link--download").ClickAsync());
        Assert.Equal($"programme-{site.Today:yyyy-MM-dd}.csv", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        AssertNobodyIn(text, personal, "the open-data file");
        var table = ParseCsv(text);
        var header = table[0];
        Assert.Equal(["date_donnees", "code_region", "nom_region", "code_departement", "nom_departement", "nom_structure", "siret",
            "postes_finances", "postes_occupes", "postes_vacants"], header.Take(10));
        Assert.Equal(months.Select(m => $"fins_financement_{m:yyyy}_{m:MM}"), header.Skip(10).Take(12));
        Assert.Equal(["decisions_a_prendre", "decisions_a_prendre_masque", "decisions_en_retard", "decisions_en_retard_masque"], header.Skip(22));
        var lines = table.Skip(1).ToList();
        Assert.Equal(structures.Count, lines.Count);
        foreach (var s in structures)
        {
            var line = Assert.Single(lines, l => l[5] == s.Name);
            var departement = Territory.FindDepartement(s.Departement)!;
            Assert.Equal([site.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), departement.Region.Code, departement.Region.Name, departement.Code,
                departement.Name, s.Name, s.Siret ?? ""], line.Take(7));
            Assert.Equal([s.Funded, s.Occupied, s.Vacant], line.Skip(7).Take(3).Select(Number));
            Assert.Equal(months.Select(m => ends.Where(e => e.Structure == s.Id && e.Month == m.ToString("yyyy-MM", CultureInfo.InvariantCulture)).Sum(e => e.Posts)),
                line.Skip(10).Take(12).Select(Number));
            foreach (var (value, flag, expected) in new[] { (line[22], line[23], s.Due), (line[24], line[25], s.Overdue) })
            {
                Assert.Contains(flag, new[] { "true", "false" });
                if (flag == "true") Assert.Equal("", value);
                else Assert.Equal(expected, Number(value));
                if (expected is > 0 and < 5) Assert.Equal("true", flag);
            }
        }
        // The demo's structures are small: some decisions are hidden.
        Assert.Contains(lines, l => l[23] == "true");

        // The region's file holds its structures only.
        var regional = await page.APIRequest.GetAsync($"/programme/donnees.csv?region={region.Key}");
        Assert.Equal(200, regional.Status);
        var regionalLines = ParseCsv(Encoding.UTF8.GetString((await regional.BodyAsync())[3..])).Skip(1).ToList();
        Assert.Equal(region.Select(s => s.Name).Order(StringComparer.Ordinal), regionalLines.Select(l => l[5]).Order(StringComparer.Ordinal));
        Assert.All(regionalLines, l => Assert.Equal(region.Key, l[1]));

        // Each read is in the access log, as counts: no advisor listed.
        Assert.True(await site.QueryAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM access_log WHERE action = 'program.export' AND user_role = 'program' AND subject_ids IS NULL)
               AND EXISTS (SELECT 1 FROM access_log WHERE action = 'program.page' AND user_role = 'program' AND subject_ids IS NULL)
            """));
    }

    [Fact]
    public async Task A_departement_view_and_a_made_up_filter_which_is_a_400_with_the_national_figures()
    {
        var structures = await StructuresAsync();
        var personal = await PersonalStringsAsync();
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Program);

        var one = structures.First(s => s.Departement is not null);
        var response = await page.GotoAsync($"/programme?departement={one.Departement}");
        Assert.Equal(200, response!.Status);
        var departement = Territory.FindDepartement(one.Departement)!;
        Assert.Equal($"Programme — {departement.Name} ({departement.Code})", await page.Locator("h1").InnerTextAsync());
        var here = structures.Where(s => s.Departement == one.Departement).ToList();
        Assert.Equal(here.Sum(s => s.Funded), Number(await FigureAsync(page, "postes-finances")));
        await Assertions.Expect(page.Locator("section[aria-labelledby='structures'] table tbody tr")).ToHaveCountAsync(here.Count);
        AssertNobodyIn(await page.ContentAsync(), personal, page.Url);
        await page.AssertAccessibleAsync();

        var refused = await page.GotoAsync("/programme?departement=20");
        Assert.Equal(400, refused!.Status);
        Assert.Contains("2A ou 2B", await page.Locator("#erreur-filtre").InnerTextAsync());
        Assert.Equal(structures.Sum(s => s.Funded), Number(await FigureAsync(page, "postes-finances")));
        await page.AssertAccessibleAsync();
        Assert.Equal(400, (await page.APIRequest.GetAsync("/programme/donnees.csv?region=99")).Status);
        // A département out of the region asked for is refused too.
        var other = Territory.Regions.First(r => r != departement.Region);
        Assert.Equal(400, (await page.GotoAsync($"/programme?region={other.Code}&departement={departement.Code}"))!.Status);
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task An_hr_manager_gets_the_refusal_page_and_not_the_file()
    {
        var page = await NewPageAsync(site);
        var denied = await page.SignInToAsync(site.Hr, "/programme");
        Assert.Equal(403, denied!.Status);
        Assert.Equal("Accès refusé", await page.Locator("h1").InnerTextAsync());
        await page.AssertAccessibleAsync();
        var file = await page.APIRequest.GetAsync("/programme/donnees.csv", new() { MaxRedirects = 0 });
        Assert.Equal(403, file.Status);
        Assert.DoesNotContain("postes_finances", Encoding.UTF8.GetString(await file.BodyAsync()));
    }

    /// <summary>RFC 4180: « , » between fields, quoted fields with doubled quotes, CRLF between records.</summary>
    static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add([.. fields]);
        }
        return records;
    }
}

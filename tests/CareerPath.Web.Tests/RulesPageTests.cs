using System.Globalization;
using CareerPath.Domain.Rules;
using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>The "Règles appliquées" page: every rule of the catalogue, with its example computed by the rule itself, for every role.</summary>
[Collection("site")]
public sealed class RulesPageTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    static ILocator Section(IPage page, string ruleId) => page.Locator($"main section[id='regle-{ruleId}']");

    [Fact]
    public async Task Every_role_sees_every_rule_of_the_catalogue_with_its_example_computed_by_the_rule()
    {
        foreach (var (person, role) in new[] { (site.Hr, "hr"), (site.Advisor, "advisor"), (site.Auditor, "auditor"), (site.Program, "program"), (site.Admin, "admin") })
        {
            var page = await NewPageAsync(site);
            var response = await page.SignInToAsync(person, "/regles");
            Assert.Equal(200, response!.Status);
            Assert.Equal("Règles appliquées", await page.Locator("h1").InnerTextAsync());
            Assert.Equal("page", await page.Locator("nav#navigation a[href='/regles']").GetAttributeAsync("aria-current"));

            // One section per rule of the catalogue, each reachable from the table of contents. The page is the
            // same for every role but its navigation (which each role's own pages check with axe): the rule by
            // rule reading and axe run once, for the first role.
            Assert.Equal(RuleCatalogue.All.Count, await page.Locator("main section[id^='regle-']").CountAsync());
            Assert.Equal(RuleCatalogue.All.Count, await page.Locator("nav.fr-summary a[href^='#regle-']").CountAsync());
            foreach (var rule in role == "hr" ? RuleCatalogue.All : [])
            {
                var section = Section(page, rule.Id);
                await Assertions.Expect(section.Locator("h3")).ToHaveTextAsync(rule.Title);
                await Assertions.Expect(page.Locator($"nav.fr-summary a[href='#regle-{rule.Id}']")).ToHaveCountAsync(1);
                Assert.True(await section.Locator("details.cp-explanation").CountAsync() > 0, rule.Id);
            }

            // The notice example, worked out by hand: 2 years or more of cumulated service, so 2 months before 11 January 2027 —
            // 11 November 2026, Armistice — moved to the day before.
            var notice = await Section(page, PublicContractNotice.Rule.Id).TextContentAsync() ?? "";
            Assert.Contains("10 novembre 2026", notice);
            Assert.Contains("Avancée au jour ouvré précédent", notice);
            Assert.Contains("La règle donne le 11 novembre 2026 (mercredi)", notice);
            if (role == "hr")
            {
                await page.ScreenshotAsync("regles");
                await page.AssertAccessibleAsync();
            }
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Each_example_shows_the_dates_the_rule_computes_now_its_steps_and_its_interpretations()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, "/regles");

        foreach (var example in RuleExamples.All)
        {
            var section = Section(page, example.Rule.Id);
            var text = await section.InnerTextAsync();
            Assert.Contains(example.Rule.Explanation, text);
            foreach (var result in example.Run().Where(r => r.Date is not null))
                Assert.Contains(result.Date!.Value.ToString("d MMMM yyyy", French), text);
            // The steps are there once the explanation is opened; their dates are written in French.
            var details = section.Locator("details.cp-explanation").First;
            await details.Locator("summary").ClickAsync();
            await Assertions.Expect(details.Locator("ol li, ul li").First).ToBeVisibleAsync();
            Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}", await details.InnerTextAsync());
            // The readings the rule declares as CareerPath's own, each in full; none on a rule that declares none.
            if (example.Rule.Interpretations.Count == 0)
                Assert.DoesNotContain("Interprétation", text);
            else
                Assert.All(example.Rule.Interpretations, reading => Assert.Contains(reading, text));
        }

        // The public trial period's "1 jour ouvré par semaine" is CareerPath's reading: the page says so, badge and words.
        var trial = Section(page, PublicTrialPeriod.Rule.Id);
        await Assertions.Expect(trial.Locator(".fr-badge", new() { HasText = "Interprétation" })).ToHaveCountAsync(1);
        var trialReadings = trial.Locator(".cp-interpretation");
        await Assertions.Expect(trialReadings).ToBeVisibleAsync();
        await Assertions.Expect(trialReadings).ToContainTextAsync("Interprétation de CareerPath :");
        await Assertions.Expect(trialReadings).ToContainTextAsync("chaque semaine entière de la durée initialement prévue donne 1 jour ouvré");
        Assert.Equal(PublicTrialPeriod.Rule.Interpretations.Count, await trialReadings.Locator("li").CountAsync());
        // A management rule of CareerPath says so in its reading, no longer in its source.
        var trainingStart = Section(page, ContractMilestones.TrainingStartRule.Id);
        await Assertions.Expect(trainingStart.Locator(".cp-interpretation")).ToContainTextAsync("Le délai d'un mois est une règle de gestion de CareerPath");
        // A rule taken from its text has neither the badge nor a reading.
        var bounds = Section(page, ContratDeProjetRules.BoundsRule.Id);
        await Assertions.Expect(bounds.Locator(".cp-interpretation")).ToHaveCountAsync(0);
        Assert.DoesNotContain("Interprétation", await bounds.InnerTextAsync());

        // A refusal reads as one; the program's site is a link.
        await Assertions.Expect(Section(page, ContratDeProjetRules.BoundsRule.Id).Locator(".fr-badge--error")).ToHaveTextAsync("Refusé");
        await Assertions.Expect(Section(page, CertificationDeadline.Rule.Id).Locator("a[href='https://conseiller-numerique.gouv.fr']")).ToHaveCountAsync(1);
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task The_page_works_without_javascript_and_a_rule_can_be_linked_to()
    {
        var page = await NewPageAsync(site, javaScript: false);
        await page.SignInAsync(site.Auditor);
        await page.GotoAsync($"/regles#regle-{PublicContractNotice.Rule.Id}");
        Assert.Equal(RuleCatalogue.All.Count, await page.Locator("main section[id^='regle-']").CountAsync());
        var section = Section(page, PublicContractNotice.Rule.Id);
        await AssertAtTopOfWindowAsync(section);

        var details = section.Locator("details.cp-explanation").First;
        Assert.Null(await details.GetAttributeAsync("open"));
        await details.Locator("summary").ClickAsync();
        Assert.NotNull(await details.GetAttributeAsync("open"));
        var steps = await details.InnerTextAsync();
        Assert.Contains("Le 11 novembre 2026 est férié", steps);
        Assert.Contains("reporté au jour ouvré précédent, le 10 novembre 2026", steps);

        // The table of contents leads to a rule.
        await page.Locator($"nav.fr-summary a[href='#regle-{PublicTrialPeriod.Rule.Id}']").ClickAsync();
        Assert.EndsWith($"#regle-{PublicTrialPeriod.Rule.Id}", page.Url);
        await AssertAtTopOfWindowAsync(Section(page, PublicTrialPeriod.Rule.Id));
        // No axe-core here: it runs as a script, which this browser refuses (the same page is checked with JavaScript on above).
    }

    // The browser scrolled to the anchor: the section starts at the top of the window (its bounding box is relative to the window).
    static async Task AssertAtTopOfWindowAsync(ILocator section)
    {
        var box = await section.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.InRange(box.Y, -2, 50);
    }

    [Fact]
    public async Task A_deadlines_explanation_links_to_its_rule_and_states_careerpaths_reading()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Advisor, "/mon-contrat");
        var explanations = page.Locator("details.cp-explanation", new() { Has = page.Locator("summary", new() { HasTextString = "Pourquoi cette date" }) });
        var count = await explanations.CountAsync();
        Assert.True(count > 0);

        // Each deadline names its rule as a link to its place on the rules page, and states the rule's readings when it has some.
        ILocator? withReading = null;
        string? readingRule = null;
        for (var i = 0; i < count; i++)
        {
            var details = explanations.Nth(i);
            var href = await details.Locator("p", new() { HasTextString = "Règle :" }).Locator("a").GetAttributeAsync("href");
            Assert.NotNull(href);
            Assert.StartsWith("/regles#regle-", href);
            var rule = RuleCatalogue.Get(href["/regles#regle-".Length..]);
            var text = await details.TextContentAsync() ?? "";
            Assert.Contains(rule.Title, text);
            if (rule.Interpretations.Count == 0)
            {
                Assert.DoesNotContain("Interprétation", text);
                continue;
            }
            Assert.Contains("Interprétation de CareerPath :", text);
            Assert.All(rule.Interpretations, reading => Assert.Contains(reading, text));
            (withReading, readingRule) = (withReading ?? details, readingRule ?? rule.Id);
        }
        Assert.NotNull(withReading);

        // Opened, the reading is visible; the rule's link leads to the rule on the rules page.
        await withReading.Locator("summary").ClickAsync();
        await Assertions.Expect(withReading.Locator(".cp-interpretation")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("echeance-interpretation");
        await withReading.Locator("p", new() { HasTextString = "Règle :" }).Locator("a").ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith($"/regles#regle-{readingRule}", StringComparison.Ordinal));
        await Assertions.Expect(Section(page, readingRule!).Locator(".cp-interpretation")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task Signed_out_the_page_asks_to_sign_in()
    {
        var page = await NewPageAsync(site);
        await page.GotoAsync("/regles");
        Assert.Contains("/connexion", page.Url);
        await page.AssertAccessibleAsync();
    }
}

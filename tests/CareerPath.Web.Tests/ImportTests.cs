using System.Text;
using CareerPath.Web.Tests.Infrastructure;
using CareerPath.Workflows.Import;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

[Collection("forms")]
public sealed class ImportTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    /// <summary>One of the HR manager's structures, with a SIRET (the demo's have none: the files name structures by it).</summary>
    async Task<string> HrStructureSiretAsync()
    {
        var structure = site.HrStructures[0];
        var siret = await site.QueryAsync<string?>("SELECT siret FROM structure WHERE id = @structure", new { structure });
        if (siret is not null) return siret;
        // 14 digits that no other structure holds: the id's own digits.
        var made = string.Concat(structure.ToString("N").Select(c => (char)('0' + Convert.ToInt32(c.ToString(), 16) % 10))).Substring(0, 14);
        return await site.QueryAsync<string>(
            "UPDATE structure SET siret = COALESCE(siret, @made) WHERE id = @structure RETURNING siret", new { made, structure });
    }

    /// <summary>Chooses a kind of file as a person does: by its label (the DSFR draws the radio button under it).</summary>
    static async Task ChooseAsync(IPage page, string kind)
    {
        var id = await page.Locator($"input[name=kind][value={kind}]").GetAttributeAsync("id");
        await page.Locator($"label[for='{id}']").ClickAsync();
        Assert.True(await page.Locator($"input[name=kind][value={kind}]").IsCheckedAsync());
    }

    static FilePayload Csv(string name, string text) => new() { Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };

    [Fact]
    public async Task The_hr_manager_downloads_a_template_imports_a_file_with_one_bad_row_sees_the_errors_and_nothing_then_imports_the_fixed_file()
    {
        var siret = await HrStructureSiretAsync();
        var page = await NewPageAsync(site);
        var response = await page.SignInToAsync(site.Hr, "/import");
        Assert.Equal(200, response!.Status);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("import");
        // The page names the structure's SIRET the file must carry.
        Assert.Contains(siret, await page.Locator("#structures ~ .fr-table").InnerTextAsync());

        // The template: the importer's header, then one made-up row; an HR manager gets no structures template.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#modele-advisors").ClickAsync());
        Assert.Equal("modele-advisors.csv", download.SuggestedFilename);
        var template = (await File.ReadAllTextAsync((await download.PathAsync())!, Encoding.UTF8)).TrimStart('\uFEFF');
        var lines = template.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(CsvImporter.ColumnsOf(ImportKind.Advisors), lines[0].Split(';'));
        Assert.Contains("example.org", lines[1]);
        foreach (var kind in new[] { "posts", "contracts" })
        {
            var other = await page.APIRequest.GetAsync($"/import/modeles/{kind}.csv");
            Assert.Equal(200, other.Status);
            var header = Encoding.UTF8.GetString(await other.BodyAsync()).TrimStart('\uFEFF').Split("\r\n")[0];
            Assert.Equal(CsvImporter.ColumnsOf(Enum.Parse<ImportKind>(kind, ignoreCase: true)), header.Split(';'));
        }
        Assert.Equal(404, (await page.APIRequest.GetAsync("/import/modeles/structures.csv")).Status);

        // A file of three advisors, the third with a value the importer does not know.
        var tag = Guid.NewGuid().ToString("N")[..8];
        string Email(int n) => $"import-{tag}-{n}@web-tests.example.org";
        string Rows(string third) => $"""
            {lines[0]}
            {siret};Alice Importée {tag};{Email(1)};non
            {siret};Bruno Importé {tag};{Email(2)};
            {siret};Chloé Importée {tag};{Email(3)};{third}
            """;
        var emails = new[] { Email(1), Email(2), Email(3) };
        const string Count = "SELECT count(*) FROM advisor WHERE work_email = ANY(@emails)";

        await ChooseAsync(page, "advisors");
        await page.Locator("#champ-fichier").SetInputFilesAsync(Csv("conseillers.csv", Rows("peut-être")));
        var refused = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Importer le fichier" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/import"));
        Assert.Equal(400, refused.Status);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        Assert.Contains("rien n'a été importé", await page.Locator("#import-refuse").InnerTextAsync());
        var errors = page.Locator("#erreurs-import tbody tr");
        Assert.Equal(1, await errors.CountAsync());
        var cells = await errors.First.Locator("td").AllInnerTextsAsync();
        Assert.Equal("4", cells[0]);
        Assert.Equal("hasRecognisedDisability", cells[1]);
        Assert.Contains("peut-être", cells[2]);
        // The kind chosen is kept; nothing was written, the two good rows neither.
        Assert.True(await page.Locator("input[name=kind][value=advisors]").IsCheckedAsync());
        Assert.Equal(0L, await site.QueryAsync<long>(Count, new { emails }));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("import-erreurs");

        // The fixed file: the three advisors, in the HR manager's structure.
        await page.Locator("#champ-fichier").SetInputFilesAsync(Csv("conseillers.csv", Rows("oui")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Importer le fichier" }).ClickAsync();
        await page.WaitForURLAsync("**/import");
        var success = await page.Locator(".fr-alert--success").InnerTextAsync();
        Assert.Contains("Import réussi", success);
        Assert.Contains("3 lignes lues", success);
        Assert.Contains("3 conseillers créés", success);
        Assert.Equal(0, await page.Locator("#erreurs-import").CountAsync());
        Assert.Equal(3L, await site.QueryAsync<long>(Count, new { emails }));
        Assert.Equal(3L, await site.QueryAsync<long>(
            "SELECT count(*) FROM advisor WHERE work_email = ANY(@emails) AND structure_id = @structure", new { emails, structure = site.HrStructures[0] }));
        Assert.True(await site.QueryAsync<bool>("SELECT has_recognised_disability FROM advisor WHERE work_email = @email", new { email = Email(3) }));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("import-reussi");

        // The same file again changes nothing.
        await ChooseAsync(page, "advisors");
        await page.Locator("#champ-fichier").SetInputFilesAsync(Csv("conseillers.csv", Rows("oui")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Importer le fichier" }).ClickAsync();
        await page.WaitForURLAsync("**/import");
        Assert.Contains("3 déjà présents", await page.Locator(".fr-alert--success").InnerTextAsync());
        Assert.Equal(3L, await site.QueryAsync<long>(Count, new { emails }));
    }

    [Fact]
    public async Task A_missing_file_is_an_error_beside_its_field_a_structure_out_of_scope_is_refused_like_an_unknown_one_and_an_advisor_may_not_import()
    {
        var outside = await site.QueryAsync<Guid>("SELECT id FROM structure WHERE NOT (id = ANY(@mine)) ORDER BY id LIMIT 1", new { mine = site.HrStructures.ToArray() });
        var tag = Guid.NewGuid().ToString("N")[..8];
        var siret = await site.QueryAsync<string>(
            "UPDATE structure SET siret = COALESCE(siret, @made) WHERE id = @outside RETURNING siret",
            new { made = "99" + string.Concat(outside.ToString("N").Where(char.IsDigit)).PadRight(12, '7')[..12], outside });
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, "/import");

        // No file: the browser would refuse to send the form, so the test lifts "required" as a script-less client would ignore it.
        await ChooseAsync(page, "posts");
        await page.Locator("#champ-fichier").EvaluateAsync("e => e.removeAttribute('required')");
        await page.GetByRole(AriaRole.Button, new() { Name = "Importer le fichier" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        Assert.Contains("Choisissez un fichier CSV", await page.Locator("#champ-fichier-messages").InnerTextAsync());
        Assert.Contains("Rien n'a été importé", await page.Locator("#erreurs-formulaire").InnerTextAsync());
        Assert.True(await page.Locator("input[name=kind][value=posts]").IsCheckedAsync());
        await page.AssertAccessibleAsync();

        var label = $"Poste hors périmètre {tag}";
        await page.Locator("#champ-fichier").SetInputFilesAsync(Csv("postes.csv", $"siret,label,wave,grantStart\n{siret},{label},FirstWave,2026-01-05\n"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Importer le fichier" }).ClickAsync();
        var cells = await page.Locator("#erreurs-import tbody tr").First.Locator("td").AllInnerTextsAsync();
        Assert.Equal("2", cells[0]);
        Assert.Equal("siret", cells[1]);
        Assert.Equal(CsvImporter.StructureOutOfScope, cells[2]);
        Assert.Equal(0L, await site.QueryAsync<long>("SELECT count(*) FROM funded_post WHERE label = @label", new { label }));
        await page.AssertAccessibleAsync();

        // An advisor may not import anything, nor read the templates: the 403 page.
        var advisor = await NewPageAsync(site);
        var forbidden = await advisor.SignInToAsync(site.Advisor, "/import");
        Assert.Equal(403, forbidden!.Status);
        Assert.Equal(0, await advisor.Locator("input[type=file]").CountAsync());
        await advisor.AssertAccessibleAsync();
        var template = await advisor.APIRequest.GetAsync("/import/modeles/posts.csv");
        Assert.Equal(403, template.Status);
        Assert.DoesNotContain("siret", await template.TextAsync());
    }
}

using CareerPath.Web.Tests.Infrastructure;
using System.Net.Http.Json;
using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

[Collection("site")]
public sealed class SignInTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_sign_in_page_is_french_dsfr_and_accessible_and_a_wrong_password_is_refused()
    {
        var page = await NewPageAsync(site);
        var response = await page.GotoAsync("/connexion");
        Assert.Equal(200, response!.Status);
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        // The DSFR and the Marianne font come from the server itself.
        var css = await page.APIRequest.GetAsync("/dsfr/dsfr.min.css");
        Assert.Equal(200, css.Status);
        var font = await page.APIRequest.GetAsync("/dsfr/fonts/Marianne-Regular.woff2");
        Assert.Equal(200, font.Status);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("connexion");

        await page.GetByLabel("Adresse électronique").FillAsync(site.Hr.Email);
        await page.Locator("#password").FillAsync("pas le bon mot de passe");
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter", Exact = true }).ClickAsync();
        Assert.Contains("/connexion", page.Url);
        Assert.Contains("Identifiants invalides", await page.Locator(".fr-alert--error").InnerTextAsync());
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task After_sign_out_a_copy_of_the_session_cookie_is_refused_by_the_pages_and_the_api()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr);
        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "careerpath");

        // The copy works while the session lives.
        using var stolen = new HttpClient { BaseAddress = new Uri(site.BaseUrl) };
        stolen.DefaultRequestHeaders.Add("Cookie", $"careerpath={session.Value}");
        var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var stolenPages = new HttpClient(handler) { BaseAddress = new Uri(site.BaseUrl) };
        stolenPages.DefaultRequestHeaders.Add("Cookie", $"careerpath={session.Value}");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await stolen.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await stolenPages.GetAsync("/compte")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();
        await page.WaitForURLAsync("**/connexion");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await stolen.GetAsync("/api/auth/me")).StatusCode);
        var again = await stolenPages.GetAsync("/compte");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, again.StatusCode);
        Assert.StartsWith("/connexion", again.Headers.Location!.OriginalString.Replace(site.BaseUrl, ""));
    }

    [Fact]
    public async Task An_administrator_disabling_an_account_or_changing_its_scope_ends_its_sessions_at_once()
    {
        var accounts = new Accounts(new AccountStore(site.Db), site.Clock, new AccountOptions());
        var email = $"rh.session.{Guid.NewGuid():N}@careerpath.test";
        var hrId = await accounts.CreateAsync(new NewAccount(email, "RH session", Roles.Hr, WebSite.Password, [site.HrStructures[0]], null));
        var adminId = await site.QueryAsync<Guid>("SELECT id FROM app_user WHERE email = @email", new { email = site.Admin.Email });
        var (_, adminToken) = await accounts.CreateTokenAsync(adminId, "session test", null);
        using var api = new HttpClient { BaseAddress = new Uri(site.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);

        async Task<IPage> SignedInAsync()
        {
            var page = await NewPageAsync(site);
            Assert.Equal(200, (await page.SignInToAsync(new Person(email, WebSite.Password), "/compte")).Status);
            return page;
        }

        // A change of scope: the session opened before it is over.
        var first = await SignedInAsync();
        var scope = await api.PatchAsync($"/api/users/{hrId}", JsonContent.Create(new { structures = site.HrStructures }));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, scope.StatusCode);
        await first.GotoAsync("/compte");
        Assert.Contains("/connexion", first.Url);

        // Disabled: over at once, and no new session.
        var second = await SignedInAsync();
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await api.PatchAsync($"/api/users/{hrId}", JsonContent.Create(new { disabled = true }))).StatusCode);
        await second.GotoAsync("/compte");
        Assert.Contains("/connexion", second.Url);
        Assert.Equal(0, await site.QueryAsync<int>("SELECT count(*)::int FROM web_session WHERE user_id = @hrId", new { hrId }));
        // Bad input changes nothing and says why.
        var bad = await api.PatchAsync($"/api/users/{hrId}", JsonContent.Create(new { structures = Array.Empty<Guid>() }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(site.HrStructures.Count, await site.QueryAsync<int>("SELECT count(*)::int FROM app_user_structure WHERE user_id = @hrId", new { hrId }));
    }

    [Fact]
    public async Task Every_page_carries_the_security_headers()
    {
        var page = await NewPageAsync(site);
        var response = await page.GotoAsync("/connexion");
        var headers = await response!.AllHeadersAsync();
        Assert.Contains("script-src 'self'", headers["content-security-policy"]);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"]);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("same-origin", headers["referrer-policy"]);
        Assert.Contains("no-store", headers["cache-control"]);
    }
}

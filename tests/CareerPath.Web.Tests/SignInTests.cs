using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

[Collection("site")]
public sealed class SignInTests(WebSite site, BrowserFixture browser)
{
    [Fact]
    public async Task The_sign_in_page_is_french_dsfr_and_accessible_and_a_wrong_password_is_refused()
    {
        var page = await browser.NewPageAsync(site);
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
        var page = await browser.NewPageAsync(site);
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
    public async Task Every_page_carries_the_security_headers()
    {
        var page = await browser.NewPageAsync(site);
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

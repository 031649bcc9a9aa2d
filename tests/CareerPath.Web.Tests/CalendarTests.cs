using CareerPath.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests;

/// <summary>The calendar feed page: an address created and shown once, listed, then revoked.</summary>
[Collection("site")]
public sealed class CalendarTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_calendar_address_is_shown_once_serves_the_deadlines_and_stops_when_revoked()
    {
        var page = await NewPageAsync(site);
        await page.SignInAsync(site.Hr, "/calendrier");
        await page.AssertAccessibleAsync();
        var before = await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Révoquer") }).CountAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Créer une adresse d'agenda" }).ClickAsync();
        var url = await page.Locator("#adresse-agenda").InnerTextAsync();
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(site.BaseUrl)}/calendar/cal_[A-Za-z0-9_-]+\\.ics$", url);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("calendrier");

        // The address serves the deadlines of the HR manager's structures to a calendar, without signing in.
        using var calendar = new HttpClient();
        var feed = await calendar.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, feed.StatusCode);
        Assert.StartsWith("BEGIN:VCALENDAR", await feed.Content.ReadAsStringAsync());

        // Shown once: the list shows the address's creation, never the address again.
        await page.GotoAsync("/calendrier");
        Assert.Equal(0, await page.Locator("#adresse-agenda").CountAsync());
        Assert.DoesNotContain(url, await page.ContentAsync());
        var revoke = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Révoquer") });
        Assert.Equal(before + 1, await revoke.CountAsync());

        await revoke.Last.ClickAsync();
        await page.WaitForURLAsync("**/calendrier");
        Assert.Contains("révoquée", await page.Locator(".fr-alert--success").InnerTextAsync());
        Assert.Equal(before, await revoke.CountAsync());
        await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("Révoquée le");
        await page.AssertAccessibleAsync();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await calendar.GetAsync(url)).StatusCode);
    }
}

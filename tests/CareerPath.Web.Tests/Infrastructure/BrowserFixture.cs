using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests.Infrastructure;

/// <summary>
/// One headless Chromium (Debian's, installed by test.sh) for all browser tests; each test opens its
/// own context (its own cookies). Helpers: sign in, check a page with axe-core, save a screenshot.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    IPlaywright _playwright = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: ./test.sh installs Debian's chromium package.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task<IPage> NewPageAsync(WebSite site, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = site.BaseUrl, Locale = "fr-FR", TimezoneId = "Europe/Paris", JavaScriptEnabled = javaScript,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, AcceptDownloads = true,
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}

public static class PageChecks
{
    /// <summary>Signs in through the sign-in page and lands on the person's home page.</summary>
    public static async Task SignInAsync(this IPage page, Person person, string? returnTo = null)
    {
        await page.GotoAsync(returnTo is null ? "/connexion" : $"/connexion?retour={Uri.EscapeDataString(returnTo)}");
        await page.SignInFromHereAsync(person);
    }

    /// <summary>Signs in on the sign-in page the browser was sent to; it then goes where it was going.</summary>
    public static async Task SignInFromHereAsync(this IPage page, Person person)
    {
        await page.GetByLabel("Adresse électronique").FillAsync(person.Email);
        await page.Locator("#password").FillAsync(person.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter", Exact = true }).ClickAsync();
        // Waits for the home page itself (the redirects followed, the page loaded), not for 500 ms without traffic.
        // Refused, the browser stays on the sign-in page: the wait gives up and the assertion below fails.
        try { await page.WaitForURLAsync(url => !url.Contains("/connexion")); }
        catch (TimeoutException) { }
        Assert.DoesNotContain("/connexion", page.Url);
    }

    /// <summary>
    /// Pages already found accessible, by what axe-core reads of them: the serialised DOM (less the anti-forgery
    /// token, which changes with each answer), the form fields' values, the viewport and the scroll position.
    /// </summary>
    static readonly ConcurrentDictionary<string, bool> Passed = new();

    /// <summary>
    /// Every rule runs and every violation comes back in full; only the passes, the incomplete and the inapplicable,
    /// which nothing here reads, are not given a selector for each node (axe-core's documented way to save its slow end).
    /// </summary>
    static readonly AxeRunOptions ViolationsOnly = new() { ResultTypes = [ResultType.Violations] };

    const string StateScript = """
        () => {
          const root = document.documentElement.cloneNode(true);
          root.querySelectorAll('input[name="__RequestVerificationToken"]').forEach(i => i.removeAttribute('value'));
          const fields = [...document.querySelectorAll('input, select, textarea')].filter(f => f.name !== '__RequestVerificationToken')
            .map(f => f.type === 'checkbox' || f.type === 'radio' ? String(f.checked) : f.value);
          return JSON.stringify([root.outerHTML, fields, innerWidth, innerHeight, scrollX, scrollY]);
        }
        """;

    /// <summary>
    /// axe-core on the page as it is now: no serious or critical violation (the others are listed in the message if any).
    /// A page in exactly the state of one that passed before (same DOM, same field values, same viewport and scroll) is
    /// not checked again: axe-core would read the same thing and give the same result.
    /// </summary>
    public static async Task AssertAccessibleAsync(this IPage page)
    {
        var key = await StateKeyAsync(page);
        if (Passed.ContainsKey(key)) return;
        var result = await page.RunAxe(ViolationsOnly);
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0, $"axe-core on {page.Url}:\n" + string.Join("\n", blocking.Select(v =>
            $"- {v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})")));
        // Remembered only if the page did not change while axe-core read it (the key is then the state it read).
        if (await StateKeyAsync(page) == key) Passed[key] = true;
    }

    static async Task<string> StateKeyAsync(IPage page) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(await page.EvaluateAsync<string>(StateScript))));

    /// <summary>A full-page screenshot, kept with the test results (TestResults/screenshots/NAME.png at the repository's root).</summary>
    public static async Task<string> ScreenshotAsync(this IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        return file;
    }

    static string RepositoryRoot() =>
        typeof(PageChecks).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
}

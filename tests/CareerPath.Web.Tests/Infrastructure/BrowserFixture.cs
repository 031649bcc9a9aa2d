using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CareerPath.Web.Tests.Infrastructure;

/// <summary>
/// One headless Chromium (Debian's, installed by test.sh) for the whole test run: each collection holds this fixture,
/// and the first to start launches the browser that every collection then shares; the last to end closes it (a browser,
/// and Playwright's driver, for each collection cost as much again to start and to keep running beside the others).
/// Each test opens its own contexts (its own cookies) through <see cref="BrowserTest"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>
    /// How long an assertion, an action or a navigation may wait. Playwright's own (5 s for an assertion, 30 s for an
    /// action) are short for a two-core machine running the other test projects beside this one: a slow machine must
    /// make these tests slower, never red. A page that never shows what is expected still fails, after this long.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Chromium keeps only the last --disable-features it is given, so this one repeats Playwright's own (its
    /// chromiumSwitches, as of 1.64) and adds the address bar's suggestions popup: without them, every new context (a
    /// browser window of its own) starts a renderer for that popup, a page of Chromium's own that no test shows, at about
    /// 1.2 CPU-seconds each.
    /// </summary>
    static readonly string[] DisabledFeatures =
    [
        "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "DialMediaRouteProvider", "GlobalMediaControls",
        "HttpsUpgrades", "LensOverlay", "MediaRouter", "PaintHolding", "ThirdPartyStoragePartitioning",
        "BlockOriginHeaderModificationOnRedirect", "AvoidCorsURLLoaderRestartOnRedirect", "Translate", "AutoDeElevate",
        "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "msForceBrowserSignIn",
        "msEdgeUpdateLaunchServicesPreferredVersion",
        "WebUIOmniboxPopup", "WebUIOmniboxAimPopup",
    ];

    static readonly SemaphoreSlim Gate = new(1, 1);
    static IPlaywright? _playwright;
    static IBrowser? _browser;
    static int _collections;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    public async Task InitializeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_collections++ > 0) return;
            if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: ./test.sh installs Debian's chromium package.");
            Assertions.SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Timeout = (float)Patience.TotalMilliseconds,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-features=" + string.Join(",", DisabledFeatures)],
            });
        }
        finally { Gate.Release(); }
    }

    public async Task<IPage> NewPageAsync(WebSite site, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = site.BaseUrl, Locale = "fr-FR", TimezoneId = "Europe/Paris", JavaScriptEnabled = javaScript,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, AcceptDownloads = true,
        });
        context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Patience.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_collections > 0) return;
            await _browser!.CloseAsync();
            _playwright!.Dispose();
            (_browser, _playwright) = (null, null);
        }
        finally { Gate.Release(); }
    }
}

/// <summary>
/// A test in the browser: the pages it opens are closed when it ends. Left open, each page's renderer lives on until
/// the browser closes, and some keep drawing (a few per cent of a core each, which add up over a collection's tests).
/// </summary>
public abstract class BrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    readonly List<IBrowserContext> _contexts = [];

    /// <summary>A page in a context of its own (its own cookies), on the given site.</summary>
    protected async Task<IPage> NewPageAsync(WebSite site, bool javaScript = true)
    {
        var page = await browser.NewPageAsync(site, javaScript);
        _contexts.Add(page.Context);
        return page;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
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

    /// <summary>
    /// Signs in and goes straight to <paramref name="path"/>, not through the person's home page (a dashboard, the heaviest
    /// pages of the site, loaded for nothing); the answer of the page it lands on.
    /// </summary>
    public static Task<IResponse> SignInToAsync(this IPage page, Person person, string path) =>
        page.RunAndWaitForResponseAsync(() => page.SignInAsync(person, path), r => r.Request.IsNavigationRequest && r.Status is < 300 or >= 400
            && !new Uri(r.Url).AbsolutePath.StartsWith("/connexion", StringComparison.Ordinal));

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

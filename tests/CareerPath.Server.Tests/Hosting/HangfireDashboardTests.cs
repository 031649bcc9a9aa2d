using System.Net;
using System.Text.RegularExpressions;
using CareerPath.Server.Tests.Api;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>
/// Hangfire logs through one process-wide provider, bound to the logger factory of the last host that configured
/// Hangfire: a test host disposed meanwhile in another test made the dashboard's delete fail with a 500
/// (ObjectDisposedException: LoggerFactory). One host per process, as in production, never meets this; the test runs alone.
/// </summary>
[CollectionDefinition(nameof(HangfireDashboardTests), DisableParallelization = true)]
public sealed class HangfireDashboardCollection;

/// <summary>
/// The job dashboard (mapped by ServerApp) changes jobs through form POSTs: one sent from another site with the
/// administrator's cookie — a foreign Origin, or simply no antiforgery token — is refused and changes nothing;
/// the dashboard's own POST, with the token its page carries, still works.
/// </summary>
[Collection(nameof(HangfireDashboardTests))]
public sealed partial class HangfireDashboardTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    string State(string jobId)
    {
        using var connection = _host.App.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetJobData(jobId)!.State;
    }

    static FormUrlEncodedContent Delete(string jobId) => new([new("jobs[]", jobId)]);

    [GeneratedRegex("""<meta name="csrf-header" content="([^"]+)"\s*/?>""")]
    private static partial Regex CsrfHeader();

    [GeneratedRegex("""<meta name="csrf-token" content="([^"]+)"\s*/?>""")]
    private static partial Regex CsrfToken();

    [Fact]
    public async Task A_cross_site_post_to_the_dashboard_is_refused_and_its_own_post_with_the_token_works()
    {
        var jobId = _host.App.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => Console.WriteLine("careerpath dashboard test"));
        Assert.Equal(EnqueuedState.StateName, State(jobId));
        var admin = _host.As("admin:cookie");

        // A form on another site, posted by the administrator's browser: a foreign Origin, no token.
        var foreign = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/enqueued/delete") { Content = Delete(jobId) };
        foreign.Headers.Add("Origin", "https://attacker.example");
        foreign.Headers.Add("Sec-Fetch-Site", "cross-site");
        var refused = await admin.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(EnqueuedState.StateName, State(jobId));

        // No Origin at all (an older browser, a proxy that strips it): the missing antiforgery token is enough.
        var tokenless = await admin.PostAsync("/hangfire/jobs/enqueued/delete", Delete(jobId));
        Assert.Equal(HttpStatusCode.Forbidden, tokenless.StatusCode);
        Assert.Equal(EnqueuedState.StateName, State(jobId));

        // The dashboard's own page: its token (meta tags read by its script) and the antiforgery cookie it sets.
        var page = await admin.GetAsync("/hangfire/jobs/enqueued");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var header = CsrfHeader().Match(html);
        var token = CsrfToken().Match(html);
        Assert.True(header.Success && token.Success, "the dashboard page carries no antiforgery token");
        var cookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(global::CareerPath.Server.Web.WebSetup.AntiforgeryCookie + "=")).Split(';')[0];
        var own = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/enqueued/delete") { Content = Delete(jobId) };
        own.Headers.Add(WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value));
        // Both cookies in one header: the session's and the antiforgery's (a client's default Cookie would be replaced).
        own.Headers.Add("Cookie", $"{_host.Data.Cookies["admin"]}; {cookie}");
        own.Headers.Add("Origin", "http://localhost");
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        var accepted = await _host.Anonymous().SendAsync(own);
        Assert.True(accepted.IsSuccessStatusCode, $"{(int)accepted.StatusCode} {await accepted.Content.ReadAsStringAsync()}");
        Assert.Equal(DeletedState.StateName, State(jobId));
    }
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using CareerPath.Server.Tests.Api;

namespace CareerPath.Server.Tests.Web;

/// <summary>
/// Every answer carries the security headers (CSP, nosniff, no framing, Referrer-Policy) — API answers, the API
/// reference, the OpenAPI document, the job dashboard, and error answers alike; HSTS over HTTPS whatever the
/// host name; no-store on whatever may hold personal data (JSON, CSV, pages).
/// </summary>
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync(configure: services => services.AddTransient<IStartupFilter, FailingRoute>());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A route that fails (after every endpoint, so inside the host's error handling): the 500 to look at.</summary>
    sealed class FailingRoute : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(http => http.Request.Path == "/api/test-failure" ? throw new InvalidOperationException("test failure") : Task.CompletedTask);
        };
    }

    /// <summary>The API reference answers its bare address with a redirect to its page: the page is the answer looked at.</summary>
    static async Task<HttpResponseMessage> FollowAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently && response.Headers.Location is { } next
            ? await client.GetAsync(next)
            : response;
    }

    [Fact]
    public async Task Api_reference_dashboard_and_error_answers_all_carry_the_security_headers()
    {
        var answers = new (string What, HttpResponseMessage Response, HttpStatusCode Expected)[]
        {
            ("API answer", await _host.As("hrA").GetAsync("/api/structures"), HttpStatusCode.OK),
            ("Scalar", await FollowAsync(_host.Anonymous(), "/scalar"), HttpStatusCode.OK),
            ("OpenAPI", await _host.Anonymous().GetAsync("/openapi/v1.json"), HttpStatusCode.OK),
            ("Hangfire", await _host.As("admin:cookie").GetAsync("/hangfire"), HttpStatusCode.OK),
            ("401", await _host.Anonymous().GetAsync("/api/structures"), HttpStatusCode.Unauthorized),
            ("404", await _host.As("admin").GetAsync($"/api/structures/{Guid.NewGuid()}"), HttpStatusCode.NotFound),
            ("500", await _host.As("admin").GetAsync("/api/test-failure"), HttpStatusCode.InternalServerError),
        };
        foreach (var (what, response, expected) in answers)
        {
            Assert.True(response.StatusCode == expected, $"{what}: {(int)response.StatusCode}");
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", what);
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp) && csp.Single().Contains("frame-ancestors 'none'"), what);
            Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frame) && frame.Single() == "DENY", what);
            Assert.True(response.Headers.TryGetValues("Referrer-Policy", out var referrer) && referrer.Single() == "same-origin", what);
            // Plain HTTP: no HSTS (a browser would ignore it anyway).
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), what);
        }
        foreach (var (what, response, _) in answers.Where(a => a.What is "API answer" or "401" or "404" or "500"))
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what}: Cache-Control {response.Headers.CacheControl}");
        var error = answers.Single(a => a.What == "500").Response;
        Assert.Equal("application/problem+json", error.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("test failure", await error.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Over_https_every_answer_carries_hsts_even_on_localhost()
    {
        var client = _host.As("hrA");
        var request = new HttpRequestMessage(HttpMethod.Get, "https://localhost/api/structures");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
        var anonymous = await _host.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://localhost/connexion"));
        Assert.Equal("max-age=31536000", anonymous.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Personal_data_is_never_stored_json_csv_and_pages_alike()
    {
        var responses = new[]
        {
            await _host.As("hrA").GetAsync($"/api/advisors/{_host.Data.AdvisorA}"),
            await _host.As("admin").GetAsync("/api/access-log/export.csv"),
            await _host.As("admin:cookie").GetAsync($"/conseillers/{_host.Data.AdvisorA}"),
            await _host.As("admin:cookie").GetAsync("/admin/journal-des-acces?handler=csv"),
        };
        foreach (var response in responses)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{response.RequestMessage.RequestUri}: Cache-Control {response.Headers.CacheControl}");
        }
        // Static assets are not personal: cached.
        var asset = await _host.Anonymous().GetAsync("/static/careerpath.css");
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.NotEqual(true, asset.Headers.CacheControl?.NoStore);
    }
}

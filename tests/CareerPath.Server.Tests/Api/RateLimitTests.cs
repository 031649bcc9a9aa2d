using System.Net;
using System.Text;

namespace CareerPath.Server.Tests.Api;

/// <summary>Sign-in attempts are limited per address, API calls per user and per address: beyond, 429 with ProblemDetails.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Login_attempts_and_api_calls_beyond_the_limit_get_429_with_retry_after()
    {
        await using var host = await ApiHost.CreateAsync(new()
        {
            ["CareerPath:RateLimits:LoginPerIpPerMinute"] = "3",
            ["CareerPath:RateLimits:ApiPerUserPerMinute"] = "200",
        });
        var anonymous = host.Anonymous();
        // The data set's own sign-ins used part of this minute's allowance: wrong passwords get 401 until it is spent.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage limited;
        do
        {
            limited = await anonymous.PostAsync("/api/auth/login", new StringContent("""{"email":"x@y.fr","password":"z"}""", Encoding.UTF8, "application/json"));
            statuses.Add(limited.StatusCode);
        } while (limited.StatusCode == HttpStatusCode.Unauthorized && statuses.Count < 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(statuses.Count, 2, 4);
        Assert.Equal("60", limited.Headers.RetryAfter!.ToString());
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Trop de requêtes", await limited.Content.ReadAsStringAsync());

        // One user's burst does not starve another: the limit is per account.
        var status = HttpStatusCode.OK;
        for (var i = 0; i < 201 && status == HttpStatusCode.OK; i++) status = (await host.As("hrA").GetAsync("/api/auth/me")).StatusCode;
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(HttpStatusCode.OK, (await host.As("hrB").GetAsync("/api/auth/me")).StatusCode);
    }
}

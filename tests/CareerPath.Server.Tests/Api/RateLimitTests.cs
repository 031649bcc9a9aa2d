using System.Net;
using System.Text;
using Microsoft.AspNetCore.TestHost;

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

/// <summary>Behind a known reverse proxy, each client has its own allowance; an IPv6 /64 is one client.</summary>
public sealed class ForwardedClientTests
{
    [Fact]
    public async Task Clients_behind_a_known_proxy_are_limited_one_by_one_and_an_ipv6_64_counts_as_one()
    {
        await using var host = await ApiHost.CreateAsync(new()
        {
            ["CareerPath:KnownProxies"] = "10.0.0.1",
            ["CareerPath:RateLimits:ApiPerIpPerMinute"] = "3",
        }, seed: false);
        var server = host.App.GetTestServer();

        async Task<int> Call(string remote, string? forwardedFor = null)
        {
            var context = await server.SendAsync(c =>
            {
                c.Request.Method = "GET";
                c.Request.Path = "/api/auth/me";
                c.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(remote);
                if (forwardedFor is not null) c.Request.Headers["X-Forwarded-For"] = forwardedFor;
            });
            return context.Response.StatusCode;
        }

        // Three calls of one client through the proxy, then the fourth is refused; another client is not.
        for (var i = 0; i < 3; i++) Assert.Equal(401, await Call("10.0.0.1", "203.0.113.5"));
        Assert.Equal(429, await Call("10.0.0.1", "203.0.113.5"));
        Assert.Equal(401, await Call("10.0.0.1", "203.0.113.6"));
        // A header from anyone but the proxy is not believed: the caller's own address counts.
        for (var i = 0; i < 3; i++) Assert.Equal(401, await Call("198.51.100.9", $"203.0.113.{10 + i}"));
        Assert.Equal(429, await Call("198.51.100.9", "203.0.113.99"));
        // Addresses of one IPv6 /64 share one allowance; the next /64 has its own.
        for (var i = 1; i <= 3; i++) Assert.Equal(401, await Call($"2001:db8:1:2::{i}"));
        Assert.Equal(429, await Call("2001:db8:1:2::ffff"));
        Assert.Equal(401, await Call("2001:db8:1:3::1"));
    }
}

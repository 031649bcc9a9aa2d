using System.Net;
using System.Text.Json.Nodes;

namespace CareerPath.Server.Tests.Api;

/// <summary>GET /api/integrity: both chained logs verified, their heads exported, and an exported head checked later.</summary>
public sealed class IntegrityEndpointsTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_administrator_reads_both_heads_verified_and_a_head_still_in_its_log_verifies()
    {
        var admin = _host.As("admin");
        // A read of personal data, so that the access log has a head whatever the seed wrote.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/advisors/{_host.Data.AdvisorA}")).StatusCode);

        var response = await admin.GetAsync("/api/integrity");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiHost.ReadJsonAsync(response);
        foreach (var log in new[] { "accessLog", "decisionLog" })
        {
            Assert.True(body[log]!["verified"]!.GetValue<bool>(), body.ToJsonString());
            Assert.Null(body[log]!["firstBrokenSeq"]);
        }
        var access = body["accessLog"]!;
        Assert.True(access["entries"]!.GetValue<long>() >= 1);
        Assert.Matches("^[0-9a-f]{64}$", access["lastHash"]!.GetValue<string>());
        var (seq, hash) = (access["lastSeq"]!.GetValue<long>(), access["lastHash"]!.GetValue<string>());
        Assert.Equal((seq, hash), (await _host.QueryAsync<(long, string)>("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")).Single());

        // The head exported above is still there; a head that never was is not.
        var kept = await ApiHost.ReadJsonAsync(await admin.GetAsync($"/api/integrity?accessLogSeq={seq}&accessLogHash={hash}"));
        Assert.True(kept["accessLog"]!["verified"]!.GetValue<bool>(), kept.ToJsonString());
        var other = await ApiHost.ReadJsonAsync(await admin.GetAsync($"/api/integrity?accessLogSeq={seq}&accessLogHash={new string('a', 64)}"));
        Assert.False(other["accessLog"]!["verified"]!.GetValue<bool>());
        Assert.Equal(seq, other["accessLog"]!["firstBrokenSeq"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_head_given_by_half_or_malformed_is_refused_in_french_and_only_administrators_may_ask()
    {
        var admin = _host.As("admin");
        var half = await admin.GetAsync("/api/integrity?accessLogSeq=12");
        Assert.Equal(HttpStatusCode.BadRequest, half.StatusCode);
        var problem = await ApiHost.ReadJsonAsync(half);
        Assert.Equal("Données invalides", problem["title"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]!["accessLogHash"]);
        var upper = await admin.GetAsync($"/api/integrity?decisionLogSeq=1&decisionLogHash={new string('A', 64)}");
        Assert.Equal(HttpStatusCode.BadRequest, upper.StatusCode);
        Assert.NotNull((await ApiHost.ReadJsonAsync(upper))["errors"]!["decisionLogHash"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/integrity?accessLogSeq=0&accessLogHash={new string('a', 64)}")).StatusCode);

        foreach (var account in new[] { "hrA", "advisorA", "auditor", "program" })
            Assert.Equal(HttpStatusCode.Forbidden, (await _host.As(account).GetAsync("/api/integrity")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Anonymous().GetAsync("/api/integrity")).StatusCode);
    }
}

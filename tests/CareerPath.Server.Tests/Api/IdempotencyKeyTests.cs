using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// An Idempotency-Key names one request: sent again with the same request (fields in any order) it answers the
/// first transition; sent with another body or to another action it is refused with 422, and nothing changes.
/// </summary>
public sealed class IdempotencyKeyTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    HttpRequestMessage Keyed(string path, string key, string json) => new(HttpMethod.Post, path)
    {
        Headers = { { "Idempotency-Key", key } },
        Content = new StringContent(json, Encoding.UTF8, "application/json"),
    };

    [Fact]
    public async Task A_key_reused_with_another_request_is_refused_with_422_and_the_same_request_answers_the_first_transition()
    {
        var hr = _host.As("hrA");
        var modules = $"/api/contracts/{_host.Data.ContractA}/thematic-modules";

        var first = await hr.SendAsync(Keyed(modules, "module-1", """{"title":"Accessibilité","hours":7}"""));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var seq = (int)(await ApiHost.ReadJsonAsync(first))["seq"]!;

        // The same request, its fields in another order and spaced otherwise: the first transition again.
        var again = await hr.SendAsync(Keyed(modules, "module-1", """{ "hours": 7, "title": "Accessibilité" }"""));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replay = await ApiHost.ReadJsonAsync(again);
        Assert.Equal(seq, (int)replay["seq"]!);
        Assert.True((bool)replay["duplicate"]!);

        var before = await _host.FingerprintAsync();
        // Another body under the same key: once silently answered with the first result, now refused.
        var otherBody = await hr.SendAsync(Keyed(modules, "module-1", """{"title":"Sobriété numérique","hours":7}"""));
        await AssertRefusedAsync(otherBody);
        // Another action under the same key, on the same contract.
        var otherRoute = await hr.SendAsync(Keyed($"/api/contracts/{_host.Data.ContractA}/trainings", "module-1",
            """{"start":"2026-04-01","end":"2026-06-30","hours":140}"""));
        await AssertRefusedAsync(otherRoute);
        Assert.Equal(before, await _host.FingerprintAsync());

        Assert.Equal(1, (await _host.QueryAsync<int>("SELECT count(*)::int FROM workflow_journal WHERE idempotency_key = 'module-1'"))[0]);
        var stored = (await _host.QueryAsync<string>("SELECT request_fingerprint FROM workflow_journal WHERE idempotency_key = 'module-1'"))[0];
        Assert.StartsWith($"POST {modules.ToLowerInvariant()} ", stored);
    }

    static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal("Requête non traitable", (string?)problem["title"]);
        Assert.Contains("Idempotency-Key a déjà servi pour une autre requête", (string?)problem["detail"]);
    }
}

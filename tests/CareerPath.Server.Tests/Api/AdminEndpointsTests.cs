using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CareerPath.Server.Tests.Api;

/// <summary>The administrators' endpoints added with their pages: a password reset, sending a failed e-mail again, the instance filters.</summary>
public sealed class AdminEndpointsTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    async Task<HttpStatusCode> SignInAsync(string email, string password) =>
        (await _host.Anonymous().PostAsync("/api/auth/login", Json(new JsonObject { ["email"] = email, ["password"] = password }.ToJsonString()))).StatusCode;

    [Fact]
    public async Task A_password_reset_takes_the_given_password_or_draws_one_and_the_old_one_stops_working()
    {
        var admin = _host.As("admin");
        var hr = _host.Data.Users["hrA"];

        var tooShort = await admin.PostAsync($"/api/users/{hr}/password", Json("""{"password":"court"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        Assert.Equal("12 caractères au moins.", (await ApiHost.ReadJsonAsync(tooShort))["errors"]!["password"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("rh@commune-a.fr", "mot-de-passe-hrA"));

        var chosen = await admin.PostAsync($"/api/users/{hr}/password", Json("""{"password":"un-mot-de-passe-choisi"}"""));
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        var body = await ApiHost.ReadJsonAsync(chosen);
        Assert.False(body["generated"]!.GetValue<bool>());
        Assert.Null(body["password"]);
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync("rh@commune-a.fr", "mot-de-passe-hrA"));
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("rh@commune-a.fr", "un-mot-de-passe-choisi"));

        var drawn = await ApiHost.ReadJsonAsync(await admin.PostAsync($"/api/users/{hr}/password", Json("{}")));
        Assert.True(drawn["generated"]!.GetValue<bool>());
        var password = drawn["password"]!.GetValue<string>();
        Assert.Matches("^[a-zA-Z0-9]{5}(-[a-zA-Z0-9]{5}){3}$", password);
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("rh@commune-a.fr", password));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync("rh@commune-a.fr", "un-mot-de-passe-choisi"));

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/users/{Guid.NewGuid()}/password", Json("{}"))).StatusCode);
        // The reset revoked the API token hrA had (made with the old password); someone else who is not an administrator is refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.As("hrA").GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("advisorA").PostAsync($"/api/users/{hr}/password", Json("{}"))).StatusCode);
    }

    [Fact]
    public async Task Only_a_failed_message_is_sent_again()
    {
        var admin = _host.As("admin");
        var pending = (await _host.QueryAsync<Guid>("SELECT id FROM outbox_message WHERE status = 'Pending' LIMIT 1")).Single();
        var before = await _host.FingerprintAsync();

        var refused = await admin.PostAsync($"/api/outbox/{pending}/resend", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Failed", (await ApiHost.ReadJsonAsync(refused))["detail"]!.GetValue<string>());
        Assert.Equal(before, await _host.FingerprintAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/outbox/{Guid.NewGuid()}/resend", null)).StatusCode);
    }

    [Fact]
    public async Task Instances_are_listed_by_advisor_and_by_subject()
    {
        var admin = _host.As("admin");
        var byAdvisor = await ApiHost.ReadJsonAsync(await admin.GetAsync($"/api/instances?advisorId={_host.Data.AdvisorA}"));
        var items = byAdvisor["items"]!.AsArray();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Equal("advisor-contract", i!["definitionId"]!.GetValue<string>()));
        Assert.Contains(items, i => i!["subjectId"]!.GetValue<Guid>() == _host.Data.ContractA);

        var bySubject = await ApiHost.ReadJsonAsync(await admin.GetAsync($"/api/instances?subjectId={_host.Data.ContractA}&definitionVersion=1"));
        Assert.Equal(_host.Data.ContractA, Assert.Single(bySubject["items"]!.AsArray())!["subjectId"]!.GetValue<Guid>());
        Assert.Empty((await ApiHost.ReadJsonAsync(await admin.GetAsync($"/api/instances?advisorId={Guid.NewGuid()}")))["items"]!.AsArray());
    }
}

using System.Net;
using System.Text.Json.Nodes;
using CareerPath.Server.Security;
using CareerPath.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace CareerPath.Server.Tests.Security;

/// <summary>
/// An archived file (the retention job's archive): read one by one, by an administrator or the structure's HR lead, each
/// read with a reason written in the access log; the other HR managers neither read nor list it; the advisor reads their own.
/// </summary>
public sealed class AdvisorFilesTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ApiHost.CreateAsync();
        // The HR lead of structure A (hr_contact drh@commune-a.fr, is_lead) gets an account of their own.
        var accounts = _host.App.Services.GetRequiredService<Accounts>();
        var lead = await accounts.CreateAsync(new NewAccount("drh@commune-a.fr", "Didier Drh", Roles.Hr, "mot-de-passe-drh", [_host.Data.StructureA], null));
        _host.Data.Users["leadA"] = lead;
        _host.Data.Tokens["leadA"] = await _host.TokenForAsync(lead);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    DataSet Data => _host.Data;

    Task<int> ReadsOfAAsync() => _host.QueryAsync<int>("SELECT count(*)::int FROM access_log WHERE subject_id IN (@a, @c)", new { a = Data.AdvisorA, c = Data.ContractA })
        .ContinueWith(t => t.Result.Single());

    async Task<HttpStatusCode> StatusAsync(string account, string url) => (await _host.As(account).GetAsync(url)).StatusCode;

    [Fact]
    public async Task An_archived_file_is_read_by_an_administrator_or_the_hr_lead_with_a_logged_reason_and_by_no_other_hr_manager()
    {
        var advisor = $"/api/advisors/{Data.AdvisorA}";
        // Active: the structure's HR manager reads it, without a reason.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("hrA", advisor));
        Assert.Single(await _host.QueryAsync<int>("UPDATE advisor SET archived_on = '2026-10-01' WHERE id = @a RETURNING 1", new { a = Data.AdvisorA }));
        var before = await ReadsOfAAsync();

        // Archived: the HR manager who is not the lead is refused, and says why; nothing of the file is listed to them.
        foreach (var url in new[] { advisor, $"{advisor}/timeline", $"{advisor}/export", $"/api/contracts/{Data.ContractA}", $"{advisor}?motif=contentieux" })
        {
            var refused = await _host.As("hrA").GetAsync(url);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{url}: {(int)refused.StatusCode}");
            Assert.Contains("archivé depuis le 01/10/2026", await refused.Content.ReadAsStringAsync());
        }
        var listed = JsonNode.Parse(await _host.As("hrA").GetStringAsync("/api/advisors"))!["items"]!.AsArray().Select(a => a!["id"]!.GetValue<Guid>()).ToList();
        Assert.DoesNotContain(Data.AdvisorA, listed);
        Assert.Contains(Data.SpareAdvisorA, listed);
        var listedToAdmin = JsonNode.Parse(await _host.As("admin").GetStringAsync("/api/advisors"))!["items"]!.AsArray().Select(a => a!["id"]!.GetValue<Guid>());
        Assert.Contains(Data.AdvisorA, listedToAdmin);

        // The lead and the administrator must give a reason from the list.
        foreach (var (account, url) in new[] { ("leadA", advisor), ("leadA", $"{advisor}?motif=curiosite"), ("admin", $"{advisor}/timeline"), ("admin", $"/api/contracts/{Data.ContractA}") })
        {
            var asked = await _host.As(account).GetAsync(url);
            Assert.True(asked.StatusCode == HttpStatusCode.BadRequest, $"{account} {url}: {(int)asked.StatusCode}");
            var problem = await asked.Content.ReadAsStringAsync();
            Assert.Contains("indiquez le motif", problem);
            Assert.All(AdvisorFiles.Reasons, r => Assert.Contains(r.Code, problem));
        }
        // Refused and unanswered reads leave no trace: nothing was read.
        Assert.Equal(before, await ReadsOfAAsync());

        Assert.Equal(HttpStatusCode.OK, await StatusAsync("leadA", $"{advisor}?motif=contentieux"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("admin", $"{advisor}/timeline?motif=controle"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("admin", $"/api/contracts/{Data.ContractA}?motif=obligation-legale"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("leadA", $"{advisor}/export?motif=demande-personne"));
        var logged = await _host.QueryAsync<(string Action, Guid? User)>("""
            SELECT action, user_id FROM access_log WHERE subject_id IN (@a, @c) ORDER BY seq OFFSET @before
            """, new { a = Data.AdvisorA, c = Data.ContractA, before });
        Assert.Equal(new[]
        {
            ("advisors.read:archive:contentieux", (Guid?)Data.Users["leadA"]),
            ("advisors.timeline:archive:controle", Data.Users["admin"]),
            ("contracts.read:archive:obligation-legale", Data.Users["admin"]),
            ("advisors.export:archive:demande-personne", Data.Users["leadA"]),
        }, logged);

        // The advisor reads their own file, archived or not, with no reason to give (GDPR art. 15).
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("advisorA", advisor));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("advisorA", $"{advisor}/export"));
        Assert.Equal("advisors.export", (await _host.QueryAsync<string>("SELECT action FROM access_log ORDER BY seq DESC LIMIT 1")).Single());
        // Out of scope stays out of scope: the other structure's HR manager still gets "not found", not "archived".
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync("hrB", $"{advisor}?motif=contentieux"));
    }
}

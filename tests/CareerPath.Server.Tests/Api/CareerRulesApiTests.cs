using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// Every rule sees the whole career, whatever the way in: contracts created through the API and through the CSV
/// import are planned with the advisor's earlier contracts as the records hold them (décret 88-145 art. 38-1 for
/// the notice, Code du travail L1242-8-1 and L1244-3 for private CDDs). Today is 2026-03-02 (ApiHost).
/// </summary>
public sealed class CareerRulesApiTests : IAsyncLifetime
{
    ApiHost _host = null!;
    const string SiretA = "21000000000011";
    const string SiretB = "41000000000022";

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public enum Way { Api, Csv }

    async Task<(Guid Id, string Email)> AdvisorAsync(Guid structure, string name, bool disabled = false)
    {
        var email = $"{name.ToLowerInvariant()}.{Guid.NewGuid():N}@careerpath.test";
        var response = await _host.As("admin").PostAsJsonAsync("/api/advisors", new { structureId = structure, fullName = name, workEmail = email, hasRecognisedDisability = disabled });
        return (await ApiHost.CreatedIdAsync(response), email);
    }

    async Task<HttpResponseMessage> ContractAsync(Way way, (Guid Id, string Email) advisor, Guid post, string postLabel, string siret, string start, string end) =>
        way == Way.Api
            ? await _host.As("admin").PostAsJsonAsync("/api/contracts", new { advisorId = advisor.Id, postId = post, type = "Cdd", start, end })
            : await _host.As("admin").PostAsync("/api/imports/contracts", new StringContent(
                $"advisorEmail,siret,postLabel,type,start,end\n{advisor.Email},{siret},{postLabel},Cdd,{start},{end}\n", Encoding.UTF8, "text/csv"));

    /// <summary>Creates a public CDD on post A (structure A) and returns its id from the records.</summary>
    async Task<Guid> PublicCddAsync(Way way, (Guid Id, string Email) advisor, string start, string end)
    {
        var response = await ContractAsync(way, advisor, _host.Data.PostA, "Poste médiathèque", SiretA, start, end);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await _host.QueryAsync<Guid>("SELECT id FROM contract WHERE advisor_id = @a AND start_date = @s::date", new { a = advisor.Id, s = start })).Single();
    }

    /// <summary>The contract's pending notice deadline, as its workflow armed it.</summary>
    async Task<string> NoticeAsync(Guid contract) => (await _host.QueryAsync<string>("""
        SELECT t.due_on::text FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
         WHERE i.subject_id = @contract AND t.rule_id = 'notice.public-contract' AND t.fired_at IS NULL
        """, new { contract })).Single();

    [Theory]
    [InlineData(Way.Api)]
    [InlineData(Way.Csv)]
    public async Task A_second_public_cdd_counts_the_earlier_one_across_a_gap_of_up_to_four_months(Way way)
    {
        // First contract: 2 years, 2026-04-01 to 2028-03-31. Each second contract lasts 9 months.
        async Task<string> SecondAfterGap(string start, string end)
        {
            var advisor = await AdvisorAsync(_host.Data.StructureA, "Gap");
            await PublicCddAsync(way, advisor, "2026-04-01", "2028-03-31");
            return await NoticeAsync(await PublicCddAsync(way, advisor, start, end));
        }

        // 3 months off (April to June 2028): 2 years 9 months cumulated, 2 months' notice before 2029-03-31.
        Assert.Equal("2029-01-31", await SecondAfterGap("2028-07-01", "2029-03-31"));
        // Exactly 4 months off (April to July): "n'excède pas quatre mois", still cumulated: 2 months before 2029-04-30.
        Assert.Equal("2029-02-28", await SecondAfterGap("2028-08-01", "2029-04-30"));
        // 5 months off: the chain is broken, 9 months alone: 1 month before 2029-05-31.
        Assert.Equal("2029-04-30", await SecondAfterGap("2028-09-01", "2029-05-31"));
    }

    [Theory]
    [InlineData(Way.Api)]
    [InlineData(Way.Csv)]
    public async Task A_resignation_breaks_the_chain_and_the_later_contract_is_planned_again(Way way)
    {
        var advisor = await AdvisorAsync(_host.Data.StructureA, "Resign");
        var first = await PublicCddAsync(way, advisor, "2026-04-01", "2028-03-31");
        var second = await PublicCddAsync(way, advisor, "2028-05-01", "2029-04-30");
        // 2 years + 1 month off + 12 months: 2 months' notice before 2029-04-30, a Monday: 2029-02-28.
        Assert.Equal("2029-02-28", await NoticeAsync(second));

        // The first contract ends by resignation on 2028-03-15, a month and a half before the second: without the
        // resignation that gap would still cumulate; with it the second one stands alone, 1 month before its end.
        var ended = await _host.As("admin").PostAsJsonAsync($"/api/contracts/{first}/early-termination",
            new { date = "2028-03-15", reason = "Resignation" });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal("2029-03-30", await NoticeAsync(second));
        Assert.Equal(("2028-03-15", "Resignation"), (await _host.QueryAsync<(string, string)>(
            "SELECT terminated_on::text, termination_reason FROM contract WHERE id = @first", new { first })).Single());
    }

    [Fact]
    public async Task An_earlier_contract_recorded_after_a_later_one_plans_the_later_one_again_through_the_api_and_an_import_newest_first()
    {
        var advisor = await AdvisorAsync(_host.Data.StructureA, "Tardif");
        var second = await PublicCddAsync(Way.Api, advisor, "2028-07-01", "2029-03-31");
        Assert.Equal("2029-02-28", await NoticeAsync(second)); // 9 months alone: 1 month
        await PublicCddAsync(Way.Api, advisor, "2026-04-01", "2028-03-31");
        Assert.Equal("2029-01-31", await NoticeAsync(second)); // now 2 years 9 months cumulated: 2 months

        // One file, the newest contract first: the same answer.
        var other = await AdvisorAsync(_host.Data.StructureA, "Import");
        var imported = await _host.As("admin").PostAsync("/api/imports/contracts", new StringContent($"""
            advisorEmail,siret,postLabel,type,start,end
            {other.Email},{SiretA},Poste médiathèque,Cdd,2028-07-01,2029-03-31
            {other.Email},{SiretA},Poste médiathèque,Cdd,2026-04-01,2028-03-31
            """, Encoding.UTF8, "text/csv"));
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        var newest = (await _host.QueryAsync<Guid>("SELECT id FROM contract WHERE advisor_id = @a AND start_date = '2028-07-01'", new { a = other.Id })).Single();
        Assert.Equal("2029-01-31", await NoticeAsync(newest));
    }

    [Fact]
    public async Task A_private_cdd_recorded_before_its_successor_is_held_to_eighteen_months_with_it()
    {
        var advisor = await AdvisorAsync(_host.Data.StructureB, "Avant");
        var later = await ContractAsync(Way.Api, advisor, _host.Data.PostB, "Poste tiers-lieu", SiretB, "2027-04-01", "2028-03-31");
        Assert.True(later.IsSuccessStatusCode, await later.Content.ReadAsStringAsync());

        var refused = await ContractAsync(Way.Api, advisor, _host.Data.PostB, "Poste tiers-lieu", SiretB, "2026-04-01", "2027-03-31");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("limits.private-cdd", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_amendment_of_an_earlier_contract_plans_the_later_one_again()
    {
        var advisor = await AdvisorAsync(_host.Data.StructureA, "Amend");
        var first = await PublicCddAsync(Way.Api, advisor, "2026-04-01", "2028-03-31");
        var second = await PublicCddAsync(Way.Api, advisor, "2028-07-01", "2029-03-31");
        Assert.Equal("2029-01-31", await NoticeAsync(second));

        // The first contract now ends in January 2028: 5 months off, the second one no longer cumulates.
        var amended = await _host.As("admin").PostAsJsonAsync($"/api/contracts/{first}/amendments",
            new { newEnd = "2028-01-31", reason = "Fin avancée d'un commun accord" });
        Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
        Assert.Equal("2029-02-28", await NoticeAsync(second));
        Assert.Equal(("2028-01-31", 1L), (await _host.QueryAsync<(string, long)>("""
            SELECT c.effective_end::text, (SELECT count(*) FROM contract_amendment a WHERE a.contract_id = c.id) FROM contract c WHERE c.id = @first
            """, new { first })).Single());
    }

    [Theory]
    [InlineData(Way.Api)]
    [InlineData(Way.Csv)]
    public async Task A_private_cdd_after_an_earlier_one_of_twelve_months_is_held_to_eighteen_months_in_all(Way way)
    {
        var advisor = await AdvisorAsync(_host.Data.StructureB, "Prive");
        var first = await ContractAsync(way, advisor, _host.Data.PostB, "Poste tiers-lieu", SiretB, "2026-04-01", "2027-03-31");
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());

        // Another 12 months in succession on the same post: 24 months in all, refused, and nothing written.
        var before = await _host.FingerprintAsync();
        var refused = await ContractAsync(way, advisor, _host.Data.PostB, "Poste tiers-lieu", SiretB, "2027-04-01", "2028-03-31");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("limits.private-cdd", problem);
        Assert.Contains("18 mois", problem);
        if (way == Way.Csv) Assert.Contains("\"line\":2", problem);
        Assert.Equal(before, await _host.FingerprintAsync());

        // 6 more months make exactly 18: allowed.
        var allowed = await ContractAsync(way, advisor, _host.Data.PostB, "Poste tiers-lieu", SiretB, "2027-04-01", "2027-09-30");
        Assert.True(allowed.IsSuccessStatusCode, await allowed.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Way.Api)]
    [InlineData(Way.Csv)]
    public async Task A_recognised_disability_does_not_change_the_non_renewal_notice(Way way)
    {
        var disabled = await AdvisorAsync(_host.Data.StructureA, "Rqth", disabled: true);
        var other = await AdvisorAsync(_host.Data.StructureA, "Autre");
        // 2 years: 2 months before 2028-03-31 (a Friday, 2028-01-31), for both (art. 38-1; art. 40's doubling is for dismissal).
        Assert.Equal("2028-01-31", await NoticeAsync(await PublicCddAsync(way, disabled, "2026-04-01", "2028-03-31")));
        Assert.Equal("2028-01-31", await NoticeAsync(await PublicCddAsync(way, other, "2026-04-01", "2028-03-31")));
    }
}

using System.Net;
using CareerPath.Server.Tests.Api;

namespace CareerPath.Server.Tests.Endpoints;

/// <summary>
/// The instance list and the access log itself are personal reads: each read through the API or its admin page
/// writes its access-log line (who, what, how many, which advisors), before the data leaves.
/// </summary>
public sealed class PersonalReadsLoggedTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    sealed class Line
    {
        public Guid? UserId { get; init; }
        public string Action { get; init; } = "";
        public int Records { get; init; }
        public Guid[]? SubjectIds { get; init; }
    }

    async Task<List<Line>> LinesAsync(string action) => await _host.QueryAsync<Line>(
        "SELECT user_id AS UserId, action AS Action, records AS Records, subject_ids AS SubjectIds FROM access_log WHERE action = @action ORDER BY seq",
        new { action });

    async Task OkAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task Instance_lists_are_logged_with_the_advisors_they_show_through_the_api_and_the_page()
    {
        Assert.Empty(await LinesAsync("instances.list"));

        await OkAsync(_host.As("admin"), "/api/instances");
        await OkAsync(_host.As("admin:cookie"), "/admin/instances");

        var lines = await LinesAsync("instances.list");
        Assert.Equal(2, lines.Count);
        var instances = (await _host.QueryAsync<int>("SELECT count(*)::int FROM workflow_instance"))[0];
        Assert.All(lines, l =>
        {
            Assert.Equal(_host.Data.Users["admin"], l.UserId);
            Assert.Equal(instances, l.Records);
            Assert.Contains(_host.Data.AdvisorA, l.SubjectIds!);
            Assert.Contains(_host.Data.AdvisorB, l.SubjectIds!);
        });
    }

    [Fact]
    public async Task Reading_or_exporting_the_access_log_is_itself_logged_through_the_api_and_the_page()
    {
        // Something to read: a read of advisor A.
        await OkAsync(_host.As("hrA"), $"/api/advisors/{_host.Data.AdvisorA}");

        await OkAsync(_host.As("admin"), $"/api/access-log?subjectId={_host.Data.AdvisorA}");
        await OkAsync(_host.As("admin"), "/api/access-log/export.csv");
        await OkAsync(_host.As("admin:cookie"), "/admin/journal-des-acces");
        await OkAsync(_host.As("admin:cookie"), "/admin/journal-des-acces?handler=csv");

        var lists = await LinesAsync("access-log.list");
        Assert.Equal(2, lists.Count);
        Assert.All(lists, l => Assert.Equal(_host.Data.Users["admin"], l.UserId));
        // The API's read asked "who read advisor A?": it found that line, and names advisor A.
        Assert.True(lists[0].Records >= 1);
        Assert.Contains(_host.Data.AdvisorA, lists[0].SubjectIds!);
        var exports = await LinesAsync("access-log.export");
        Assert.Equal(2, exports.Count);
        Assert.All(exports, l => Assert.Equal(_host.Data.Users["admin"], l.UserId));
    }
}

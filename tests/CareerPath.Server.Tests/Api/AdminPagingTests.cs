using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// The administration's and the caller's own lists page by keyset (limit, after, next): each row once,
/// in a stable order, rows added meanwhile never shifting the pages still to read; a limit out of
/// range or a cursor of another list is a 400; the access-log export holds every row.
/// </summary>
public sealed class AdminPagingTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    static readonly string[] Lists =
    [
        "/api/users", "/api/auth/tokens", "/api/instances", "/api/instances/{instance}/journal", "/api/incidents?all=true", "/api/outbox", "/api/access-log",
    ];

    string Url(string list) => list.Replace("{instance}", _host.Data.InstanceA.ToString());

    static string With(string url, string query) => url + (url.Contains('?') ? "&" : "?") + query;

    /// <summary>Every item of a list, read page by page; <paramref name="between"/> runs after each page.</summary>
    async Task<List<JsonNode>> ReadAllAsync(string url, int limit, Func<Task>? between = null)
    {
        var items = new List<JsonNode>();
        string? after = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, $"{url}: the pages never end");
            var page = JsonNode.Parse(await _host.As("admin").GetStringAsync(With(url, $"limit={limit}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}"))))!;
            var batch = page["items"]!.AsArray().Select(i => i!).ToList();
            Assert.True(batch.Count <= limit, $"{url}: {batch.Count} items for limit={limit}");
            items.AddRange(batch);
            after = page["next"]?.GetValue<string>();
            if (after is null) return items;
            Assert.NotEmpty(batch);
            if (between is not null) await between();
        }
    }

    [Fact]
    public async Task Every_list_refuses_a_limit_out_of_range_and_a_cursor_that_is_not_its_own()
    {
        // Reads of personal data, so that the access log has more than one row.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await _host.As("hrA").GetAsync("/api/advisors")).StatusCode);
        var cursors = new Dictionary<string, string>();
        foreach (var list in Lists)
        {
            var url = Url(list);
            foreach (var limit in new[] { "0", "1001", "-5", "abc" })
                Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("admin").GetAsync(With(url, $"limit={limit}"))).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("admin").GetAsync(With(url, "after=pas-un-curseur"))).StatusCode);
            var first = JsonNode.Parse(await _host.As("admin").GetStringAsync(With(url, "limit=1")))!;
            if (first["next"]?.GetValue<string>() is { } next) cursors[list] = next;
        }
        // A cursor of one list means nothing to a list whose key is of another kind.
        var kinds = new Dictionary<string, string>
        {
            ["/api/users"] = "address", ["/api/auth/tokens"] = "id", ["/api/instances"] = "id", ["/api/instances/{instance}/journal"] = "number",
            ["/api/access-log"] = "number", ["/api/incidents?all=true"] = "instant and id", ["/api/outbox"] = "instant and id",
        };
        Assert.Contains("/api/users", cursors.Keys);
        Assert.Contains("/api/access-log", cursors.Keys);
        Assert.Contains("/api/instances", cursors.Keys);
        foreach (var (list, cursor) in cursors)
            foreach (var other in Lists.Where(o => kinds[o] != kinds[list]))
            {
                var response = await _host.As("admin").GetAsync(With(Url(other), $"after={Uri.EscapeDataString(cursor)}"));
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{list}'s cursor on {other}: {(int)response.StatusCode}");
            }
    }

    [Fact]
    public async Task Accounts_page_by_address_each_once_with_accounts_created_meanwhile()
    {
        var created = 0;
        var seen = await ReadAllAsync("/api/users", 2, async () =>
        {
            created++;
            var response = await _host.As("admin").PostAsJsonAsync("/api/users",
                new { email = $"pendant-{created:D2}@careerpath.test", displayName = "Pendant", role = "auditor", password = "un-mot-de-passe-long" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        });
        var emails = seen.Select(u => u["email"]!.GetValue<string>()).ToList();
        Assert.Equal(emails.Count, emails.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // In the database's order of addresses (its collation, not .NET's), whatever was added meanwhile.
        var all = await _host.QueryAsync<string>("SELECT email FROM app_user ORDER BY lower(email)");
        Assert.Equal(all.Where(emails.Contains).ToList(), emails);
        // Every account that existed before the first page is read; those created meanwhile at most once.
        Assert.Superset(all.Where(e => !e.StartsWith("pendant-")).ToHashSet(), emails.ToHashSet());
        Assert.True(created > 0);
    }

    [Fact]
    public async Task The_access_log_pages_in_order_and_its_export_holds_every_row()
    {
        // More rows than the largest page: the list needs several pages, the export none.
        await _host.QueryAsync<int>("""
            INSERT INTO access_log (at, user_id, user_role, action, subject_kind, subject_id, records)
            SELECT @at, @user, 'admin', 'paging.test', 'advisor', @advisor, 1 FROM generate_series(1, 2500)
            RETURNING 1
            """, new { at = ApiHost.Start, user = _host.Data.Users["admin"], advisor = _host.Data.AdvisorA });
        var url = $"/api/access-log?subjectId={_host.Data.AdvisorA}";
        const string LogRead = "access-log.list";
        var before = (await _host.QueryAsync<long>("SELECT count(*) FROM access_log WHERE (subject_id = @a OR subject_ids @> ARRAY[@a]) AND action <> @read",
            new { a = _host.Data.AdvisorA, read = LogRead }))[0];

        var rows = await ReadAllAsync(url, 1000);
        var seqs = rows.Select(r => r["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(seqs.Order().ToList(), seqs);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        // Reading the log is itself a logged read (the first page's line comes back on a later page); apart from
        // those lines, the pages hold exactly the rows that were there.
        Assert.Equal(before, rows.Count(r => r["action"]!.GetValue<string>() != LogRead));
        Assert.Contains(rows, r => r["action"]!.GetValue<string>() == LogRead);
        Assert.Equal(2500, rows.Count(r => r["action"]!.GetValue<string>() == "paging.test"));

        var csv = await _host.As("admin").GetStringAsync($"/api/access-log/export.csv?subjectId={_host.Data.AdvisorA}");
        Assert.Equal(2500, csv.Split('\n').Count(line => line.Contains(",paging.test,", StringComparison.Ordinal)));
        Assert.StartsWith("\uFEFFseq,at,userId", csv);
    }

    [Fact]
    public async Task Instances_and_their_journal_page_each_once_in_a_stable_order()
    {
        var all = await ReadAllAsync("/api/instances", 1);
        var ids = all.Select(i => i["id"]!.GetValue<Guid>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal((await _host.QueryAsync<Guid>("SELECT id FROM workflow_instance ORDER BY id")).ToList(), ids);

        var journal = await ReadAllAsync($"/api/instances/{_host.Data.InstanceA}/journal", 1);
        var seqs = journal.Select(j => j["seq"]!.GetValue<int>()).ToList();
        Assert.Equal((await _host.QueryAsync<int>("SELECT seq FROM workflow_journal WHERE instance_id = @i ORDER BY seq", new { i = _host.Data.InstanceA })).ToList(), seqs);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("admin").GetAsync($"/api/instances/{Guid.NewGuid()}/journal")).StatusCode);
    }
}

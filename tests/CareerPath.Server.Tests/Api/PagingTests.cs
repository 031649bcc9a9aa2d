using System.Net;
using System.Text.Json.Nodes;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// Keyset paging through the API: every list answers { items, next }, a client reads a big list page by
/// page and gets each row exactly once even while rows are being inserted, and bad limits and cursors are 400.
/// </summary>
public sealed class PagingTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>
    /// <paramref name="count"/> contracts (each with its own structure, post and advisor), written straight
    /// into the records with SQL: no workflow instance, which the list must not need.
    /// </summary>
    async Task InsertContractsAsync(int count, string tag)
    {
        await using var conn = await _host.DataSource.OpenConnectionAsync();
        await using var command = conn.CreateCommand();
        command.CommandText = """
            CREATE TEMP TABLE IF NOT EXISTS bulk (n int, structure_id uuid, post_id uuid, advisor_id uuid, contract_id uuid);
            TRUNCATE bulk;
            INSERT INTO bulk SELECT n, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid() FROM generate_series(1, @count) n;
            INSERT INTO structure (id, name, kind, legal_regime)
                 SELECT structure_id, 'Commune ' || @tag || '-' || n, 'Commune', 'Public' FROM bulk;
            INSERT INTO funded_post (id, structure_id, label) SELECT post_id, structure_id, 'Poste ' || n FROM bulk;
            INSERT INTO advisor (id, full_name, work_email, structure_id)
                 SELECT advisor_id, 'Conseiller ' || @tag || '-' || n, 'conseiller.' || @tag || '-' || n || '@paging.test', structure_id FROM bulk;
            INSERT INTO contract (id, advisor_id, post_id, contract_type, legal_regime, start_date, end_date, effective_end)
                 SELECT contract_id, advisor_id, post_id, 'Cdd', 'Public', DATE '2026-01-05', DATE '2027-01-04', DATE '2027-01-04' FROM bulk;
            """;
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("tag", tag);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Twelve_thousand_contracts_are_listed_page_by_page_each_exactly_once_while_rows_are_inserted()
    {
        await InsertContractsAsync(12_000, "base");
        var before = (await _host.QueryAsync<Guid>("SELECT id FROM contract")).ToHashSet();
        Assert.True(before.Count >= 12_000);

        var seen = new List<Guid>();
        var pages = 0;
        var inserted = 0;
        string? after = null;
        // Rows keep arriving from another connection the whole time, besides those inserted between two pages.
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var round = 0;
            while (!stop.IsCancellationRequested)
            {
                await InsertContractsAsync(20, $"concurrent{round++}");
                await Task.Delay(5);
            }
            return round * 20;
        });
        do
        {
            var url = "/api/contracts?limit=1000" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");
            var response = await _host.As("admin").GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await ApiHost.ReadJsonAsync(response);
            var items = page["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 1000);
            seen.AddRange(items.Select(i => i!["id"]!.GetValue<Guid>()));
            after = page["next"]?.GetValue<string>();
            pages++;
            await InsertContractsAsync(25, $"between{pages}");
            inserted += 25;
        } while (after is not null);
        stop.Cancel();
        inserted += await writer;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(before.Except(seen));
        Assert.True(pages >= 12, $"{pages} pages");
        // Keyset order: ids only ever grow from one page to the next.
        Assert.Equal(seen.Select(g => g.ToString()).Order(StringComparer.Ordinal), seen.Select(g => g.ToString()));
        var total = (await _host.QueryAsync<long>("SELECT count(*) FROM contract"))[0];
        Assert.Equal(before.Count + inserted, total);
    }

    [Theory]
    [InlineData("/api/contracts?limit=0")]
    [InlineData("/api/contracts?limit=1001")]
    [InlineData("/api/contracts?limit=-5")]
    [InlineData("/api/contracts?limit=abc")]
    [InlineData("/api/contracts?after=pas-un-curseur")]
    [InlineData("/api/contracts?after=%%%%")]
    [InlineData("/api/advisors?limit=100000")]
    [InlineData("/api/advisors?after=Zm9v")]
    [InlineData("/api/structures?limit=0")]
    [InlineData("/api/posts?after=Zm9v")]
    [InlineData("/api/tasks/mine?after=Zm9v")]
    [InlineData("/api/deadlines?limit=1001")]
    [InlineData("/api/deadlines?after=Zm9v")]
    [InlineData("/api/reports/outcomes/records?limit=0")]
    [InlineData("/api/audit/decisions?after=Zm9v")]
    [InlineData("/api/calendar-feeds?limit=2000")]
    public async Task A_limit_out_of_range_or_a_cursor_that_is_not_one_is_a_400_problem(string url)
    {
        var response = await _host.As(url.Contains("calendar") ? "hrA" : "admin").GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_cursor_works_only_on_its_own_list_and_pages_end_with_a_null_next()
    {
        await InsertContractsAsync(5, "small");
        var first = await ApiHost.ReadJsonAsync(await _host.As("admin").GetAsync("/api/contracts?limit=2"));
        Assert.Equal(2, first["items"]!.AsArray().Count);
        var next = first["next"]!.GetValue<string>();
        // A contract cursor means nothing to another list, even one whose key is an id too.
        foreach (var other in new[] { "/api/deadlines", "/api/advisors", "/api/posts", "/api/structures", "/api/reports/outcomes/records", "/api/tasks/mine" })
            Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("admin").GetAsync($"{other}?after={Uri.EscapeDataString(next)}")).StatusCode);

        var ids = first["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
        for (string? after = next; after is not null;)
        {
            var page = await ApiHost.ReadJsonAsync(await _host.As("admin").GetAsync($"/api/contracts?limit=2&after={Uri.EscapeDataString(after)}"));
            ids.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            after = page["next"]?.GetValue<string>();
        }
        Assert.Equal((await _host.QueryAsync<Guid>("SELECT id FROM contract ORDER BY id")).Select(g => g.ToString()), ids.Select(g => g.ToString()));
        // Without limit, 100 at most; a list that fits in one page says there is no next one.
        var all = await ApiHost.ReadJsonAsync(await _host.As("admin").GetAsync("/api/contracts"));
        Assert.Equal(ids.Count, all["items"]!.AsArray().Count);
        Assert.Null(all["next"]);
    }

    [Fact]
    public async Task Every_list_is_a_page_and_its_limit_and_after_are_documented()
    {
        foreach (var url in new[] { "/api/contracts", "/api/advisors", "/api/structures", "/api/posts", "/api/tasks/mine", "/api/deadlines",
                     "/api/reports/outcomes/records", "/api/audit/decisions" })
        {
            var page = await ApiHost.ReadJsonAsync(await _host.As("admin").GetAsync(url));
            Assert.NotNull(page["items"]);
            Assert.True(page.AsObject().ContainsKey("next"), url);
        }
        var document = JsonNode.Parse(await _host.Anonymous().GetStringAsync("/openapi/v1.json"))!;
        var parameters = document["paths"]!["/api/contracts"]!["get"]!["parameters"]!.AsArray();
        var limit = parameters.Single(p => p!["name"]!.GetValue<string>() == "limit")!;
        var after = parameters.Single(p => p!["name"]!.GetValue<string>() == "after")!;
        Assert.Equal(PageRequest.LimitDescription, limit["description"]!.GetValue<string>());
        Assert.Equal(PageRequest.AfterDescription, after["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_deadlines_csv_holds_every_deadline_not_one_page()
    {
        var json = await ApiHost.ReadJsonAsync(await _host.As("admin").GetAsync("/api/deadlines?from=2026-01-01&to=2030-12-31&limit=1"));
        var total = 1;
        for (var after = json["next"]?.GetValue<string>(); after is not null; total++)
        {
            var page = await ApiHost.ReadJsonAsync(await _host.As("admin").GetAsync($"/api/deadlines?from=2026-01-01&to=2030-12-31&limit=1&after={Uri.EscapeDataString(after)}"));
            Assert.Single(page["items"]!.AsArray());
            after = page["next"]?.GetValue<string>();
        }
        Assert.True(total > 2, $"{total} deadlines");
        var csv = await _host.As("admin").GetStringAsync("/api/deadlines/export.csv?from=2026-01-01&to=2030-12-31");
        Assert.Equal(total + 1, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var logged = await _host.QueryAsync<int>("SELECT records FROM access_log WHERE action = 'deadlines.export' ORDER BY seq DESC LIMIT 1");
        Assert.Equal(total, Assert.Single(logged));
    }
}

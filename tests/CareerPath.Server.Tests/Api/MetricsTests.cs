using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CareerPath.Server.Hosting;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// Metric listeners subscribe by meter name, process-wide: another test's host running at the same time would
/// show its own database's gauges and transitions in this host's scrape. This class runs alone.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>/metrics: the engine's gauges equal the database's counts, the engine counts committed transitions, and only administrators or allowed addresses read them.</summary>
[Collection(nameof(MetricsTests))]
public sealed class MetricsTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync(new()
    {
        ["CareerPath:Metrics:AllowedAddresses"] = "192.0.2.10, 198.51.100.0/24",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_administrators_scrape_shows_the_database_as_it_is_and_the_transitions_the_engine_committed()
    {
        var now = _host.Clock.GetUtcNow();
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM workflow_timer WHERE fired_at IS NULL AND due_at <= @now", new { now }));
        // Two pending timers made due: one a minute ago, one twenty minutes ago (overdue: past the 15-minute default).
        // Not contract A's: its amendment, below, must find it as the data set left it.
        var timers = await _host.QueryAsync<long>("SELECT id FROM workflow_timer WHERE fired_at IS NULL AND instance_id <> @a ORDER BY due_at, id LIMIT 2",
            new { a = _host.Data.InstanceA });
        await _host.QueryAsync<int>("UPDATE workflow_timer SET due_at = @at WHERE id = @id RETURNING 1", new { at = now.AddMinutes(-1), id = timers[0] });
        await _host.QueryAsync<int>("UPDATE workflow_timer SET due_at = @at WHERE id = @id RETURNING 1", new { at = now.AddMinutes(-20), id = timers[1] });
        await InsertFailedMessageAsync();
        await _host.QueryAsync<int>("""
            INSERT INTO incident (id, effect, effect_ref, error, attempts, created_at) VALUES (@id, 'metrics-test', 'x', 'arrangé par le test', 1, @now) RETURNING 1
            """, new { id = Guid.NewGuid(), now });
        Assert.Equal(1, await ScalarAsync("UPDATE mail_circuit SET unreachable_since = @now, next_probe_at = @now WHERE id = 1 RETURNING 1", new { now }));

        var scrape = await ScrapeAsync();
        Assert.Equal(2, Value(scrape, "careerpath_timers_due"));
        Assert.Equal(1, Value(scrape, "careerpath_timers_overdue"));
        Assert.Equal(20 * 60, Value(scrape, "careerpath_sweep_lag_seconds"));
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM incident WHERE resolved_at IS NULL"), Value(scrape, "careerpath_incidents_open"));
        var outbox = await _host.QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM outbox_message GROUP BY status");
        Assert.Contains(outbox, o => o.Status == "Failed");
        foreach (var (status, count) in outbox)
            Assert.Equal(count, Value(scrape, "careerpath_outbox_messages", $"outbox_status=\"{status}\""));
        Assert.Equal(1, Value(scrape, "careerpath_smtp_circuit_open"));
        // ASP.NET Core's and Npgsql's own metrics are there too; no label carries a name or an address.
        Assert.Contains("http_server_request_duration_seconds_count{", scrape);
        Assert.Matches(new Regex(@"^db_client_\w+\{", RegexOptions.Multiline), scrape);
        foreach (var personal in DataSet.PersonalStrings) Assert.DoesNotContain(personal, scrape, StringComparison.OrdinalIgnoreCase);

        // One reading serves every scrape for a few seconds: a message written now shows after that, not before.
        await InsertFailedMessageAsync();
        var failed = Value(scrape, "careerpath_outbox_messages", "outbox_status=\"Failed\"");
        Assert.Equal(failed, Value(await ScrapeAsync(), "careerpath_outbox_messages", "outbox_status=\"Failed\""));
        _host.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(failed + 1, Value(await ScrapeAsync(), "careerpath_outbox_messages", "outbox_status=\"Failed\""));

        // Transitions: the sweep's timers count as "timer" once committed, a person's amendment as "signal".
        var before = await ScrapeAsync();
        var amended = await _host.As("hrA").PostAsync($"/api/contracts/{_host.Data.ContractA}/amendments",
            new StringContent("""{"newEnd":"2027-01-31","reason":"Avenant des métriques"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
        var swept = await _host.App.Services.GetRequiredService<Sweeper>().SweepAllDueAsync();
        Assert.True(swept.Fired > 0, $"nothing fired: {swept}");
        _host.Clock.Advance(TimeSpan.FromSeconds(6));
        var after = await ScrapeAsync();
        Assert.Equal(swept.Fired, Sum(after, "careerpath_transitions_total", "workflow_trigger_kind=\"timer\"")
            - Sum(before, "careerpath_transitions_total", "workflow_trigger_kind=\"timer\""));
        string[] contract = [$"workflow_definition=\"{AdvisorContractWorkflow.DefinitionId}\"", "workflow_trigger_kind=\"signal\""];
        Assert.True(Sum(after, "careerpath_transitions_total", contract) >= Sum(before, "careerpath_transitions_total", contract) + 1);
        Assert.Equal(0, Value(after, "careerpath_timers_due"));
        Assert.Equal(0, Value(after, "careerpath_sweep_lag_seconds"));
    }

    [Fact]
    public async Task Only_administrators_and_allowed_addresses_read_the_metrics()
    {
        var anonymous = await _host.Anonymous().GetAsync(Metrics.Path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("hrA").GetAsync(Metrics.Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("hrA:cookie").GetAsync(Metrics.Path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.As("admin:cookie").GetAsync(Metrics.Path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.As("admin").GetAsync(Metrics.Path)).StatusCode);

        // Without credentials: a configured address or network gets in; loopback is not allowed unless configured.
        Assert.Equal(StatusCodes.Status200OK, await FromAsync("192.0.2.10"));
        Assert.Equal(StatusCodes.Status200OK, await FromAsync("::ffff:198.51.100.7"));
        Assert.Equal(StatusCodes.Status401Unauthorized, await FromAsync("192.0.2.11"));
        Assert.Equal(StatusCodes.Status401Unauthorized, await FromAsync("127.0.0.1"));
    }

    async Task<int> FromAsync(string address)
    {
        var context = await _host.App.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = Metrics.Path;
            c.Connection.RemoteIpAddress = IPAddress.Parse(address);
        });
        // Read to the end, as a scraper does: the exporter holds its collection until the body is written, and a scrape
        // too big for the test server's buffer, left unread, held it for good (the next scrape then waited 60 s for a 408).
        // Npgsql's meter is process-wide, so after a whole test run the scrape holds every data source the run made.
        await context.Response.Body.CopyToAsync(Stream.Null);
        return context.Response.StatusCode;
    }

    async Task<string> ScrapeAsync()
    {
        var response = await _host.As("admin").GetAsync(Metrics.Path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    Task InsertFailedMessageAsync() => _host.QueryAsync<int>("""
        INSERT INTO outbox_message (id, created_at, recipient_role, recipient_address, template_id, data, dedupe_key, status, attempts, next_attempt_at)
        VALUES (@id, @now, 'hr', 'refuse@example.invalid', 'metrics-test', '{}', @id::text, 'Failed', 8, @now) RETURNING 1
        """, new { id = Guid.NewGuid(), now = _host.Clock.GetUtcNow() });

    async Task<long> ScalarAsync(string sql, object? args = null) => (await _host.QueryAsync<long>(sql, args)).Single();

    /// <summary>The samples of a metric (text exposition format) whose labels contain <paramref name="labels"/>.</summary>
    static IEnumerable<double> Samples(string scrape, string name, params string[] labels) =>
        Regex.Matches(scrape, $@"^{name}(?:\{{([^}}]*)\}})? (\S+)", RegexOptions.Multiline)
            .Where(m => labels.All(m.Groups[1].Value.Contains))
            .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    static double Value(string scrape, string name, params string[] labels) => Assert.Single(Samples(scrape, name, labels));

    static double Sum(string scrape, string name, params string[] labels) => Samples(scrape, name, labels).Sum();
}

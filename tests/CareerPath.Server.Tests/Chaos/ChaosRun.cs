using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CareerPath.Server.Hosting;
using CareerPath.Server.Security;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Tests.Chaos;

/// <summary>
/// One chaos run on one database set-up: nodes started, data created through the API, then keyed
/// signals spread over a while, with nodes SIGKILLed and restarted, the database faulted, the
/// shared clock moving (timers fall due, reminders go out), then an SMTP outage of hours of
/// skipped time; at the end, what the database and smtp4dev hold is checked: every keyed signal
/// made exactly one transition, every timer due fired once, every message delivered once (a
/// duplicate only from a fault during delivery, counted), nothing lost.
/// </summary>
public sealed partial class ChaosRun(ChaosSize size, ChaosDatabase database, Smtp4Dev smtp, string folder) : IAsyncDisposable
{
    const string AdminEmail = "admin@chaos.test";
    const string AdminPassword = "mot-de-passe-chaos-admin";
    // The pages' antiforgery field (WebSetup's AddAntiforgery).
    const string AntiforgeryField = "__jeton";
    const string HrEmail = "rh0@chaos.test";
    const string HrPassword = "mot-de-passe-chaos-rh";
    // How long after a copy was received a fault still explains a second copy: the time between the
    // SMTP server's acceptance and the row marked sent is milliseconds, a loaded machine makes it seconds.
    static readonly TimeSpan SendThenCrashWindow = TimeSpan.FromSeconds(5);

    readonly ChaosLog _log = new();
    readonly string _clockFile = Path.Combine(folder, "clock-offset");
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    ChaosNodes _nodes = null!;
    TimeSpan _offset = TimeSpan.Zero;
    string _token = "";
    readonly List<Guid> _contracts = [];
    readonly List<Guid> _structures = [];
    readonly ConcurrentDictionary<string, SignalOutcome> _signals = new();
    readonly List<Smtp4Dev.Received> _received = [];
    int _connectionErrors, _unavailable, _conflicts, _duplicateAnswers;
    int _outagePending, _outageMaxAttempts, _outageFailed, _outageIncidents;
    TimeSpan _outageSkipped, _outageLead;
    readonly Stopwatch _wall = Stopwatch.StartNew();

    sealed record SignalOutcome(Guid Contract, bool Acknowledged, string Last);

    public ChaosLog Log => _log;

    int PhaseSignals => _signals.Keys.Count(k => int.TryParse(k[(k.LastIndexOf('-') + 1)..], out _));

    DateTimeOffset Now => TimeProvider.System.GetUtcNow() + _offset;

    public async Task<string> RunAsync()
    {
        Directory.CreateDirectory(folder);
        OffsetFileClock.Write(_clockFile, _offset);
        _nodes = new ChaosNodes(
        [
            "--Smtp:Host=127.0.0.1", $"--Smtp:Port={smtp.SmtpPort}", "--Smtp:Security=None",
            // The mail circuit's incident after an hour unreachable (the outage below lasts three).
            "--Smtp:OutageIncidentAfter=01:00:00",
            $"--CareerPath:Clock:OffsetFile={_clockFile}", "--CareerPath:Jobs:SweepInterval=00:00:01",
            "--CareerPath:RateLimits:ApiPerUserPerMinute=1000000", "--CareerPath:RateLimits:ApiPerIpPerMinute=1000000",
            "--CareerPath:RateLimits:LoginPerIpPerMinute=1000",
            $"--CareerPath:KeysFolder={Path.Combine(folder, "keys")}",
            $"--CareerPath:PickupFolder={Path.Combine(folder, "mail")}",
        ], database.NodeArgs, _log);
        for (var i = 0; i < size.Nodes; i++) _nodes.Add();
        if (database.FirstNodeAlone)
        {
            await _nodes.StartAsync(_nodes.Nodes[0], TimeSpan.FromSeconds(120));
            await Task.WhenAll(_nodes.Nodes.Skip(1).Select(n => _nodes.StartAsync(n, TimeSpan.FromSeconds(120))));
        }
        else await Task.WhenAll(_nodes.Nodes.Select(n => _nodes.StartAsync(n, TimeSpan.FromSeconds(120))));
        if (_nodes.Nodes.Any(n => !n.Healthy)) return Report();
        _log.Note($"{size.Nodes} nodes healthy after {_wall.Elapsed.TotalSeconds:0} s");

        await CreateAdminAsync();
        await SeedAsync();
        await SettleAsync("after seeding", TimeSpan.Zero);
        await StaleFormCheckAsync();
        await KeyReuseCheckAsync();

        await ChaosPhaseAsync();
        await _nodes.WaitForRestartsAsync();
        await SettleAsync("after the chaos phase", TimeSpan.FromHours(2));
        await SmtpOutageAsync();
        await SettleAsync("after the SMTP outage", TimeSpan.FromHours(2));
        _received.AddRange(await smtp.MessagesAsync());
        await CheckAsync();
        return Report();
    }

    // ---- set-up ----

    async Task CreateAdminAsync()
    {
        await using var db = NpgsqlDataSource.Create(database.CheckConnection());
        var accounts = new Accounts(new AccountStore(db), TimeProvider.System, new AccountOptions());
        var id = await accounts.CreateAsync(new NewAccount(AdminEmail, "Chaos", Roles.Admin, AdminPassword, [], null));
        (_, _token) = await accounts.CreateTokenAsync(id, "chaos", null);
    }

    async Task SeedAsync()
    {
        var node = _nodes.Nodes[0].Url;
        async Task<Guid> Post(string path, object body)
        {
            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, node + path) { Content = JsonContent.Create(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                var response = await _http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                // The post's own workflow moved under the contract (its timers fire meanwhile): the API says to try again,
                // and the same record sent again is the same record.
                if (response.StatusCode == HttpStatusCode.BadRequest && text.Contains("réessayez") && attempt < 20) { await Task.Delay(300); continue; }
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
                return JsonNode.Parse(text)!["id"]!.GetValue<Guid>();
            }
        }
        // Contracts that started three months ago and run two years: the clock skipped in the run stays inside them.
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        var start = today.AddDays(-90);
        var structures = _structures;
        for (var s = 0; s < Math.Max(2, size.Contracts / 4); s++)
            structures.Add(await Post("/api/structures", new
            {
                name = $"Structure chaos {database.Name} {s}", kind = "Commune", legalRegime = "Public",
                hrName = $"RH {s}", hrEmail = $"rh{s}@chaos.test",
            }));
        for (var c = 0; c < size.Contracts; c++)
        {
            var structure = structures[c % structures.Count];
            var post = await Post("/api/posts", new { structureId = structure, label = $"Poste {c}", wave = "FirstWave", grantStart = Iso(start.AddDays(-31)) });
            var advisor = await Post("/api/advisors", new { structureId = structure, fullName = $"Conseiller {c}", workEmail = $"conseiller{c}@chaos.test", hasRecognisedDisability = false });
            _contracts.Add(await Post("/api/contracts", new { advisorId = advisor, postId = post, type = "Cdd", start = Iso(start), end = Iso(start.AddYears(2).AddDays(-1)) }));
        }
        _log.Note($"seeded {structures.Count} structures and {size.Contracts} contracts through the API");
    }

    static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd");

    // ---- the two checks of refusals ----

    /// <summary>A form shown at one version and posted after the contract moved on is refused (409) and changes nothing.</summary>
    async Task StaleFormCheckAsync()
    {
        var node = _nodes.Nodes[0].Url;
        var contract = _contracts[0];
        // The HR manager of the contract's structure, who fills these forms.
        await using (var db = NpgsqlDataSource.Create(database.CheckConnection()))
            await new Accounts(new AccountStore(db), TimeProvider.System, new AccountOptions())
                .CreateAsync(new NewAccount(HrEmail, "RH chaos", Roles.Hr, HrPassword, [_structures[0]], null));
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        var login = await browser.PostAsJsonAsync($"{node}/api/auth/login", new { email = HrEmail, password = HrPassword });
        if (!login.IsSuccessStatusCode) { _log.Fail($"stale-form check: sign-in answered {(int)login.StatusCode}"); return; }
        var form = await browser.GetAsync($"{node}/contrats/{contract}/modules");
        var page = await form.Content.ReadAsStringAsync();
        var version = HiddenValue(page, "version");
        var token = HiddenValue(page, AntiforgeryField);
        if (version is null || token is null)
        {
            var title = Regex.Match(page, "<title>([^<]*)</title>").Groups[1].Value;
            _log.Fail($"stale-form check: GET /contrats/{{id}}/modules answered {(int)form.StatusCode} « {title} » {form.Headers.Location} without a version or antiforgery field");
            return;
        }

        // Someone else records a module in the meantime: the form's version is now out of date.
        if (!(await SignalAsync(contract, $"chaos-{database.Name}-stale-bump", new { title = "Module concurrent", hours = 2 })).Acknowledged)
        { _log.Fail("stale-form check: the concurrent signal failed"); return; }
        var before = await FingerprintAsync(contract);
        var post = await browser.PostAsync($"{node}/contrats/{contract}/modules", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["title"] = "Module périmé", ["hours"] = "3", ["version"] = version, [AntiforgeryField] = token,
        }));
        var after = await FingerprintAsync(contract);
        if (post.StatusCode != HttpStatusCode.Conflict)
            _log.Fail($"stale-form check: a form posted at version {version} after the contract moved on answered {(int)post.StatusCode}, not 409");
        if (before != after) _log.Fail($"stale-form check: the refused form changed the instance ({before} → {after})");
        _log.Note($"stale-form check: a form at version {version} posted after a concurrent change answered {(int)post.StatusCode}; instance {(before == after ? "unchanged" : "CHANGED")}");
    }

    static string? HiddenValue(string html, string name)
    {
        var input = Regex.Match(html, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*>");
        if (!input.Success) return null;
        var value = Regex.Match(input.Value, "value=\"([^\"]*)\"");
        return value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : null;
    }

    async Task<string> FingerprintAsync(Guid contract)
    {
        await using var conn = new NpgsqlConnection(database.CheckConnection());
        return await conn.ExecuteScalarAsync<string>("""
            SELECT i.version || '/' || md5(i.data::text) || '/' || (SELECT count(*) FROM workflow_journal j WHERE j.instance_id = i.id)
              FROM workflow_instance i WHERE i.subject_id = @contract
            """, new { contract }) ?? "";
    }

    /// <summary>The same Idempotency-Key with another body is refused (422) and changes nothing; with the same body it is the first answer again.</summary>
    async Task KeyReuseCheckAsync()
    {
        var contract = _contracts[1 % _contracts.Count];
        var key = $"chaos-{database.Name}-reuse";
        var first = await SignalAsync(contract, key, new { title = "Module premier", hours = 2 });
        if (!first.Acknowledged) { _log.Fail($"key-reuse check: the first signal failed ({first.Last})"); return; }
        var before = await FingerprintAsync(contract);
        var other = await SendOnceAsync(contract, key, new { title = "Module autre", hours = 5 });
        var after = await FingerprintAsync(contract);
        var same = await SendOnceAsync(contract, key, new { title = "Module premier", hours = 2 });
        if (other.Status != 422)
            _log.Fail($"key-reuse check: the same key with another body answered {other.Status}, not 422 ({Shorten(other.Body)})");
        if (before != after) _log.Fail("key-reuse check: the refused request changed the instance");
        if (same.Status != 200 || JsonNode.Parse(same.Body)?["duplicate"]?.GetValue<bool>() != true)
            _log.Fail($"key-reuse check: the same key with the same body answered {same.Status} {Shorten(same.Body)}, not the first result marked duplicate");
        _log.Note($"key-reuse check: another body → {other.Status}, same body → {same.Status}");
    }

    async Task<(int Status, string Body)> SendOnceAsync(Guid contract, string key, object body)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var response = await _http.SendAsync(SignalRequest(_nodes.Pick(attempt)!.Url, contract, key, body));
                if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict) { await Task.Delay(200); continue; }
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(200); }
        }
        return (0, "no answer");
    }

    static string Shorten(string s) => s.Length > 300 ? s[..300] + "…" : s;

    // ---- the driver ----

    HttpRequestMessage SignalRequest(string node, Guid contract, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{node}/api/contracts/{contract}/thematic-modules") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    /// <summary>
    /// One keyed signal, as a careful client sends it: on a connection error, a timeout or a 503 the
    /// same key goes again to another node (a 409 — the sweeper held the instance — is sent again
    /// too); any other answer is final. Acknowledged means a 200.
    /// </summary>
    async Task<SignalOutcome> SignalAsync(Guid contract, string key, object body)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        for (var attempt = 0; clock.Elapsed < TimeSpan.FromMinutes(3); attempt++)
        {
            var node = _nodes.Pick(attempt);
            if (node is null) { await Task.Delay(200); continue; }
            try
            {
                using var response = await _http.SendAsync(SignalRequest(node.Url, contract, key, body));
                var text = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} from node {node.Index}: {Shorten(text)}";
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK:
                        if (JsonNode.Parse(text)?["duplicate"]?.GetValue<bool>() == true) Interlocked.Increment(ref _duplicateAnswers);
                        return _signals[key] = new SignalOutcome(contract, true, last);
                    case HttpStatusCode.ServiceUnavailable:
                        Interlocked.Increment(ref _unavailable);
                        var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(500);
                        await Task.Delay(wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait);
                        continue;
                    case HttpStatusCode.Conflict:
                        Interlocked.Increment(ref _conflicts);
                        await Task.Delay(100);
                        continue;
                    default:
                        return _signals[key] = new SignalOutcome(contract, false, last);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _connectionErrors);
                last = $"{e.GetType().Name} from node {node.Index}: {e.Message}";
                await Task.Delay(100);
            }
        }
        return _signals[key] = new SignalOutcome(contract, false, $"gave up after 3 minutes; last: {last}");
    }

    async Task ChaosPhaseAsync()
    {
        var begin = Stopwatch.StartNew();
        var next = -1;
        var acknowledged = 0;
        var baseline = _offset;
        var done = false;

        async Task Worker(int w)
        {
            var mine = _contracts.Where((_, i) => i % size.Workers == w).ToList();
            if (mine.Count == 0) mine = [_contracts[w % _contracts.Count]];
            for (var n = 0; ; n++)
            {
                var j = Interlocked.Increment(ref next);
                if (j >= size.Signals) return;
                // Spread over the phase, so that the kills and the database fault fall among them.
                var due = size.Duration * j / size.Signals;
                if (due > begin.Elapsed) await Task.Delay(due - begin.Elapsed);
                var outcome = await SignalAsync(mine[n % mine.Count], $"chaos-{database.Name}-{j}", new { title = $"Module {j}", hours = 1 + j % 7 });
                if (outcome.Acknowledged) Interlocked.Increment(ref acknowledged);
            }
        }

        async Task Clock()
        {
            while (!Volatile.Read(ref done))
            {
                var target = baseline + size.Skip * Volatile.Read(ref acknowledged) / size.Signals;
                if (target - _offset >= TimeSpan.FromHours(6)) MoveClock(target);
                await Task.Delay(500);
            }
        }

        async Task Kills()
        {
            var random = new Random(size.Signals);
            for (var k = 0; k < size.Kills; k++)
            {
                var due = size.Duration * (k + 0.5) / size.Kills;
                if (due > begin.Elapsed) await Task.Delay(due - begin.Elapsed);
                // Always one node left answering: the driver needs somewhere to go.
                var waited = Stopwatch.StartNew();
                List<ChaosNodes.Node> healthy;
                while ((healthy = _nodes.Nodes.Where(n => n.Healthy).ToList()).Count < 2 && waited.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(250);
                if (healthy.Count < 2) { _log.Fail($"kill {k + 1}: fewer than two healthy nodes for two minutes"); return; }
                await _nodes.KillAndRestartAsync(healthy[random.Next(healthy.Count)], TimeSpan.FromSeconds(180));
            }
        }

        async Task DatabaseFault()
        {
            var due = size.Duration / 2;
            if (due > begin.Elapsed) await Task.Delay(due - begin.Elapsed);
            try { await database.InjectFaultAsync(_log); }
            catch (Exception e) { _log.Fail($"the database fault could not be injected: {e.Message}"); }
        }

        var clock = Clock();
        await Task.WhenAll(Enumerable.Range(0, size.Workers).Select(w => Task.Run(() => Worker(w))).Append(Kills()).Append(DatabaseFault()));
        Volatile.Write(ref done, true);
        await clock;
        MoveClock(baseline + size.Skip);
        _log.Note($"chaos phase: {size.Signals} signals, {acknowledged} acknowledged, {_nodes.Kills} kills in {begin.Elapsed.TotalSeconds:0} s");
    }

    void MoveClock(TimeSpan offset)
    {
        if (offset <= _offset) return;
        _offset = offset;
        OffsetFileClock.Write(_clockFile, offset);
    }

    // ---- settling, the outage ----

    sealed record Backlog(int DueTimers, int Pending, int PendingDue);

    async Task<Backlog> BacklogAsync()
    {
        await using var conn = new NpgsqlConnection(database.CheckConnection());
        var now = Now;
        return await conn.QuerySingleAsync<Backlog>("""
            SELECT (SELECT count(*)::int FROM workflow_timer WHERE fired_at IS NULL AND due_at <= @now) AS DueTimers,
                   (SELECT count(*)::int FROM outbox_message WHERE status = 'Pending') AS Pending,
                   (SELECT count(*)::int FROM outbox_message WHERE status = 'Pending' AND next_attempt_at <= @now) AS PendingDue
            """, new { now });
    }

    /// <summary>
    /// Waits until every due timer fired and every message went; a message waiting for a later
    /// attempt (a retry, or the mail circuit's next probe) is brought forward by moving the clock five
    /// minutes at a time, at most <paramref name="maxSkip"/>.
    /// </summary>
    async Task SettleAsync(string phase, TimeSpan maxSkip)
    {
        var clock = Stopwatch.StartNew();
        var skipped = TimeSpan.Zero;
        var quiet = 0;
        Backlog? last = null;
        var stuck = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            Backlog backlog;
            try { backlog = await BacklogAsync(); }
            catch (NpgsqlException) { await Task.Delay(500); continue; }
            if (backlog is { DueTimers: 0, Pending: 0 })
            {
                if (++quiet >= 2) return;
            }
            else
            {
                quiet = 0;
                stuck = backlog == last ? stuck + 1 : 0;
                if (backlog.DueTimers == 0 && backlog.Pending > 0 && (backlog.PendingDue == 0 || stuck >= 3) && skipped < maxSkip)
                {
                    skipped += TimeSpan.FromMinutes(5);
                    MoveClock(_offset + TimeSpan.FromMinutes(5));
                    stuck = 0;
                }
            }
            last = backlog;
            await Task.Delay(700);
        }
        _log.Fail($"{phase}: not settled within 2 minutes (clock moved {skipped.TotalMinutes:0} min): {last}");
    }

    async Task SmtpOutageAsync()
    {
        // Everything delivered so far is read now: smtp4dev keeps its messages in memory only.
        _received.AddRange(await smtp.MessagesAsync());
        await smtp.StopAsync();
        _log.Fault("smtp-stop", "smtp4dev stopped");
        var began = _offset;
        // Reminders fall due while the server is away: the clock goes to the next timers until some wait.
        for (var i = 0; i < 15; i++)
        {
            await using (var conn = new NpgsqlConnection(database.CheckConnection()))
            {
                var pending = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM outbox_message WHERE status = 'Pending'");
                if (pending >= Math.Min(10, size.Contracts)) break;
                var next = await conn.ExecuteScalarAsync<DateTime?>("SELECT min(due_at) FROM workflow_timer WHERE fired_at IS NULL");
                if (next is null) break;
                MoveClock(new DateTimeOffset(DateTime.SpecifyKind(next.Value, DateTimeKind.Utc)) - TimeProvider.System.GetUtcNow() + TimeSpan.FromMinutes(1));
            }
            await Task.Delay(1200);
        }
        // Then three hours of outage, a quarter of an hour at a time, each step seen by every node's delivery loop.
        var outageStart = _offset;
        for (var step = 0; step < 12; step++)
        {
            MoveClock(_offset + TimeSpan.FromMinutes(15));
            await Task.Delay(1200);
        }
        await using (var conn = new NpgsqlConnection(database.CheckConnection()))
        {
            var figures = await conn.QuerySingleAsync<OutageFigures>("""
                SELECT count(*) FILTER (WHERE status = 'Pending')::int AS Pending,
                       coalesce(max(attempts) FILTER (WHERE status <> 'Sent'), 0)::int AS MaxAttempts,
                       count(*) FILTER (WHERE status = 'Failed')::int AS Failed FROM outbox_message
                """);
            (_outagePending, _outageMaxAttempts, _outageFailed) = (figures.Pending, figures.MaxAttempts, figures.Failed);
            _outageIncidents = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM incident WHERE effect <> 'timer' AND resolved_at IS NULL");
        }
        _outageSkipped = _offset - outageStart;
        _outageLead = outageStart - began;
        _log.Note($"SMTP outage: {_outageLead.TotalDays:0.0} days skipped to the next reminders, then {_outageSkipped.TotalHours:0.0} h with reminders waiting; " +
                  $"{_outagePending} messages pending, {_outageFailed} failed, highest attempts charged {_outageMaxAttempts}, {_outageIncidents} open incidents");
        await smtp.StartAgainAsync();
        _log.Fault("smtp-start", "smtp4dev started again");
    }

    // ---- the checks ----

    async Task CheckAsync()
    {
        await using var conn = new NpgsqlConnection(database.CheckConnection());
        var now = Now;

        // Every keyed signal: acknowledged, and exactly one journal row.
        var rows = (await conn.QueryAsync<KeyCount>(
            "SELECT idempotency_key AS Key, count(*)::int AS Count FROM workflow_journal WHERE idempotency_key LIKE 'chaos-%' GROUP BY idempotency_key"))
            .ToDictionary(r => r.Key, r => r.Count);
        var notAcknowledged = _signals.Where(s => !s.Value.Acknowledged).ToList();
        foreach (var (key, outcome) in notAcknowledged.Take(10))
            _log.Fail($"signal {key} not acknowledged ({rows.GetValueOrDefault(key)} transitions): {outcome.Last}");
        if (notAcknowledged.Count > 10) _log.Fail($"… and {notAcknowledged.Count - 10} more signals not acknowledged");
        var wrong = _signals.Where(s => s.Value.Acknowledged && rows.GetValueOrDefault(s.Key) != 1).ToList();
        foreach (var (key, _) in wrong.Take(10)) _log.Fail($"signal {key} acknowledged but made {rows.GetValueOrDefault(key)} transitions");
        if (wrong.Count > 10) _log.Fail($"… and {wrong.Count - 10} more signals with other than one transition");
        if (PhaseSignals < size.Signals) _log.Fail($"only {PhaseSignals} of {size.Signals} signals were sent");

        // Every timer due by the clock: fired once (a fired timer has its one journal row), none failed.
        var timers = await conn.QuerySingleAsync<TimerFigures>("""
            SELECT count(*)::int AS Due,
                   count(*) FILTER (WHERE fired_at IS NULL)::int AS Unfired,
                   count(*) FILTER (WHERE outcome = 'Fired')::int AS Fired,
                   count(*) FILTER (WHERE outcome = 'Ignored')::int AS Ignored,
                   count(*) FILTER (WHERE outcome = 'Failed')::int AS Failed,
                   count(*) FILTER (WHERE outcome = 'Fired' AND NOT EXISTS (SELECT 1 FROM workflow_journal j
                                    WHERE j.instance_id = t.instance_id AND j.idempotency_key = 'timer:' || t.id))::int AS Orphans,
                   (SELECT count(*)::int FROM (SELECT 1 FROM workflow_timer WHERE outcome = 'Fired'
                                               GROUP BY instance_id, name, due_on HAVING count(*) > 1) x) AS Twice
              FROM workflow_timer t WHERE due_at <= @now
            """, new { now });
        if (timers.Unfired > 0) _log.Fail($"{timers.Unfired} timers due by the clock never fired");
        if (timers.Failed > 0) _log.Fail($"{timers.Failed} timers failed (incidents)");
        if (timers.Orphans > 0) _log.Fail($"{timers.Orphans} timers marked fired without their transition");
        if (timers.Twice > 0) _log.Fail($"{timers.Twice} timer occurrences fired twice");

        // Every message delivered once: the outbox says sent, smtp4dev holds it; duplicates only from a fault during delivery.
        var outbox = (await conn.QueryAsync<OutboxRow>("SELECT id AS Id, status AS Status, attempts AS Attempts FROM outbox_message")).ToList();
        var copies = _received.GroupBy(r => r.Message.MessageId ?? "").ToDictionary(g => g.Key, g => g.OrderBy(r => r.ReceivedDate).ToList());
        var unsent = outbox.Where(m => m.Status != "Sent").ToList();
        if (unsent.Count > 0)
            _log.Fail($"{unsent.Count} outbox messages not sent: {string.Join(", ", unsent.GroupBy(m => m.Status).Select(g => $"{g.Count()} {g.Key} (attempts up to {g.Max(m => m.Attempts)})"))}");
        var lost = outbox.Where(m => m.Status == "Sent" && !copies.ContainsKey(OutboxDispatcher.MessageId(m.Id))).ToList();
        if (lost.Count > 0) _log.Fail($"{lost.Count} messages marked sent never reached the SMTP server (e.g. {lost[0].Id})");
        var known = outbox.Select(m => OutboxDispatcher.MessageId(m.Id)).ToHashSet();
        var strangers = copies.Keys.Where(k => !known.Contains(k)).ToList();
        if (strangers.Count > 0) _log.Fail($"{strangers.Count} messages received that no outbox row stands for (e.g. {strangers[0]})");
        var faults = _log.Faults.Where(f => f.Kind is "kill" or "postgres-restart" or "postmaster-kill").ToList();
        _explained = 0;
        _unexplained = 0;
        foreach (var (id, list) in copies.Where(c => c.Value.Count > 1))
        {
            // A copy is re-sent only when the row was not marked sent after the first: a node killed (or the
            // database lost) between the SMTP server's acceptance and the commit.
            var first = list[0].ReceivedDate;
            var explained = faults.Any(f => f.At >= first - TimeSpan.FromSeconds(1) && f.At <= first + SendThenCrashWindow);
            if (explained) _explained += list.Count - 1;
            else
            {
                _unexplained += list.Count - 1;
                _log.Fail($"message {id} received {list.Count} times (first at {first:HH:mm:ss.fff}) with no fault within {SendThenCrashWindow.TotalSeconds:0} s after");
            }
        }
        _messages = outbox.Count;
        _copiesReceived = _received.Count;

        var incidents = (await conn.QueryAsync<IncidentRow>("SELECT effect AS Effect, error AS Error FROM incident WHERE resolved_at IS NULL")).ToList();
        foreach (var i in incidents.Take(5)) _log.Fail($"open incident ({i.Effect}): {Shorten(i.Error)}");
        _timers = timers;
        if (_nodes.Kills < size.Kills) _log.Fail($"only {_nodes.Kills} of {size.Kills} kills happened");
    }

    int _explained, _unexplained, _messages, _copiesReceived;
    TimerFigures _timers = new(0, 0, 0, 0, 0, 0, 0);

    sealed record KeyCount(string Key, int Count);
    sealed record TimerFigures(int Due, int Unfired, int Fired, int Ignored, int Failed, int Orphans, int Twice);
    sealed record OutboxRow(Guid Id, string Status, int Attempts);
    sealed record IncidentRow(string Effect, string Error);
    sealed record OutageFigures(int Pending, int MaxAttempts, int Failed);

    string Report()
    {
        var text = new StringBuilder();
        var dbFaults = _log.Faults.Where(f => f.Kind is "postgres-restart" or "postmaster-kill").Select(f => f.What);
        text.AppendLine($"chaos run {size.Name}, set-up {database.Name}: {size.Nodes} nodes, {size.Contracts} contracts, {_wall.Elapsed.TotalSeconds:0} s");
        text.AppendLine($"  signals: {PhaseSignals} keyed signals in the chaos phase, " +
                        $"{_signals.Count(s => s.Value.Acknowledged)} acknowledged in all; retried: {_connectionErrors} connection errors/timeouts, {_unavailable} × 503, {_conflicts} × 409; " +
                        $"{_duplicateAnswers} answered as duplicates of a transition already made");
        text.AppendLine($"  faults: {_nodes?.Kills ?? 0} node SIGKILLs (each restarted); database: {string.Join("; ", dbFaults)}; SMTP outage of {_outageSkipped.TotalHours:0.0} h skipped with reminders waiting");
        text.AppendLine($"  clock skipped {_offset.TotalDays:0.0} days; timers due {_timers.Due}: {_timers.Fired} fired, {_timers.Ignored} ignored, {_timers.Failed} failed, {_timers.Unfired} not fired");
        text.AppendLine($"  outbox: {_messages} messages, {_copiesReceived} copies received, duplicates {_explained} explained by a fault during delivery, {_unexplained} unexplained");
        text.AppendLine($"  during the outage: {_outagePending} pending, {_outageFailed} failed, highest attempts charged {_outageMaxAttempts}, {_outageIncidents} open incidents");
        foreach (var note in _log.Notes) text.AppendLine($"  · {note}");
        var failures = _log.Failures;
        text.AppendLine(failures.Count == 0 ? "  RESULT: nothing lost, nothing doubled" : $"  RESULT: {failures.Count} FAILURES");
        foreach (var failure in failures) text.AppendLine($"  ✗ {failure}");
        return text.ToString();
    }

    public string NodeOutputs() => _nodes?.Outputs() ?? "";

    public async ValueTask DisposeAsync()
    {
        if (_nodes is not null) await _nodes.DisposeAsync();
        _http.Dispose();
    }
}

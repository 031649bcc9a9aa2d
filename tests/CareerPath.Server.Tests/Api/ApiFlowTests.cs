using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace CareerPath.Server.Tests.Api;

/// <summary>The API end to end on the real host: sign-in, tokens, the access log, the iCalendar feed, reports, decisions.</summary>
public sealed class ApiFlowTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Password_sign_in_sets_a_cookie_and_five_failures_lock_the_account_for_a_while()
    {
        var client = _host.Anonymous();
        var ok = await client.PostAsync("/api/auth/login", Json("""{"email":"RH@commune-a.fr","password":"mot-de-passe-hrA"}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var cookie = ok.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("careerpath="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Add("Cookie", cookie.Split(';')[0]);
        var meBody = await ApiHost.ReadJsonAsync(await client.SendAsync(me));
        Assert.Equal("hr", meBody["role"]!.GetValue<string>());
        Assert.Equal(_host.Data.StructureA, meBody["structures"]![0]!.GetValue<Guid>());

        for (var i = 0; i < 5; i++)
        {
            var bad = await client.PostAsync("/api/auth/login", Json("""{"email":"rh@commune-a.fr","password":"mauvais"}"""));
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType!.MediaType);
        }
        // Locked: even the right password is refused, with the same answer as a wrong one.
        var locked = await client.PostAsync("/api/auth/login", Json("""{"email":"rh@commune-a.fr","password":"mot-de-passe-hrA"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        var unknown = await client.PostAsync("/api/auth/login", Json("""{"email":"personne@nulle-part.fr","password":"x"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await locked.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());

        _host.Clock.Advance(TimeSpan.FromMinutes(16));
        var again = await client.PostAsync("/api/auth/login", Json("""{"email":" rh@commune-a.fr ","password":"mot-de-passe-hrA"}"""));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        // An account is never created under the same address with a space or a line break around it.
        foreach (var email in new[] { " rh@commune-a.fr", "rh@commune-a.fr\n" })
            Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("admin").PostAsJsonAsync("/api/users", new
            {
                email, displayName = "Doublon", role = "auditor", password = "un-mot-de-passe-long",
            })).StatusCode);
    }

    [Fact]
    public async Task Parallel_guesses_are_counted_one_by_one_and_cannot_pass_the_lockout()
    {
        var client = _host.Anonymous();
        var guesses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            client.PostAsync("/api/auth/login", Json($$"""{"email":"rh@asso-b.fr","password":"devinette-{{i}}"}"""))));
        Assert.All(guesses, g => Assert.Equal(HttpStatusCode.Unauthorized, g.StatusCode));
        // Five wrong passwords were checked; the other guesses met a locked account and counted for nothing.
        Assert.Equal(5, (await _host.QueryAsync<int>("SELECT failed_logins FROM app_user WHERE email = 'rh@asso-b.fr'"))[0]);
        var right = await client.PostAsync("/api/auth/login", Json("""{"email":"rh@asso-b.fr","password":"mot-de-passe-hrB"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        // When the lock runs out, one more failure does not lock again at once: the count starts over.
        _host.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/auth/login", Json("""{"email":"rh@asso-b.fr","password":"encore"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/auth/login", Json("""{"email":"rh@asso-b.fr","password":"mot-de-passe-hrB"}"""))).StatusCode);
    }

    [Fact]
    public async Task An_hr_manager_learns_nothing_of_another_structures_advisor_by_trying_to_create_them()
    {
        async Task<string> Try(bool disability) => await (await _host.As("hrA").PostAsJsonAsync("/api/advisors", new
        {
            structureId = _host.Data.StructureA, fullName = "Bruno Petit", workEmail = "bruno.petit@asso-b.fr", hasRecognisedDisability = disability,
        })).Content.ReadAsStringAsync();
        var withFlag = await Try(true);
        Assert.Equal(withFlag, await Try(false));
        Assert.DoesNotContain("handicap", withFlag);
        Assert.DoesNotContain("nom", withFlag);

        // A contract for another structure's advisor: the same answer as for an advisor who does not exist.
        async Task<string> Contract(Guid advisorId) => await (await _host.As("hrA").PostAsJsonAsync("/api/contracts", new
        {
            advisorId, postId = _host.Data.SparePostA, type = "Cdd", start = "2026-05-01", end = "2027-04-30",
        })).Content.ReadAsStringAsync();
        Assert.Equal(await Contract(Guid.NewGuid()), await Contract(_host.Data.AdvisorB));
        // Nor without a post to check the advisor against.
        async Task<string> NoPost(Guid advisorId) => await (await _host.As("hrA").PostAsJsonAsync("/api/contracts", new
        {
            advisorId, type = "Cdd", start = "2026-05-01", end = "2027-04-30",
        })).Content.ReadAsStringAsync();
        Assert.Equal(await NoPost(Guid.NewGuid()), await NoPost(_host.Data.AdvisorB));
    }

    [Fact]
    public async Task An_advisor_moved_to_another_structure_is_seen_there_without_the_earlier_structures_contracts()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("hrA").GetAsync($"/api/advisors/{_host.Data.AdvisorB}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("hrA").PostAsJsonAsync($"/api/advisors/{_host.Data.AdvisorB}/structure", new { structureId = _host.Data.StructureA })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.As("admin").PostAsJsonAsync($"/api/advisors/{_host.Data.AdvisorB}/structure", new { structureId = _host.Data.StructureA })).StatusCode);

        var advisor = await ApiHost.ReadJsonAsync(await _host.As("hrA").GetAsync($"/api/advisors/{_host.Data.AdvisorB}"));
        Assert.Equal(_host.Data.StructureA, advisor["structureId"]!.GetValue<Guid>());
        Assert.Empty(advisor["contracts"]!.AsArray());
        Assert.Equal("[]", await _host.As("hrA").GetStringAsync($"/api/advisors/{_host.Data.AdvisorB}/timeline"));
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("hrA").GetAsync($"/api/contracts/{_host.Data.ContractB}")).StatusCode);
        // The structure that employed him still sees his contract there.
        Assert.Equal(HttpStatusCode.OK, (await _host.As("hrB").GetAsync($"/api/contracts/{_host.Data.ContractB}")).StatusCode);
        // And the new structure can now hire him on its own post.
        var hired = await _host.As("hrA").PostAsJsonAsync("/api/contracts", new
        {
            advisorId = _host.Data.AdvisorB, postId = _host.Data.SparePostA, type = "Cdd", start = "2027-03-01", end = "2028-02-29",
        });
        Assert.Equal(HttpStatusCode.Created, hired.StatusCode);
    }

    [Fact]
    public async Task Lists_hold_only_the_callers_records_and_the_log_says_who_read_whom()
    {
        foreach (var url in new[] { "/api/advisors", "/api/contracts", "/api/posts", "/api/structures", "/api/tasks/mine", "/api/deadlines?from=2026-01-01&to=2028-12-31" })
        {
            var body = await _host.As("hrA").GetStringAsync(url);
            Assert.DoesNotContain(_host.Data.StructureB.ToString(), body);
            Assert.DoesNotContain("Bruno", body);
        }
        foreach (var url in new[] { $"/api/advisors?structureId={_host.Data.StructureB}", $"/api/contracts?structureId={_host.Data.StructureB}",
                     $"/api/posts?structureId={_host.Data.StructureB}", $"/api/deadlines?structureId={_host.Data.StructureB}" })
            Assert.Equal("""{"items":[],"next":null}""", await _host.As("hrA").GetStringAsync(url));

        var reads = JsonNode.Parse(await _host.As("admin").GetStringAsync($"/api/access-log?subjectId={_host.Data.AdvisorA}"))!["items"]!.AsArray();
        Assert.Contains(reads, r => r!["action"]!.GetValue<string>() == "advisors.list" && r["userId"]!.GetValue<Guid>() == _host.Data.Users["hrA"]);
        Assert.Contains(reads, r => r!["action"]!.GetValue<string>() == "deadlines.list");
        Assert.DoesNotContain(JsonNode.Parse(await _host.As("admin").GetStringAsync($"/api/access-log?subjectId={_host.Data.AdvisorB}"))!["items"]!.AsArray(),
            r => r!["userId"]!.GetValue<Guid>() == _host.Data.Users["hrA"]);
    }

    [Fact]
    public async Task A_revoked_token_no_longer_opens_anything()
    {
        var created = await ApiHost.ReadJsonAsync(await _host.As("hrA:cookie").PostAsync("/api/auth/tokens", Json("""{"name":"script"}""")));
        Assert.Equal(ApiHost.Start.AddDays(90), created["expiresAt"]!.GetValue<DateTimeOffset>());
        var client = _host.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", created["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/structures")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.As("hrA").DeleteAsync($"/api/auth/tokens/{created["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/structures")).StatusCode);
        // Someone else's token id is not found, not revoked.
        var other = await ApiHost.ReadJsonAsync(await _host.As("admin:cookie").PostAsync("/api/auth/tokens", Json("""{"name":"b"}""")));
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("hrA").DeleteAsync($"/api/auth/tokens/{other["id"]}")).StatusCode);
        // A token cannot make a token.
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("hrA").PostAsync("/api/auth/tokens", Json("""{"name":"c"}"""))).StatusCode);
    }

    [Fact]
    public async Task Reads_of_personal_data_are_logged_and_the_log_cannot_be_rewritten()
    {
        var before = (await _host.QueryAsync<long>("SELECT count(*) FROM access_log"))[0];
        Assert.Equal(HttpStatusCode.OK, (await _host.As("hrA").GetAsync($"/api/advisors/{_host.Data.AdvisorA}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("hrA").GetAsync($"/api/advisors/{_host.Data.AdvisorB}")).StatusCode);
        var rows = await _host.QueryAsync<(Guid? User, string Action, Guid? Subject)>(
            "SELECT user_id, action, subject_id FROM access_log ORDER BY seq OFFSET @before", new { before });
        // One read, one row: the refused attempt read nothing.
        Assert.Equal((_host.Data.Users["hrA"], "advisors.read", _host.Data.AdvisorA), Assert.Single(rows));

        var csv = await _host.As("admin").GetStringAsync("/api/access-log/export.csv");
        Assert.Contains($"{_host.Data.Users["hrA"]},hr,advisors.read,advisor,{_host.Data.AdvisorA},1", csv);
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _host.QueryAsync<int>("DELETE FROM access_log RETURNING 1"));
        Assert.Contains("append-only", error.MessageText);
    }

    [Fact]
    public async Task The_calendar_feed_parses_holds_only_the_managers_structure_and_dies_when_revoked()
    {
        var created = await _host.As("hrA").PostAsync("/api/calendar-feeds", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var feed = await ApiHost.ReadJsonAsync(created);
        var path = new Uri(feed["url"]!.GetValue<string>()).AbsolutePath;

        var response = await _host.Anonymous().GetAsync(path);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var calendar = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync())!;
        // Published for information, by CareerPath (RFC 5546), not by the library that wrote it.
        Assert.Equal(("PUBLISH", "-//CareerPath//Conseillers numériques//FR"), (calendar.Method, calendar.ProductId));
        Assert.NotEmpty(calendar.Events);
        Assert.All(calendar.Events, e => Assert.DoesNotContain("Bruno", e.Summary));
        Assert.Contains(calendar.Events, e => e.Summary!.Contains("Alice Martin"));
        Assert.All(calendar.Events, e => Assert.True(e.DtStart!.Value.Date >= new DateTime(2026, 1, 31)));
        Assert.Equal(calendar.Events.Count, calendar.Events.Select(e => e.Uid).Distinct().Count());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.As("hrA").DeleteAsync($"/api/calendar-feeds/{feed["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Anonymous().GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Anonymous().GetAsync("/calendar/cal_devine.ics")).StatusCode);
    }

    [Fact]
    public async Task A_decision_reaches_the_auditor_pseudonymised_with_a_verified_chain_and_small_cells_suppressed()
    {
        var decided = await _host.As("hrA").PostAsync($"/api/contracts/{_host.Data.ContractA}/decision",
            Json("""{"kind":"NotRetained","reason":"Fin du projet — texte libre que l'auditeur ne doit jamais lire"}"""));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("NotRetained", (await ApiHost.ReadJsonAsync(decided))["to"]!.GetValue<string>());

        var log = await _host.As("auditor").GetStringAsync("/api/audit/decisions");
        var entry = JsonNode.Parse(log)!["items"]!.AsArray().Single()!;
        Assert.StartsWith("A-", entry["details"]!["advisorId"]!.GetValue<string>());
        Assert.StartsWith("C-", entry["details"]!["contractId"]!.GetValue<string>());
        Assert.Equal("hr", entry["actorRole"]!.GetValue<string>());
        Assert.DoesNotContain(_host.Data.AdvisorA.ToString(), log);
        Assert.DoesNotContain("texte libre", log);
        // The administrator sees the ids; the pseudonym is the same in every answer to the auditor.
        Assert.Contains(_host.Data.AdvisorA.ToString(), await _host.As("admin").GetStringAsync("/api/audit/decisions"));
        // The same pseudonym at every read; no employer, and months rather than days.
        Assert.Equal(log, await _host.As("auditor").GetStringAsync("/api/audit/decisions"));
        Assert.Null(entry["details"]!["structureId"]);
        Assert.Matches(@"^\d{4}-\d{2}$", entry["details"]!["decidedOn"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}$", entry["at"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("auditor").GetAsync("/api/reports/outcomes/records")).StatusCode);
        Assert.True((await ApiHost.ReadJsonAsync(await _host.As("auditor").GetAsync("/api/audit/decisions/verification")))["intact"]!.GetValue<bool>());

        // Two advisors in all: every non-zero cell is under 5 and suppressed; zeros are shown.
        var report = await ApiHost.ReadJsonAsync(await _host.As("auditor").GetAsync("/api/reports/outcomes"));
        var overall = report["groups"]![0]!["cells"]!.AsArray();
        var advisors = overall.Single(c => c!["measure"]!.GetValue<string>() == "conseillers")!;
        Assert.True(advisors["suppressed"]!.GetValue<bool>());
        Assert.Null(advisors["advisors"]);
        // In a group of two, even a zero tells about both: every cell is hidden.
        Assert.All(overall, c => Assert.True(c!["suppressed"]!.GetValue<bool>()));
        Assert.Contains("<5", await _host.As("auditor").GetStringAsync("/api/reports/outcomes/export.csv"));
    }

    [Fact]
    public async Task Completing_the_training_task_schedules_the_training_and_closes_the_task()
    {
        var tasks = JsonNode.Parse(await _host.As("hrA").GetStringAsync("/api/tasks/mine"))!["items"]!.AsArray();
        var task = tasks.First(t => t!["kind"]!.GetValue<string>() == "schedule-training")!;
        Assert.All(tasks, t => Assert.Equal(_host.Data.StructureA, t!["structureId"]!.GetValue<Guid>()));
        var done = await _host.As("hrA").PostAsJsonAsync($"/api/tasks/{task["id"]}/complete",
            new { training = new { start = "2026-04-06", end = "2026-06-26", hours = 140 } });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("Completed", (await _host.QueryAsync<string>("SELECT status FROM human_task WHERE id = @id", new { id = task["id"]!.GetValue<Guid>() }))[0]);
        var contract = await ApiHost.ReadJsonAsync(await _host.As("advisorA").GetAsync($"/api/contracts/{_host.Data.ContractA}"));
        Assert.Equal(140, contract["trainings"]!.AsArray().Single(t => t!["kind"]!.GetValue<string>() == "InitialTraining")!["hours"]!.GetValue<int>());
        // Completing it twice is refused, and says why.
        var again = await _host.As("hrA").PostAsJsonAsync($"/api/tasks/{task["id"]}/complete",
            new { training = new { start = "2026-04-06", end = "2026-06-26", hours = 140 } });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("close", (await ApiHost.ReadJsonAsync(again))["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deadlines_filter_by_kind_and_overdue_and_export_as_csv()
    {
        var all = JsonNode.Parse(await _host.As("hrA").GetStringAsync("/api/deadlines?from=2026-01-01&to=2028-12-31&limit=1000"))!["items"]!.AsArray();
        Assert.NotEmpty(all);
        Assert.All(all, d => Assert.Equal(_host.Data.StructureA, d!["structureId"]!.GetValue<Guid>()));
        var notice = JsonNode.Parse(await _host.As("hrA").GetStringAsync("/api/deadlines?from=2026-01-01&to=2028-12-31&kind=notice.public-contract"))!["items"]!.AsArray();
        var one = Assert.Single(notice)!;
        Assert.Contains("38-1", one["explanation"]!.GetValue<string>());
        var advisorOwn = JsonNode.Parse(await _host.As("advisorA").GetStringAsync("/api/deadlines?from=2026-01-01&to=2028-12-31"))!["items"]!.AsArray();
        Assert.All(advisorOwn, d => Assert.Equal(_host.Data.AdvisorA, d!["advisorId"]!.GetValue<Guid>()));
        var bad = await _host.As("hrA").GetAsync("/api/deadlines?from=2027-01-01&to=2026-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var csv = await _host.As("hrA").GetStringAsync("/api/deadlines/export.csv?from=2026-01-01&to=2028-12-31");
        Assert.StartsWith("\uFEFFdueOn,overdue,kind", csv);
        Assert.Equal(all.Count + 1, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_renewed_convention_moves_the_funding_end_and_a_tranche_is_received_once()
    {
        var post = $"/api/posts/{_host.Data.PostA}";
        var renewed = await _host.As("hrA").PostAsync($"{post}/conventions", Json("""{"wave":"Renewal2023","start":"2027-08-01"}"""));
        Assert.Equal(HttpStatusCode.Created, renewed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.As("hrA").PostAsync($"{post}/conventions", Json("""{"wave":"Renewal2023","start":"2027-08-01"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("hrA").PostAsync($"{post}/conventions", Json("""{"wave":"Renewal2023","start":"2026-01-01"}"""))).StatusCode);
        // Overlapping the new one: refused, the funding end stays.
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("hrA").PostAsync($"{post}/conventions", Json("""{"wave":"FirstWave","start":"2030-01-01"}"""))).StatusCode);

        var view = await ApiHost.ReadJsonAsync(await _host.As("hrA").GetAsync(post));
        var conventions = view["conventions"]!.AsArray();
        Assert.Equal(2, conventions.Count);
        Assert.Equal("2030-07-31", conventions[1]!["end"]!.GetValue<string>());
        // The funding end the workflow waits for is the new one, and the contract on the post knows it.
        var fundingEnd = await _host.QueryAsync<DateOnly>("""
            SELECT t.due_on FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
             WHERE i.subject_id = @post AND t.fired_at IS NULL AND t.rule_id = 'funding.end'
            """, new { post = _host.Data.PostA });
        Assert.Equal(new DateOnly(2030, 7, 31), Assert.Single(fundingEnd));
        var contract = await ApiHost.ReadJsonAsync(await _host.As("hrA").GetAsync($"/api/contracts/{_host.Data.ContractA}"));
        Assert.NotNull(contract);
        Assert.Equal(2, (await _host.QueryAsync<int>("""
            SELECT jsonb_array_length(data->'post'->'conventions') FROM workflow_instance WHERE subject_id = @c
            """, new { c = _host.Data.ContractA }))[0]);

        // The renewal's second tranche is awaited (a timer); once received, it is not any more.
        const string Tranches = """
            SELECT count(*)::int FROM workflow_timer t JOIN workflow_instance i ON i.id = t.instance_id
             WHERE i.subject_id = @post AND t.fired_at IS NULL AND t.rule_id = 'funding.tranches'
            """;
        var awaited = (await _host.QueryAsync<int>(Tranches, new { post = _host.Data.PostA }))[0];
        Assert.True(awaited >= 2, $"{awaited} tranche timers");
        // Paid in advance, two tranches recorded at once: both taken, both reminders gone. A day to come is refused.
        JsonObject Receipt(int seq, string day) => new() { ["conventionId"] = conventions[1]!["id"]!.GetValue<Guid>(), ["seq"] = seq, ["receivedOn"] = day };
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("hrA").PostAsync($"{post}/tranches/received", Json(Receipt(2, "2026-03-03").ToJsonString()))).StatusCode);
        var both = await Task.WhenAll(new[] { 2, 3 }.Select(seq => _host.As("hrA").PostAsync($"{post}/tranches/received", Json(Receipt(seq, "2026-03-01").ToJsonString()))));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(awaited - 2, (await _host.QueryAsync<int>(Tranches, new { post = _host.Data.PostA }))[0]);

        var tranche = new JsonObject { ["conventionId"] = conventions[0]!["id"]!.GetValue<Guid>(), ["seq"] = 1, ["receivedOn"] = "2025-09-15" };
        Assert.Equal(HttpStatusCode.OK, (await _host.As("hrA").PostAsync($"{post}/tranches/received", Json(tranche.ToJsonString()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.As("hrA").PostAsync($"{post}/tranches/received", Json(tranche.ToJsonString()))).StatusCode);
        tranche["receivedOn"] = "2025-10-01";
        Assert.Equal(HttpStatusCode.Conflict, (await _host.As("hrA").PostAsync($"{post}/tranches/received", Json(tranche.ToJsonString()))).StatusCode);
        // Several people recording different days at once on the new convention's first tranche: one day wins, the others are told.
        var parallel = await Task.WhenAll(Enumerable.Range(1, 8).Select(day => _host.As("hrA").PostAsync($"{post}/tranches/received", Json(new JsonObject
        {
            ["conventionId"] = conventions[1]!["id"]!.GetValue<Guid>(), ["seq"] = 1, ["receivedOn"] = $"2026-02-{day:00}",
        }.ToJsonString()))));
        Assert.Single(parallel, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(parallel, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        view = await ApiHost.ReadJsonAsync(await _host.As("hrA").GetAsync(post));
        Assert.Equal("2025-09-15", view["conventions"]![0]!["tranches"]![0]!["receivedOn"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_openapi_and_the_api_reference_are_served()
    {
        var health = await _host.Anonymous().GetAsync("/health");
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        var openapi = await _host.Anonymous().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/contracts/{id}/amendments", openapi);
        Assert.Contains("/api/imports/{kind}", openapi);
        // Enums are documented by name (the API refuses numbers), and optional fields are not marked required.
        var schemas = JsonNode.Parse(openapi)!["components"]!["schemas"]!;
        Assert.Equal(["Cdd", "Cdi", "Pec", "ContratDeProjet"], schemas["ContractType"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
        var required = schemas["DecisionRequest"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("kind", required);
        Assert.DoesNotContain("notifiedOn", required);
        var scalar = await _host.Anonymous().GetAsync("/scalar");
        if (scalar.StatusCode == HttpStatusCode.Found) scalar = await _host.Anonymous().GetAsync(scalar.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        var page = await scalar.Content.ReadAsStringAsync();
        Assert.Contains("CareerPath API", page);
        // The reference page loads its script from this server, not from a CDN.
        Assert.DoesNotContain("cdn.jsdelivr", page);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Anonymous().GetAsync("/hangfire")).StatusCode);
    }
}

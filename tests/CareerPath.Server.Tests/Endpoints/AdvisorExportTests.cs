using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CareerPath.Server.Tests.Api;

namespace CareerPath.Server.Tests.Endpoints;

/// <summary>
/// The advisor's right of access (GET /api/advisors/{id}/export) and right to rectification (a correction request,
/// a task for their HR managers closed without a workflow step), over the API host's data set: structure A holds
/// advisor A (Alice Martin) and a second advisor (Chloé Durand), both read by HR and an administrator.
/// </summary>
public sealed class AdvisorExportTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    DataSet Data => _host.Data;

    async Task OkAsync(string account, string url)
    {
        var response = await _host.As(account).GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{account} {url}: {(int)response.StatusCode}");
        await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The access-log lines about advisor A, as the export must find them: read of A, a list that held A, a read of A's contract.</summary>
    Task<List<string>> ReadsOfAAsync() => _host.QueryAsync<string>("""
        SELECT action FROM access_log
         WHERE subject_id = @a OR subject_ids @> ARRAY[@a] OR subject_id IN (SELECT id FROM contract WHERE advisor_id = @a)
         ORDER BY seq
        """, new { a = Data.AdvisorA });

    [Fact]
    public async Task An_advisors_export_contains_their_contracts_deadlines_decision_and_every_read_of_their_data_and_nothing_about_anyone_else()
    {
        // A second advisor of structure A with a contract of their own: their reads and records must stay out of A's export.
        var chloeContract = await ApiHost.CreatedIdAsync(await _host.As("admin").PostAsJsonAsync("/api/contracts",
            new { advisorId = Data.SpareAdvisorA, postId = Data.SparePostA, type = "Cdd", start = "2026-02-01", end = "2027-01-31" }));
        await _host.SweepAsync();

        // Reads of both, through the API, by HR, an administrator and the advisor.
        await OkAsync("hrA", $"/api/advisors/{Data.AdvisorA}");
        await OkAsync("hrA", $"/api/advisors/{Data.SpareAdvisorA}");
        await OkAsync("hrA", $"/api/contracts/{Data.ContractA}");
        await OkAsync("hrA", $"/api/contracts/{chloeContract}");
        await OkAsync("hrA", "/api/contracts");
        await OkAsync("admin", $"/api/advisors/{Data.AdvisorA}/timeline");
        await OkAsync("admin", $"/api/advisors/{Data.SpareAdvisorA}/timeline");
        await OkAsync("advisorA", $"/api/advisors/{Data.AdvisorA}");
        // The list named both advisors: one line, two subjects (the export must not give the other one).
        var list = (await _host.QueryAsync<Guid[]>("SELECT subject_ids FROM access_log WHERE action = 'contracts.list'")).Single();
        Assert.Contains(Data.AdvisorA, list);
        Assert.Contains(Data.SpareAdvisorA, list);

        // A decision on A's contract, by HR (the journal records "hr:rh@commune-a.fr").
        var decided = await _host.As("hrA").PostAsJsonAsync($"/api/contracts/{Data.ContractA}/decision", new { kind = "NotRetained", reason = "Fin du projet de médiathèque" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Contains(await _host.QueryAsync<string>("SELECT actor FROM workflow_journal WHERE instance_id = @i", new { i = Data.InstanceA }),
            a => a.Contains("rh@commune-a.fr"));

        var response = await _host.As("advisorA").GetAsync($"/api/advisors/{Data.AdvisorA}/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var export = JsonNode.Parse(text)!;

        // Identity.
        Assert.Equal(Data.AdvisorA, export["identity"]!["id"]!.GetValue<Guid>());
        Assert.Equal("Alice Martin", export["identity"]!["fullName"]!.GetValue<string>());
        Assert.Equal("alice.martin@commune-a.fr", export["identity"]!["workEmail"]!.GetValue<string>());
        Assert.Equal("Commune A", export["identity"]!["structure"]!.GetValue<string>());

        // Their one contract, with its decision and its deadlines as the timers hold them.
        var contract = export["contracts"]!.AsArray().Single()!;
        Assert.Equal(Data.ContractA, contract["record"]!["id"]!.GetValue<Guid>());
        Assert.Equal("NotRetained", contract["record"]!["decision"]!["kind"]!.GetValue<string>());
        Assert.Equal("Fin du projet de médiathèque", contract["record"]!["decision"]!["reason"]!.GetValue<string>());
        var pending = await _host.QueryAsync<int>("SELECT count(*)::int FROM workflow_timer WHERE instance_id = @i AND fired_at IS NULL", new { i = Data.InstanceA });
        var fired = await _host.QueryAsync<int>("SELECT count(*)::int FROM workflow_timer WHERE instance_id = @i AND fired_at IS NOT NULL", new { i = Data.InstanceA });
        Assert.True(pending[0] > 0, "the contract has deadlines to come");
        Assert.Equal(pending[0], contract["deadlinesToCome"]!.AsArray().Count);
        Assert.Equal(fired[0], contract["deadlinesReached"]!.AsArray().Count);
        // The journal: every transition, with the actor's role only.
        var journal = contract["journal"]!.AsArray();
        Assert.Equal((await _host.QueryAsync<int>("SELECT count(*)::int FROM workflow_journal WHERE instance_id = @i", new { i = Data.InstanceA }))[0], journal.Count);
        Assert.Contains(journal, s => s!["trigger"]!.GetValue<string>() == "Decide" && s["byRole"]!.GetValue<string>() == "hr");

        // Every read of their data, the export's own included (logged before it was built); role, action, kind, count.
        var logged = await ReadsOfAAsync();
        var reads = export["reads"]!.AsArray();
        Assert.Equal(logged.Count, reads.Count);
        Assert.Equal(logged, reads.Select(r => r!["action"]!.GetValue<string>()).ToList());
        foreach (var action in new[] { "advisors.read", "contracts.read", "contracts.list", "advisors.timeline", "advisors.export" })
            Assert.Contains(action, logged);
        Assert.Equal(["admin", "advisor", "hr"], reads.Select(r => r!["readerRole"]!.GetValue<string>()).Distinct().Order().ToArray());
        // The reads of the other advisor alone are not theirs: one read of A's contract, one of A's timeline, two of A.
        Assert.Single(logged, a => a == "contracts.read");
        Assert.Single(logged, a => a == "advisors.timeline");
        Assert.Equal(2, logged.Count(a => a == "advisors.read"));

        // The e-mails sent to them: the advisor's messages of their contract, no one else's.
        var mails = await _host.QueryAsync<int>("SELECT count(*)::int FROM outbox_message WHERE instance_id = @i AND recipient_role = 'advisor'", new { i = Data.InstanceA });
        Assert.Equal(mails[0], export["messages"]!.AsArray().Count);
        // The tasks of their contract.
        var tasks = await _host.QueryAsync<int>("SELECT count(*)::int FROM human_task WHERE instance_id = @i", new { i = Data.InstanceA });
        Assert.True(tasks[0] > 0);
        Assert.Equal(tasks[0], export["tasks"]!.AsArray().Count);

        // Nothing about any other person: the other advisors, the HR managers and their contacts, the administrator, any account.
        var others = new List<string>
        {
            Data.SpareAdvisorA.ToString(), "Chloé Durand", "chloe.durand@commune-a.fr", chloeContract.ToString(),
            Data.AdvisorB.ToString(), "Bruno Petit", "bruno.petit@asso-b.fr", Data.SpareAdvisorB.ToString(), "Denis Moreau", "denis.moreau@asso-b.fr",
            "Hélène Rh", "rh@commune-a.fr", "Didier Drh", "drh@commune-a.fr", "Rose Rh", "rh@asso-b.fr", "admin@careerpath.test", "auditeur@careerpath.test",
        };
        others.AddRange(Data.Users.Values.Select(u => u.ToString()));
        foreach (var other in others)
            Assert.False(text.Contains(other, StringComparison.OrdinalIgnoreCase), $"the export names '{other}'");
    }

    [Fact]
    public async Task Another_advisor_an_hr_manager_of_another_structure_and_an_auditor_cannot_export_an_advisor_and_nothing_is_logged()
    {
        var url = $"/api/advisors/{Data.AdvisorA}/export";
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("advisorB").GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("hrB").GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("auditor").GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Anonymous().GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("admin").GetAsync($"/api/advisors/{Guid.NewGuid()}/export")).StatusCode);
        Assert.Empty(await _host.QueryAsync<long>("SELECT seq FROM access_log WHERE action = 'advisors.export' AND subject_id = @a", new { a = Data.AdvisorA }));

        // Their HR manager and an administrator may, and each export is a logged read.
        Assert.Equal(HttpStatusCode.OK, (await _host.As("hrA").GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.As("admin").GetAsync(url)).StatusCode);
        Assert.Equal(["hr", "admin"], await _host.QueryAsync<string>(
            "SELECT user_role FROM access_log WHERE action = 'advisors.export' AND subject_id = @a ORDER BY seq", new { a = Data.AdvisorA }));
    }

    [Fact]
    public async Task A_correction_request_opens_one_task_for_the_advisors_hr_manager_closed_without_a_workflow_step_and_bad_input_writes_nothing()
    {
        var url = $"/api/advisors/{Data.AdvisorA}/correction-requests";
        var before = await _host.FingerprintAsync();
        foreach (var bad in new object[]
                 {
                     new { value = "Alice Martin-Durand" },
                     new { field = "FullName", value = "" },
                     new { field = "FullName", value = "   " },
                     new { field = "FullName", value = new string('x', 2001) },
                     new { field = "FullName", value = "a\u0001b" },
                     new { field = "Salary", value = "beaucoup" },
                 })
        {
            var refused = await _host.As("advisorA").PostAsJsonAsync(url, bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        // Another advisor cannot ask for A.
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("advisorB").PostAsJsonAsync(url, new { field = "FullName", value = "X" })).StatusCode);
        Assert.Equal(before, await _host.FingerprintAsync());

        var opened = await _host.As("advisorA").PostAsJsonAsync(url, new { field = "WorkEmail", value = "alice.martin-durand@commune-a.fr" });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var taskId = (await ApiHost.ReadJsonAsync(opened))["taskId"]!.GetValue<Guid>();
        var task = (await _host.QueryAsync<(string Kind, Guid InstanceId, Guid StructureId, string Role, string Status)>(
            "SELECT kind, instance_id, structure_id, assignee_role, status FROM human_task WHERE id = @taskId", new { taskId })).Single();
        Assert.Equal(("correction-request", Data.InstanceA, Data.StructureA, "hr", "Open"), task);
        Assert.Equal(1, (await _host.QueryAsync<int>("SELECT count(*)::int FROM human_task WHERE kind = 'correction-request'"))[0]);

        // HR of structure A sees it among their tasks, with what was asked; HR of structure B does not.
        var mine = (await ApiHost.ReadJsonAsync(await _host.As("hrA").GetAsync("/api/tasks/mine?limit=200")))["items"]!.AsArray();
        var seen = mine.Single(t => t!["id"]!.GetValue<Guid>() == taskId)!;
        Assert.Equal("Demande de rectification de Alice Martin : adresse e-mail", seen["title"]!.GetValue<string>());
        Assert.Equal("adresse e-mail : alice.martin-durand@commune-a.fr", seen["request"]!.GetValue<string>());
        // Within one month of the request (art. 12-3): the host's clock is on 2 March 2026.
        Assert.Equal("2026-04-02", seen["dueOn"]!.GetValue<string>());
        var theirs = (await ApiHost.ReadJsonAsync(await _host.As("hrB").GetAsync("/api/tasks/mine?limit=200")))["items"]!.AsArray();
        Assert.DoesNotContain(theirs, t => t!["id"]!.GetValue<Guid>() == taskId);

        // Closing it is no workflow step: the contract's instance, its journal and its timers stay as they were.
        var instance = await _host.QueryAsync<string>("SELECT state || '/' || version || '/' || (SELECT count(*) FROM workflow_journal WHERE instance_id = @i) FROM workflow_instance WHERE id = @i",
            new { i = Data.InstanceA });
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("hrA").PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.As("hrB").PostAsJsonAsync($"/api/tasks/{taskId}/close", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.As("advisorA").PostAsJsonAsync($"/api/tasks/{taskId}/close", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.As("hrA").PostAsJsonAsync($"/api/tasks/{taskId}/close", new { note = "Adresse corrigée dans l'annuaire." })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _host.As("hrA").PostAsJsonAsync($"/api/tasks/{taskId}/close", new { })).StatusCode);
        Assert.Equal(instance, await _host.QueryAsync<string>("SELECT state || '/' || version || '/' || (SELECT count(*) FROM workflow_journal WHERE instance_id = @i) FROM workflow_instance WHERE id = @i",
            new { i = Data.InstanceA }));
        Assert.Equal(("Completed", "hr:rh@commune-a.fr"), (await _host.QueryAsync<(string, string)>("SELECT status, completed_by FROM human_task WHERE id = @taskId", new { taskId })).Single());
        // A workflow's task is not closed this way.
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.As("hrA").PostAsJsonAsync($"/api/tasks/{Data.TaskA}/close", new { })).StatusCode);
        Assert.Equal("Open", (await _host.QueryAsync<string>("SELECT status FROM human_task WHERE id = @t", new { t = Data.TaskA })).Single());
    }
}

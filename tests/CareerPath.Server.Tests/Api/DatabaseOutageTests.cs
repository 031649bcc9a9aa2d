using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using CareerPath.Server.Hosting;
using CareerPath.Server.Security;
using CareerPath.Workflows.Storage;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// PostgreSQL killed under a running server (pg_ctl stop -m immediate, on a cluster of this test's own), then
/// started again on the same port: meanwhile every call is a 503 with Retry-After (API: ProblemDetails; page: the
/// French error page; /health: Unhealthy) and nothing is written; afterwards the first read and the first keyed
/// signal succeed, and the signal made one transition.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task During_an_outage_calls_answer_503_with_retry_after_and_after_the_restart_the_first_calls_succeed_once()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"careerpath-outage-{Guid.NewGuid():N}");
        // Durable (fsync and synchronous commit on): an immediate stop must not lose what was committed before it.
        var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dir });
        WebApplication? app = null;
        try
        {
            var cs = pg.ConnectionString();
            await new SchemaMigrator(TimeProvider.System).MigrateAsync(cs);
            // Hangfire's tables, as the server's start installs them (DatabaseLocation): the host built here does not.
            await SchemaMigrator.RunAsOwnerAsync(cs, conn => Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(conn, SchemaMigrator.JobSchema));
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["urls"] = "http://localhost",
                ["CareerPath:Jobs:Enabled"] = "false",
                ["Logging:LogLevel:Default"] = "Critical",
            });
            app = ServerApp.Build(builder, cs, Path.Combine(dir, "mail"));
            await app.StartAsync();

            // An administrator (token and cookie) and one contract with its workflow, made through the API.
            var accounts = app.Services.GetRequiredService<Accounts>();
            var adminId = await accounts.CreateAsync(new NewAccount("admin@careerpath.test", "Admin", Roles.Admin, "mot-de-passe-admin", [], null));
            var (_, token) = await accounts.CreateTokenAsync(adminId, "tests", null);
            var api = app.GetTestClient();
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var login = await app.GetTestClient().PostAsJsonAsync("/api/auth/login", new { email = "admin@careerpath.test", password = "mot-de-passe-admin" });
            var pages = app.GetTestClient();
            pages.DefaultRequestHeaders.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("careerpath=")).Split(';')[0]);
            async Task<Guid> Post(string url, object body) => await ApiHost.CreatedIdAsync(await api.PostAsJsonAsync(url, body));
            var structure = await Post("/api/structures", new { name = "Commune A", kind = "Commune", legalRegime = "Public", siret = "21000000000011",
                hrName = "Hélène Rh", hrEmail = "rh@commune-a.fr" });
            var post = await Post("/api/posts", new { structureId = structure, label = "Poste médiathèque", wave = "FirstWave", grantStart = "2025-08-01" });
            var advisor = await Post("/api/advisors", new { structureId = structure, fullName = "Alice Martin", workEmail = "alice.martin@commune-a.fr",
                hasRecognisedDisability = false });
            var contract = await Post("/api/contracts", new { advisorId = advisor, postId = post, type = "Cdd", start = "2025-09-01", end = "2027-08-31" });
            // Every connection of the pools is open and idle: the restart will break them all.
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/contracts/{contract}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await pages.GetAsync("/admin/instances")).StatusCode);

            // An amendment: allowed from the contract's first state (no timer has run: the host's jobs are off).
            HttpRequestMessage Signal(string key) => new(HttpMethod.Post, $"/api/contracts/{contract}/amendments")
            {
                Headers = { { "Idempotency-Key", key } },
                Content = new StringContent("""{"newEnd":"2027-10-31","reason":"Prolongation du financement"}""", Encoding.UTF8, "application/json"),
            };

            // Down for a while: every call is told to come back later.
            await PgCtlAsync(pg, "stop", "-m", "immediate");

            foreach (var request in new[]
            {
                new HttpRequestMessage(HttpMethod.Get, $"/api/contracts/{contract}"),
                Signal("during-outage"),
                new HttpRequestMessage(HttpMethod.Post, "/api/structures")
                {
                    Content = new StringContent("""{"name":"Commune C","kind":"Commune","legalRegime":"Public","siret":"21000000000029","hrName":"X","hrEmail":"x@c.fr"}""",
                        Encoding.UTF8, "application/json"),
                },
            })
            {
                var down = await api.SendAsync(request);
                var body = await down.Content.ReadAsStringAsync();
                Assert.True(down.StatusCode == HttpStatusCode.ServiceUnavailable, $"{request.Method} {request.RequestUri}: {(int)down.StatusCode} {body}");
                Assert.Equal(TimeSpan.FromSeconds(5), down.Headers.RetryAfter?.Delta);
                Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
                var problem = System.Text.Json.Nodes.JsonNode.Parse(body)!;
                Assert.Equal(503, (int)problem["status"]!);
                Assert.Equal("Service momentanément indisponible", (string?)problem["title"]);
                Assert.Contains("base de données", (string?)problem["detail"]);
            }
            var page = await pages.GetAsync("/admin/instances");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.NotNull(page.Headers.RetryAfter);
            Assert.Contains("Service momentanément indisponible", await page.Content.ReadAsStringAsync());
            var health = await app.GetTestClient().GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());

            // Started again on the same port: the first read and the first keyed signal succeed.
            await PgCtlAsync(pg, "start", "-o", $"-p {pg.Port}", "-l", Path.Combine(pg.ClusterDirectory, "restart.log"));

            var read = await api.GetAsync($"/api/contracts/{contract}");
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"{(int)read.StatusCode} {await read.Content.ReadAsStringAsync()}");
            var signal = await api.SendAsync(Signal("after-restart"));
            Assert.True(signal.StatusCode == HttpStatusCode.OK, $"{(int)signal.StatusCode} {await signal.Content.ReadAsStringAsync()}");
            Assert.Equal(HttpStatusCode.OK, (await pages.GetAsync("/admin/instances")).StatusCode);
            var report = await app.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
            Assert.True(report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
                string.Join("; ", report.Entries.Select(e => $"{e.Key}={e.Value.Status} {e.Value.Description} {e.Value.Exception}")));
            Assert.Equal(HttpStatusCode.OK, (await app.GetTestClient().GetAsync("/health")).StatusCode);
            // Sent again (a client that did not see the answer): the same transition, not a second one.
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(Signal("after-restart"))).StatusCode);

            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
                "SELECT count(*)::int FROM workflow_journal WHERE idempotency_key = 'after-restart'"));
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>(
                "SELECT count(*)::int FROM workflow_journal WHERE idempotency_key = 'during-outage'"));
            Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
                "SELECT count(*)::int FROM workflow_journal WHERE trigger = 'AmendContract'"));
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM structure WHERE name = 'Commune C'"));
        }
        finally
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
            NpgsqlConnection.ClearAllPools();
            await pg.StopAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>pg_ctl on the test's cluster, as the system user that owns it (postgres when the tests run as root).</summary>
    static async Task PgCtlAsync(EmbeddedPostgres pg, params string[] args)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.IsPrivilegedProcess)
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", "pg_ctl" }) start.ArgumentList.Add(a);
        }
        else start.FileName = "pg_ctl";
        foreach (var a in args.Concat(["-D", pg.ClusterDirectory, "-w"])) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_ctl {string.Join(' ', args)}: {output}");
    }
}

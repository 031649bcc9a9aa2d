using System.Diagnostics;
using System.Text.Json;
using CareerPath.Domain.Calendar;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Privacy;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Tests.Privacy;

/// <summary>
/// The retention job on a whole simulated program: its messages delivered to a pickup folder, its people's data read
/// (the access log), then the clock moved past the archive. What must be gone is looked for where an attacker would
/// look: a full dump of the database and the folder's files.
/// </summary>
public sealed class RetentionTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), $"careerpath-retention-{Guid.NewGuid():N}");
    static readonly RetentionPolicy Policy = new();

    /// <summary>A program of 30 advisors played to its end, its messages sent to the pickup folder, and reads of each advisor logged.</summary>
    sealed record Program(string ConnectionString, NpgsqlDataSource Db, ProgramModel Model, SimulatedClock Clock, DateOnly LastEnd) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Db.DisposeAsync();
            await TestCluster.DropDatabaseAsync(ConnectionString);
        }
    }

    async Task<Program> PlayAsync(int advisors = 30)
    {
        var cs = await TestCluster.CreateMigratedDatabaseAsync();
        var db = Database.CreateDataSource(cs);
        var model = ProgramModel.Generate(advisors, 7, new DateOnly(2021, 4, 1), 300);
        await model.InsertReferenceDataAsync(db);
        var clock = new SimulatedClock(WorkflowEngine.DueInstant(model.Advisors.Min(a => a.Post.Conventions[0].Start).AddDays(-2)));
        var log = new AccessLogStore(db);
        // An HR manager reads each advisor as the program starts, and a list of all of them.
        foreach (var a in model.Advisors)
            await log.AppendAsync(clock.GetUtcNow(), Guid.NewGuid(), "hr", "read", "advisor", a.Advisor.Id, 1, null);
        await log.AppendAsync(clock.GetUtcNow(), Guid.NewGuid(), "hr", "list", "advisor", null, advisors, model.Advisors.Select(a => a.Advisor.Id).ToList());
        await new ProgramRunner(model, new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock), clock).RunAsync();
        var delivered = await new OutboxDispatcher(db, new PickupFolderTransport(_folder), clock,
            new SmtpOptions { From = "CareerPath <no-reply@careerpath.example.fr>" }, "https://careerpath.example.fr").DeliverDueAsync();
        Assert.True(delivered.Sent > advisors, $"{delivered.Sent} messages sent");
        await using var conn = await db.OpenConnectionAsync();
        var lastEnd = await conn.ExecuteScalarAsync<DateOnly>("SELECT max(coalesce(terminated_on, effective_end, end_date)) FROM contract");
        return new Program(cs, db, model, clock, lastEnd);
    }

    [Fact]
    public async Task Five_years_after_the_last_contract_no_name_or_address_is_left_in_the_database_or_the_pickup_folder_and_the_figures_and_chains_hold()
    {
        await using var p = await PlayAsync();
        // Every advisor's name and address is in the dump and the folder before: the checks below can fail.
        var names = p.Model.Advisors.Select(a => a.Advisor.FullName).Distinct().ToList();
        var addresses = p.Model.Advisors.Select(a => a.Advisor.WorkEmail).ToList();
        var hrAddresses = p.Model.Structures.SelectMany(s => new[] { s.HrEmail, s.HrLeadEmail }).ToList();
        var before = await DumpAsync(p.ConnectionString);
        Assert.All(names, n => Assert.Contains(n, before));
        Assert.All(addresses, a => Assert.Contains(a, before, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(addresses, a => FolderText().Contains(a, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(hrAddresses, a => FolderText().Contains(a, StringComparison.OrdinalIgnoreCase));

        // Five years and a day after the last contract's end; someone read one advisor a month ago (kept: 12 months).
        p.Clock.Set(WorkflowEngine.DueInstant(DateMath.AddMonths(p.LastEnd, 60).AddDays(1)));
        var recent = p.Model.Advisors[0].Advisor.Id;
        await new AccessLogStore(p.Db).AppendAsync(p.Clock.GetUtcNow().AddDays(-30), Guid.NewGuid(), "admin", "read", "advisor", recent, 1, null);
        var reports = new ReportQueries(p.Db);
        var figures = JsonSerializer.Serialize((await reports.OutcomesAsync(ReadScope.Everything)).Report);

        var retention = new Retention(p.Db, p.Clock, Policy, _folder);
        var report = await retention.RunAsync(dryRun: false);

        Assert.False(report.DryRun);
        Assert.Equal(0, report.HeldBack);
        Assert.Equal(p.Model.Advisors.Count, report.Count(DataCategory.ContractsAndWorkflows, RetentionAction.Erased, "conseillers"));
        Assert.Equal(p.Model.Advisors.Count + 1, report.Count(DataCategory.AccessLog, RetentionAction.Deleted, "entrées"));
        var after = await DumpAsync(p.ConnectionString);
        Assert.All(names, n => Assert.DoesNotContain(n, after, StringComparison.OrdinalIgnoreCase));
        Assert.All(addresses, a => Assert.DoesNotContain(a, after, StringComparison.OrdinalIgnoreCase));
        var folder = FolderText();
        Assert.All(names.Concat(addresses).Concat(hrAddresses), s => Assert.DoesNotContain(s, folder, StringComparison.OrdinalIgnoreCase));
        // HR staff stay in their structures' contacts while in post, and in the posts' workflows; no copy of their address is
        // left in the erased advisors' files: contracts' instances, their journal, their tasks.
        await using (var conn = await p.Db.OpenConnectionAsync())
        {
            var patterns = hrAddresses.Select(a => $"%{a}%").ToArray();
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("""
                SELECT (SELECT count(*) FROM workflow_instance WHERE definition_id = @def AND data::text ILIKE ANY(@patterns))
                     + (SELECT count(*) FROM workflow_journal j JOIN workflow_instance i ON i.id = j.instance_id
                         WHERE i.definition_id = @def AND concat(j.actor, j.reason, j.payload::text) ILIKE ANY(@patterns))
                     + (SELECT count(*) FROM human_task WHERE concat(title, completed_by, reason) ILIKE ANY(@patterns))
                """, new { patterns, def = AdvisorContractWorkflow.DefinitionId }));
            Assert.True(await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM hr_contact WHERE email = ANY(@hrAddresses)", new { hrAddresses })
                        == hrAddresses.Count);
        }

        // The union's figures are those of before: the records stay, under the same ids, so under the same pseudonyms.
        Assert.Equal(figures, JsonSerializer.Serialize((await reports.OutcomesAsync(ReadScope.Everything)).Report));
        await using (var conn = await p.Db.OpenConnectionAsync())
        {
            // Every instance still reads as its workflow's data: the free texts went by their place, and an early end's reason
            // (a code, not a text) stayed what it was.
            var early = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM contract WHERE terminated_on IS NOT NULL");
            Assert.True(early > 0, "the program has an early end");
            var data = (await conn.QueryAsync<string>("SELECT data::text FROM workflow_instance WHERE definition_id = @def",
                new { def = AdvisorContractWorkflow.DefinitionId })).Select(WorkflowJson.Deserialize<AdvisorContractData>).ToList();
            Assert.Equal(early, data.Count(d => d.Contract.EarlyTermination is { Note: null }));
            Assert.All(data, d => Assert.Equal(Retention.ErasedName, d.Advisor.FullName));
            // The records and the instances are still one fact each: erased alike.
            var check = await CareerPath.Workflows.Records.RecordsCheck.RunAsync(p.Db);
            Assert.True(check.Differences.Count == 0, check.ToString());
            // Each erased instance has the step that erased it in its journal, as its last version.
            Assert.Equal(data.Count, await conn.ExecuteScalarAsync<int>("""
                SELECT count(*)::int FROM workflow_journal j JOIN workflow_instance i ON i.id = j.instance_id AND j.seq = i.version
                 WHERE i.definition_id = @def AND j.trigger = @trigger AND j.actor = @actor
                """, new { def = AdvisorContractWorkflow.DefinitionId, trigger = Retention.ErasedTrigger, actor = Retention.Actor }));
        }
        // Both chains verify: the decision log was not touched, the access log starts at its anchor.
        var integrity = await IntegrityQueries.CheckAsync(p.Db, p.Clock);
        Assert.True(integrity.DecisionLog.Verified, integrity.DecisionLog.Problem);
        Assert.True(integrity.DecisionLog.Entries > 0);
        Assert.True(integrity.AccessLog.Verified, integrity.AccessLog.Problem);
        Assert.Equal(1, integrity.AccessLog.Entries);
        // The chain goes on from there, and a row removed behind the purge's back still breaks it.
        await new AccessLogStore(p.Db).AppendAsync(p.Clock.GetUtcNow(), Guid.NewGuid(), "admin", "read", "advisor", recent, 1, null);
        var longer = await IntegrityQueries.CheckAccessLogAsync(p.Db, integrity.AccessLog.Head);
        Assert.True(longer.Verified, longer.Problem);
        Assert.Equal(2, longer.Entries);
        await using (var conn = await p.Db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_or_delete");
            await conn.ExecuteAsync("DELETE FROM access_log WHERE seq = (SELECT min(seq) FROM access_log)");
            await conn.ExecuteAsync("ALTER TABLE access_log ENABLE TRIGGER access_log_no_update_or_delete");
        }
        var cut = await IntegrityQueries.CheckAccessLogAsync(p.Db);
        Assert.False(cut.Verified);
        Assert.Contains("ancre", cut.Problem);

        // The run is recorded by its counts, and a second run finds nothing left to do.
        var run = Assert.Single(await retention.RunsAsync());
        Assert.Equal(report.Counts, run.Counts);
        var again = await retention.RunAsync(dryRun: false);
        Assert.All(again.Counts, c => Assert.Equal(0, c.Count));
    }

    [Fact]
    public async Task A_dry_run_changes_nothing_and_counts_what_the_real_run_then_does()
    {
        await using var p = await PlayAsync(advisors: 16);
        // Between the archive and the erasure of some: both kinds of work are due.
        p.Clock.Set(WorkflowEngine.DueInstant(DateMath.AddMonths(p.LastEnd, 56)));
        var retention = new Retention(p.Db, p.Clock, Policy, _folder);
        var tables = await FingerprintsAsync(p.Db);
        var files = Directory.GetFiles(_folder).Order().ToList();

        var dry = await retention.RunAsync(dryRun: true);

        Assert.True(dry.DryRun);
        Assert.Equal(tables, await FingerprintsAsync(p.Db));
        Assert.Equal(files, Directory.GetFiles(_folder).Order().ToList());
        Assert.Empty(await retention.RunsAsync());
        Assert.True(dry.Count(DataCategory.ContractsAndWorkflows, RetentionAction.Archived, "conseillers") > 0, string.Join(", ", dry.Counts));
        Assert.True(dry.Count(DataCategory.ContractsAndWorkflows, RetentionAction.Erased, "conseillers") > 0, string.Join(", ", dry.Counts));
        Assert.True(dry.Count(DataCategory.Messages, RetentionAction.Deleted, "fichiers .eml") > 0, string.Join(", ", dry.Counts));

        var real = await retention.RunAsync(dryRun: false);

        Assert.Equal(dry.Counts, real.Counts);
        Assert.NotEqual(tables, await FingerprintsAsync(p.Db));
        Assert.Equal(files.Count - dry.Count(DataCategory.Messages, RetentionAction.Deleted, "fichiers .eml"), Directory.GetFiles(_folder).Length);
    }

    [Fact]
    public async Task An_archived_advisor_hired_again_is_back_in_the_active_base_and_the_access_log_keeps_its_last_six_months_whatever_is_asked()
    {
        await using var h = await EngineHarness.CreateAsync("2024-01-02");
        var (_, _, data) = await Scenario.StartPublicCddAsync(h);
        await h.QueryAsync<int>("UPDATE advisor SET archived_on = '2023-12-01' WHERE id = @id RETURNING 1", new { id = data.Advisor.Id });

        var report = await new Retention(h.DataSource, h.Clock, Policy, null).RunAsync(dryRun: false);

        Assert.Equal(1, report.Count(DataCategory.ContractsAndWorkflows, RetentionAction.Reopened, "conseillers"));
        Assert.Null((await h.QueryAsync<DateOnly?>("SELECT archived_on FROM advisor WHERE id = @id", new { id = data.Advisor.Id })).Single());

        // The purge refuses a cut-off less than six months back, as it would an application that asked to empty the log.
        var now = h.Clock.GetUtcNow();
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            h.QueryAsync<long>("SELECT access_log_purge(@cut, @now)", new { cut = now.AddMonths(-5), now }));
        Assert.Contains("less than 6 months", refused.MessageText);
    }

    /// <summary>Every table's content as one hash, table by table (the job's own schema and Hangfire's).</summary>
    static async Task<Dictionary<string, string>> FingerprintsAsync(NpgsqlDataSource db)
    {
        await using var conn = await db.OpenConnectionAsync();
        var tables = await conn.QueryAsync<string>("""
            SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """);
        var result = new Dictionary<string, string>();
        foreach (var table in tables)
            result[table] = await conn.ExecuteScalarAsync<string>($"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t") ?? "";
        return result;
    }

    static async Task<string> DumpAsync(string connectionString)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo("pg_dump")
        {
            ArgumentList = { "--host", cs.Host!, "--port", cs.Port.ToString(), "--username", cs.Username!, "--dbname", cs.Database!, "--no-owner" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = cs.Password ?? "";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }

    string FolderText() => Directory.Exists(_folder)
        ? string.Concat(Directory.GetFiles(_folder).Select(f => DecodedText(File.ReadAllText(f))))
        : "";

    /// <summary>A message as its reader would see it: headers and the decoded bodies (quoted-printable or base64 hide an address from a plain search).</summary>
    static string DecodedText(string eml)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(eml));
        var message = MimeKit.MimeMessage.Load(stream);
        return string.Join('\n', message.Headers.Select(h => h.ToString()), message.TextBody, message.HtmlBody, eml);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

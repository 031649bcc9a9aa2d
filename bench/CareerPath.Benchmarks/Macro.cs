using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace CareerPath.Benchmarks;

/// <summary>
/// The engine against the machine's own limits, measured in one run on one durable PostgreSQL
/// cluster (fsync and synchronous commit on, as in production):
/// (a) the sweeper on a burst of due timers; (b) the naive alternative, one Hangfire job per
/// transition; (c) pgbench's simple-update TPS, the commit limit; (d) signal latency under bounded
/// concurrency; (e) the statements an idle node sends.
/// </summary>
public static class Macro
{
    sealed record Row(string Measure, string Value, string Note);

    public static async Task<int> RunAsync(string[] args)
    {
        var timers = Option(args, "--timers", 10_000);
        var hangfireJobs = Option(args, "--hangfire-jobs", 2_000);
        var pgbenchSeconds = Option(args, "--pgbench-seconds", 20);
        var latencySignals = Option(args, "--signals", 2_000);
        var idleSeconds = Option(args, "--idle-seconds", 60);
        var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();

        var dir = Path.Combine(Path.GetTempPath(), $"careerpath-bench-{Guid.NewGuid():N}");
        await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dir, Database = "bench" });
        try
        {
            var cs = cluster.ConnectionString();
            await new SchemaMigrator(TimeProvider.System).MigrateAsync(cs);
            await ExecAsync(cs, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            var rows = new List<Row>();

            // (a) the sweeper
            var day0 = new DateOnly(2025, 3, 3);
            var clock = new SimulatedClock(WorkflowEngine.DueInstant(day0).AddDays(-30));
            await using var db = Database.CreateDataSource(cs);
            var engine = new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock);
            Console.Error.WriteLine($"(a) arming {timers} contract-start timers...");
            var swept = await StartContractsAsync(engine, timers, day0);
            clock.Set(WorkflowEngine.DueInstant(day0));
            var (sweeperTps, sweptCount, commitsPerTransition, seconds) = await SweepBurstAsync(cs, db, engine, parallelism: 1);
            rows.Add(new("(a) sweeper, burst of due timers, 1 sweeper", $"{sweeperTps:0} transitions/s",
                $"{sweptCount} transitions (Recruited → TrialPeriod: full advisor-contract rules, 14 timers armed each) in {seconds:0.0} s; {commitsPerTransition:0.000} commits per transition"));
            Console.Error.WriteLine($"(a) again with 2 sweepers on {timers} more timers...");
            var day1 = day0.AddDays(1);
            swept.AddRange(await StartContractsAsync(engine, timers, day1));
            clock.Set(WorkflowEngine.DueInstant(day1));
            var (sweeper2Tps, swept2, commits2, seconds2) = await SweepBurstAsync(cs, db, engine, parallelism: 2);
            rows.Add(new("(a) sweeper, same burst, 2 sweepers (SKIP LOCKED)", $"{sweeper2Tps:0} transitions/s",
                $"{swept2} transitions in {seconds2:0.0} s; {commits2:0.000} commits per transition"));
            sweeperTps = Math.Max(sweeperTps, sweeper2Tps);
            // The same contracts a month later: their training-start reminder, the everyday kind of
            // transition (internal, one outbox row, nothing new to arm).
            clock.Set(WorkflowEngine.DueInstant(day1.AddMonths(1).AddDays(3)));
            var (typicalTps, typical, commits3, seconds3) = await SweepBurstAsync(cs, db, engine, parallelism: 2);
            rows.Add(new("(a) sweeper, everyday reminders, 2 sweepers", $"{typicalTps:0} transitions/s",
                $"{typical} training-start reminders (internal transition, one outbox row each) in {seconds3:0.0} s; {commits3:0.000} commits per transition"));
            sweeperTps = Math.Max(sweeperTps, typicalTps);

            // (b) the naive path: one Hangfire job per transition
            Console.Error.WriteLine($"(b) {hangfireJobs} Hangfire jobs...");
            var naiveIds = await StartContractsAsync(engine, hangfireJobs, day0.AddDays(200));
            var naiveTps = await HangfireNaiveAsync(cs, engine, naiveIds);
            rows.Add(new("(b) naive: one Hangfire.PostgreSql job per transition", $"{naiveTps:0} transitions/s",
                $"{hangfireJobs} jobs, 10 workers, the same transition (ContractStarted) as (a)"));

            // (c) the commit limit
            Console.Error.WriteLine("(c) pgbench...");
            var pgbenchTps = await PgbenchAsync(cluster, pgbenchSeconds);
            rows.Add(new("(c) pgbench -N (simple update), same cluster", $"{pgbenchTps:0} TPS", $"scale 10, 8 clients, 2 threads, {pgbenchSeconds} s"));

            // (d) signal latency under bounded concurrency
            Console.Error.WriteLine("(d) signal latency...");
            var (p50, p99, signalTps) = await LatencyAsync(engine, swept.Take(latencySignals).ToList(), concurrency: 8);
            rows.Add(new("(d) signal latency p50 / p99", $"{p50:0.0} ms / {p99:0.0} ms",
                $"{Math.Min(latencySignals, swept.Count)} TrainingScheduled signals, 8 at a time, in-process engine ({signalTps:0} signals/s)"));
            Console.Error.WriteLine("(d) the same through HTTP...");
            var httpIds = swept.Skip(latencySignals).Take(latencySignals).ToList();
            var (h50, h99, httpTps) = await HttpLatencyAsync(cs, httpIds, concurrency: 8);
            rows.Add(new("(d) signal latency p50 / p99 over HTTP", $"{h50:0.0} ms / {h99:0.0} ms",
                $"{httpIds.Count} POST /api/contracts/{{id}}/trainings, bearer token, 8 at a time, CareerPath.Server on Kestrel (jobs off), client on the same machine ({httpTps:0} requests/s)"));

            // (e) an idle node
            Console.Error.WriteLine($"(e) idle node for {idleSeconds} s...");
            var (statementsPerSecond, transactionsPerSecond) = await IdleNodeAsync(cluster, idleSeconds);
            rows.Add(new("(e) idle node: statements per second", $"{statementsPerSecond:0.00} statements/s",
                $"CareerPath.Server (Hangfire server; sweeper and outbox delivery every minute) on an empty database, {idleSeconds} s after a 20 s warm-up; {transactionsPerSecond:0.00} transactions/s (pg_stat_statements, pg_stat_database)"));

            var ratios = new[]
            {
                new Row("sweeper (best of the three (a) rows) / naive Hangfire", $"{sweeperTps / naiveTps:0.0}×", "goal: 30× or more"),
                new Row("sweeper / pgbench simple-update TPS", $"{sweeperTps / pgbenchTps:0.00}×", "goal: 1.5× or more (batches commit many transitions at once)"),
                new Row("sweeper vs 5,000 transitions/s goal", $"{sweeperTps / 5000:0.00}×", "goal: 1× or more"),
                new Row("idle statements/s vs 5/s goal", $"{statementsPerSecond / 5:0.00}×", "goal: 1× or less"),
            };
            var report = Render(rows, ratios, args);
            Console.WriteLine(report);
            if (output is not null) await File.WriteAllTextAsync(output, report);
            return 0;
        }
        finally
        {
            await cluster.StopAsync();
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
    }

    static string Render(List<Row> rows, Row[] ratios, string[] args)
    {
        var text = new StringBuilder();
        text.AppendLine($"Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; .NET {Environment.Version}; run on {TimeProvider.System.GetUtcNow():yyyy-MM-dd}");
        text.AppendLine($"Command: dotnet run -c Release --project bench/CareerPath.Benchmarks -- {string.Join(' ', args)}".TrimEnd());
        text.AppendLine();
        text.AppendLine("| measure | result | conditions |");
        text.AppendLine("|---|---|---|");
        foreach (var r in rows) text.AppendLine($"| {r.Measure} | {r.Value} | {r.Note} |");
        text.AppendLine();
        text.AppendLine("| ratio | value | goal |");
        text.AppendLine("|---|---|---|");
        foreach (var r in ratios) text.AppendLine($"| {r.Measure} | {r.Value} | {r.Note} |");
        return text.ToString();
    }

    static async Task<(double PerSecond, int Fired, double CommitsPerTransition, double Seconds)> SweepBurstAsync(
        string cs, NpgsqlDataSource db, WorkflowEngine engine, int parallelism)
    {
        // Idle pooled backends report their statistics late: close them, then let the collector settle.
        db.Clear();
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(1500);
        await ExecAsync(cs, "SELECT pg_stat_statements_reset()");
        var commitsBefore = await CommitsAsync(cs);
        var sw = Stopwatch.StartNew();
        var result = await new Sweeper(engine).SweepAllDueAsync(parallelism: parallelism);
        sw.Stop();
        db.Clear();
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(1500);
        var commits = await CommitsAsync(cs) - commitsBefore - 1;
        if (Environment.GetEnvironmentVariable("BENCH_DUMP") is not null)
        {
            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync();
            await using var q = new NpgsqlCommand("SELECT calls, round(total_exec_time::numeric,1), left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8", c);
            await using var r = await q.ExecuteReaderAsync();
            while (await r.ReadAsync()) Console.Error.WriteLine($"{r.GetInt64(0),7} exec {r.GetDecimal(1),8} {r.GetString(2)}");
        }
        return (result.Fired / sw.Elapsed.TotalSeconds, result.Fired, (double)commits / result.Fired, sw.Elapsed.TotalSeconds);
    }

    static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0 ? v : fallback;
    }

    /// <summary>Contracts recruited before <paramref name="start"/>: each waits on its contract-start timer.</summary>
    static async Task<List<Guid>> StartContractsAsync(WorkflowEngine engine, int count, DateOnly start)
    {
        var ids = new Guid[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var post = new FundedPost(Guid.NewGuid(), Guid.NewGuid(), $"Poste {i}",
                [StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.FirstWave, LegalRegime.Public, start.AddDays(-30))]);
            var contract = new Contract(Guid.NewGuid(), Guid.NewGuid(), post.Id, ContractType.Cdd, LegalRegime.Public, start, start.AddYears(2).AddDays(-1));
            var data = new AdvisorContractData
            {
                Contract = contract, Advisor = new Advisor(contract.AdvisorId, $"Conseiller {i}", $"c{i}@example.fr", i % 25 == 0),
                StructureId = post.StructureId, StructureName = "Structure", HrEmail = "rh@example.fr", HrLeadEmail = "drh@example.fr", Post = post,
            };
            // The rows the contract's record points to, as the API or an import would have written them first.
            await using (var batch = engine.DataSource.CreateBatch())
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO structure (id, name, kind, legal_regime) VALUES ($1, $2, 'Commune', 'Public')")
                    { Parameters = { new() { Value = post.StructureId }, new() { Value = $"Structure {i}" } } });
                batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO funded_post (id, structure_id, label) VALUES ($1, $2, $3)")
                    { Parameters = { new() { Value = post.Id }, new() { Value = post.StructureId }, new() { Value = post.Label } } });
                batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO advisor (id, full_name, work_email, structure_id) VALUES ($1, $2, $3, $4)")
                    { Parameters = { new() { Value = data.Advisor.Id }, new() { Value = data.Advisor.FullName }, new() { Value = $"{data.Advisor.Id:N}@bench.example.fr" }, new() { Value = post.StructureId } } });
                await batch.ExecuteNonQueryAsync(ct);
            }
            ids[i] = await engine.StartAsync(new StartRequest(AdvisorContractWorkflow.DefinitionId, contract.Id, post.StructureId, WorkflowJson.ToObject(data), "bench"), ct);
        });
        return [.. ids];
    }

    /// <summary>Hangfire job: one transition, as a naive design would schedule each business deadline.</summary>
    public sealed class NaiveJob
    {
        internal static WorkflowEngine? Engine;

        public Task Fire(Guid instanceId) =>
            Engine!.SignalAsync(new SignalRequest(instanceId, nameof(ContractTrigger.ContractStarted), null, "hangfire"));
    }

    static async Task<double> HangfireNaiveAsync(string cs, WorkflowEngine engine, List<Guid> ids)
    {
        NaiveJob.Engine = engine;
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire_bench", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(50) };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(cs, options, null), options);
        GlobalConfiguration.Configuration.UseStorage(storage);
        var client = new BackgroundJobClient(storage);
        foreach (var id in ids) client.Enqueue<NaiveJob>(job => job.Fire(id));
        var monitor = storage.GetMonitoringApi();
        var sw = Stopwatch.StartNew();
        using (new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = 10 }, storage))
        {
            while (monitor.SucceededListCount() + monitor.FailedCount() < ids.Count)
                await Task.Delay(20);
            sw.Stop();
        }
        if (monitor.FailedCount() > 0) Console.Error.WriteLine($"   {monitor.FailedCount()} Hangfire jobs failed");
        return ids.Count / sw.Elapsed.TotalSeconds;
    }

    static async Task<double> PgbenchAsync(EmbeddedPostgres cluster, int seconds)
    {
        await ExecAsync(cluster.ConnectionString("postgres"), "CREATE DATABASE pgbench");
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = cluster.Password };
        string[] common = ["-h", "127.0.0.1", "-p", cluster.Port.ToString(CultureInfo.InvariantCulture), "-U", "careerpath"];
        await RunAsync("pgbench", [.. common, "-i", "-s", "10", "-q", "pgbench"], env);
        var output = await RunAsync("pgbench", [.. common, "-N", "-c", "8", "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "pgbench"], env);
        var line = output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal));
        return double.Parse(line["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    static async Task<(double P50, double P99, double PerSecond)> LatencyAsync(WorkflowEngine engine, List<Guid> ids, int concurrency)
    {
        var latencies = new double[ids.Count];
        var sw = Stopwatch.StartNew();
        await Parallel.ForAsync(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var one = Stopwatch.StartNew();
            await engine.SignalAsync(new SignalRequest(ids[i], nameof(ContractTrigger.TrainingScheduled),
                new JsonObject { ["start"] = "2025-04-07", ["end"] = "2025-06-27", ["hours"] = 140 }, "bench", $"latency:{i}"), ct);
            latencies[i] = one.Elapsed.TotalMilliseconds;
        });
        sw.Stop();
        Array.Sort(latencies);
        return (latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)], ids.Count / sw.Elapsed.TotalSeconds);
    }

    /// <summary>The same signal as (d) through the REST API: authentication, authorization, the record check, the transition.</summary>
    static async Task<(double P50, double P99, double PerSecond)> HttpLatencyAsync(string cs, List<Guid> instanceIds, int concurrency)
    {
        List<Guid> contracts;
        string token;
        await using (var db = Database.CreateDataSource(cs))
        {
            contracts = [];
            await using (var cmd = db.CreateCommand("SELECT subject_id FROM workflow_instance WHERE id = ANY($1)"))
            {
                cmd.Parameters.AddWithValue(instanceIds.ToArray());
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync()) contracts.Add(reader.GetGuid(0));
            }
            var accounts = new CareerPath.Server.Security.Accounts(new CareerPath.Workflows.Queries.AccountStore(db), TimeProvider.System, new CareerPath.Server.Security.AccountOptions());
            var admin = await accounts.CreateAsync(new CareerPath.Server.Security.NewAccount($"bench.{Guid.NewGuid():N}@careerpath.local", "Bench", "admin", null, [], null));
            (_, token) = await accounts.CreateTokenAsync(admin, "bench", null);
        }
        var port = FreePort();
        var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "CareerPath.Server.dll"), "--connection", cs, "--urls", $"http://127.0.0.1:{port}",
            "--CareerPath:Jobs:Enabled=false", "--CareerPath:RateLimits:ApiPerUserPerMinute=10000000", "--CareerPath:RateLimits:ApiPerIpPerMinute=10000000"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            for (var i = 0; i < 120; i++)
            {
                try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) break; }
                catch (HttpRequestException) { }
                await Task.Delay(500);
            }
            // Warm-up: the first requests compile the endpoints and fill the connection pool.
            foreach (var id in contracts.Take(20)) await PostTrainingAsync(http, id);
            var measured = contracts.Skip(20).ToList();
            var latencies = new double[measured.Count];
            var sw = Stopwatch.StartNew();
            await Parallel.ForAsync(0, measured.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            {
                var one = Stopwatch.StartNew();
                await PostTrainingAsync(http, measured[i]);
                latencies[i] = one.Elapsed.TotalMilliseconds;
            });
            sw.Stop();
            Array.Sort(latencies);
            return (latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)], measured.Count / sw.Elapsed.TotalSeconds);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    static async Task PostTrainingAsync(HttpClient http, Guid contract)
    {
        using var response = await http.PostAsync($"/api/contracts/{contract}/trainings",
            new StringContent("""{"start":"2025-04-07","end":"2025-06-27","hours":140}""", Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    static async Task<(double Statements, double Transactions)> IdleNodeAsync(EmbeddedPostgres cluster, int seconds)
    {
        await ExecAsync(cluster.ConnectionString("postgres"), "CREATE DATABASE idle");
        var cs = cluster.ConnectionString("idle");
        var port = FreePort();
        var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "CareerPath.Server.dll"), "--connection", cs, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient();
            for (var i = 0; i < 120; i++)
            {
                try { if ((await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode) break; }
                catch (HttpRequestException) { }
                await Task.Delay(500);
            }
            await Task.Delay(TimeSpan.FromSeconds(20));
            var (calls0, xacts0) = await IdleCountersAsync(cluster);
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var (calls1, xacts1) = await IdleCountersAsync(cluster);
            return ((calls1 - calls0) / (double)seconds, (xacts1 - xacts0) / (double)seconds);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    static async Task<(long Calls, long Transactions)> IdleCountersAsync(EmbeddedPostgres cluster)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString("bench"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'idle'),
                   (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'idle')
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    static async Task<long> CommitsAsync(string cs)
    {
        // Statistics are sent at transaction end and read from a snapshot: clear it to see the latest.
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    static async Task ExecAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    static async Task<string> RunAsync(string program, string[] args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {await stderr}");
        return await stdout + await stderr;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

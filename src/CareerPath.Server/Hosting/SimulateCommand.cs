using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;

namespace CareerPath.Server.Hosting;

/// <summary>
/// simulate: a whole program replayed on a virtual clock through the real engine and database, from
/// the first recruitment wave to the end of the last follow-up.
/// </summary>
public static class SimulateCommand
{
    /// <summary>The program's first recruitment wave (plan de relance, spring 2021); fixed so a seed replays exactly.</summary>
    static readonly DateOnly FirstWave = new(2021, 4, 1);
    const int WaveSpreadDays = 540;

    public static async Task<int> RunAsync(ParsedOptions options)
    {
        var (advisors, seed, json, outcomesFile) = Parse(options.HostArgs);
        var log = ConsoleLog.Create();
        string? tempDir = null;
        EmbeddedPostgres? cluster = null;
        // Ctrl-C or a TERM (a long run stopped by hand, a CI timeout) ends the run between two simulated moments, so that the
        // finally below stops the throw-away cluster and removes its folder: the default exit left both behind.
        using var interrupted = new CancellationTokenSource();
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }
        try
        {
            string connectionString;
            if (options.Connection is { } configured)
            {
                connectionString = configured;
            }
            else
            {
                // A throw-away cluster: a simulation must not touch the embedded default's real data.
                tempDir = Path.Combine(Path.GetTempPath(), $"careerpath-simulate-{Environment.ProcessId}-{Guid.NewGuid():N}");
                // Its database grows to gigabytes (100,000 advisors: 3 GB by simulated 2023), where the default 128 MB of buffers
                // read one block in eight from the system's cache: an eighth of the machine's memory, at most 1 GB (issue 14).
                var buffers = (int)Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8 / (1024 * 1024), 128, 1024);
                cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = tempDir, Disposable = true, SharedBuffersMb = buffers },
                    json ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : log);
                connectionString = cluster.ConnectionString();
            }
            await new SchemaMigrator(TimeProvider.System).MigrateAsync(connectionString);
            await using var db = Database.CreateDataSource(connectionString);
            if (await new InstanceAdminQueries(db).CountAsync() > 0)
                throw new ArgumentException("simulate needs an empty database: this one already holds workflow instances.");

            var wall = Stopwatch.StartNew();
            var model = ProgramModel.Generate(advisors, seed, FirstWave, WaveSpreadDays);
            await model.InsertReferenceDataAsync(db);
            var clock = new SimulatedClock(WorkflowEngine.DueInstant(model.Advisors.Min(a => a.Post.Conventions[0].Start).AddDays(-2)));
            var engine = new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), clock);
            var progress = new ProgressLine(enabled: !Console.IsErrorRedirected);
            var runner = new ProgramRunner(model, engine, clock) { Progress = day => progress.Show($"{day:yyyy-MM-dd}") };
            await runner.RunAsync(ct: interrupted.Token);
            progress.Clear();
            wall.Stop();

            await using var lines = outcomesFile is null ? null : new StreamWriter(outcomesFile);
            var report = await SimulationReport.CollectAsync(db, advisors, wall, contractLines: lines);
            Console.WriteLine(json
                ? JsonSerializer.Serialize(new { seed, report }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = false })
                : $"Simulation of {advisors} advisors, seed {seed}\n{report}");
            return report.OpenInstances == 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("\nsimulate: interrupted; the simulation's own PostgreSQL is stopped and its folder removed.");
            return 130;
        }
        finally
        {
            if (cluster is not null) await cluster.DisposeAsync();
            if (tempDir is not null)
            {
                try { Directory.Delete(tempDir, recursive: true); }
                catch (IOException) { }
            }
        }
    }

    static (int Advisors, int Seed, bool Json, string? OutcomesFile) Parse(string[] args)
    {
        int? advisors = null, seed = null;
        var json = false;
        string? outcomes = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--advisors": advisors = PositiveInt(args, ref i, max: 1_000_000); break;
                case "--seed": seed = PositiveInt(args, ref i, max: int.MaxValue); break;
                case "--json": json = true; break;
                case "--outcomes":
                    outcomes = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i]
                        : throw new ArgumentException("simulate: --outcomes needs a file to write, one line per contract.");
                    if (Path.GetDirectoryName(Path.GetFullPath(outcomes)) is { } folder && !Directory.Exists(folder))
                        throw new ArgumentException($"simulate: --outcomes {outcomes}: the folder {folder} does not exist.");
                    break;
                default: throw new ArgumentException($"simulate: unknown option '{args[i]}'. {CommandLine.HelpHint}");
            }
        }
        return (advisors ?? throw new ArgumentException("simulate: --advisors N is required."), seed ?? 1, json, outcomes);
    }

    static int PositiveInt(string[] args, ref int i, int max)
    {
        var name = args[i];
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out var value) || value < 1 || value > max)
            throw new ArgumentException($"simulate: {name} needs a whole number from 1 to {max}.");
        i++;
        return value;
    }

    /// <summary>One line of progress on a terminal, rewritten at most five times a second.</summary>
    sealed class ProgressLine(bool enabled)
    {
        readonly Stopwatch _since = Stopwatch.StartNew();
        long _last = -1000;

        public void Show(string text)
        {
            if (!enabled || _since.ElapsedMilliseconds - _last < 200) return;
            _last = _since.ElapsedMilliseconds;
            Console.Error.Write($"\rsimulated day {text}  ({_since.Elapsed.TotalSeconds:0} s)   ");
        }

        public void Clear()
        {
            if (enabled) Console.Error.Write("\r" + new string(' ', 60) + "\r");
        }
    }
}

using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Simulation;
using CareerPath.Workflows.Storage;

namespace CareerPath.Server.Hosting;

/// <summary>
/// The verbs of the one executable. Options of our own are taken out of the arguments; the rest
/// (e.g. <c>--urls</c>) goes to ASP.NET Core's configuration.
/// </summary>
public static class CommandLine
{
    public const string Usage = """
        Usage: CareerPath.Server [verb] [options]

        Verbs:
          serve (default)   run the web server (applies migrations first)
          migrate           apply the database migrations and exit
          workflows --mermaid
                            print the state diagram of every workflow definition (Mermaid)
          seed-demo         create the demo data set through the engine (an empty database only)
          import KIND FILE  import a CSV file of structures, posts, advisors or contracts (all or
                            nothing; errors by line and column); posts and contracts start their workflows
          check-records     compare every contract record with its workflow instance (dates,
                            amendments, renewals, early ends, decisions); exit 1 on a difference
          simulate --advisors N [--seed S] [--json] [--outcomes FILE]
                            replay a whole program on a virtual clock through the real engine, on a
                            throw-away PostgreSQL (or --connection, an empty database), and report
          help              print this text

        Options:
          --connection CS   use this PostgreSQL connection string (else ConnectionStrings:CareerPath,
                            else an embedded PostgreSQL started from the machine's binaries)
          --owner-connection CS
                            the schema owner's connection for migrations (else
                            ConnectionStrings:CareerPathOwner); --connection is then the server's
          --data-dir DIR    folder of the embedded PostgreSQL (else CareerPath:DataDir, else
                            ~/.local/share/careerpath, or /var/lib/careerpath as root)
          --urls URLS       where the web server listens (default http://127.0.0.1:5080)
          --seed-demo       serve: seed the demo data set first if the database is empty
        """;

    /// <summary>The one line that follows an error about the arguments (the usage itself is for `help` only).</summary>
    public const string HelpHint = "Run `CareerPath.Server help` for the verbs and options.";

    public static async Task<int> RunAsync(string[] args)
    {
        // "--help" and "-h" are the help verb, not options of serve.
        var named = args.Length > 0 && (!args[0].StartsWith('-') || args[0] is "--help" or "-h");
        var verb = named ? args[0] : "serve";
        var rest = named ? args[1..] : args;
        ParsedOptions options;
        try
        {
            options = ParsedOptions.Parse(rest);
        }
        catch (ArgumentException e)
        {
            return await Fail($"{e.Message} {HelpHint}");
        }
        // Checked before anything opens it: otherwise .NET's own "The file '…' already exists" comes out of a folder creation.
        if (options.DataDir is { } dataDir && File.Exists(dataDir))
            return await Fail($"error: --data-dir '{dataDir}' is a file, not a folder: give the folder of the embedded PostgreSQL (it is created if missing).");

        try
        {
            return verb switch
            {
                "serve" => await ServerApp.RunAsync(options),
                "migrate" => await MigrateAsync(options),
                "workflows" => PrintWorkflows(options),
                "seed-demo" => await SeedDemoAsync(options),
                "simulate" => await SimulateCommand.RunAsync(options),
                "import" => await ImportCommand.RunAsync(options),
                "check-records" => await CheckRecordsAsync(options),
                "help" or "--help" or "-h" => Print(Usage),
                _ => await Fail($"Unknown verb '{verb}'. {HelpHint}"),
            };
        }
        catch (Exception e) when (e is EmbeddedPostgresException or SchemaMigrationException or Npgsql.NpgsqlException or IOException
            or WorkflowInputException)
        {
            return await Fail($"error: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return await Fail($"error: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return await Fail($"error: permission denied ({e.Message}): run as the account that owns the data folder, or choose another with --data-dir.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Last line of defence: still one line, naming what failed; the stack trace is for a debugger, not for the person at the prompt.
            return await Fail($"error: {verb} failed: {e.Message} ({e.GetType().Name})");
        }
    }

    static async Task<int> MigrateAsync(ParsedOptions options)
    {
        await using var database = await DatabaseLocation.OpenAsync(options, ConsoleLog.Create());
        var report = await new SchemaMigrator(TimeProvider.System).MigrateAsync(database.ConnectionString);
        Console.WriteLine(report.Applied.Count == 0
            ? $"Schema is up to date (version {report.ToVersion}). Nothing changed."
            : $"Migrated from version {report.FromVersion} to {report.ToVersion}: {string.Join(", ", report.Applied.Select(m => $"{m.Version:0000}_{m.Name}"))}.");
        return 0;
    }

    static async Task<int> CheckRecordsAsync(ParsedOptions options)
    {
        await using var database = await DatabaseLocation.OpenAsync(options, ConsoleLog.Create());
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(database.ConnectionString);
        await using var db = Database.CreateDataSource(database.ConnectionString);
        var report = await RecordsCheck.RunAsync(db);
        Console.WriteLine(report);
        return report.Differences.Count == 0 ? 0 : 1;
    }

    static int PrintWorkflows(ParsedOptions options)
    {
        if (!options.HostArgs.Contains("--mermaid"))
            throw new ArgumentException("workflows: say what to print, e.g. workflows --mermaid");
        foreach (var definition in new DefinitionRegistry(ShippedWorkflows.All).All)
        {
            Console.WriteLine($"%% {definition.Id} v{definition.Version}");
            Console.WriteLine(definition.ToMermaid());
        }
        return 0;
    }

    static async Task<int> SeedDemoAsync(ParsedOptions options)
    {
        var log = ConsoleLog.Create();
        await using var database = await DatabaseLocation.OpenAsync(options, log);
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(database.ConnectionString);
        var report = await DemoData.SeedAsync(database.ConnectionString, TimeProvider.System, log);
        Console.WriteLine(report);
        return 0;
    }

    static int Print(string text)
    {
        Console.WriteLine(text);
        return 0;
    }

    /// <summary>One line on stderr, exit code 2: a message spread over lines (PostgreSQL's, the binder's) is joined.</summary>
    static async Task<int> Fail(string message)
    {
        await Console.Error.WriteLineAsync(string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return 2;
    }
}

/// <summary>Our own options, with the remaining arguments passed through to ASP.NET Core.</summary>
public sealed record ParsedOptions(string? Connection, string? DataDir, bool SeedDemo, string[] HostArgs, string? OwnerConnection = null)
{
    public static ParsedOptions Parse(string[] args)
    {
        string? connection = null, dataDir = null;
        string? ownerConnection = null;
        var seedDemo = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--connection":
                    connection = Value(args, ref i);
                    break;
                case "--data-dir":
                    dataDir = Value(args, ref i);
                    break;
                case "--owner-connection":
                    ownerConnection = Value(args, ref i);
                    break;
                case "--seed-demo":
                    seedDemo = true;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        return new ParsedOptions(connection, dataDir, seedDemo, [.. rest], ownerConnection);
    }

    static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
            throw new ArgumentException($"Option {args[i]} needs a value.");
        return args[++i];
    }
}

using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Import;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Storage;

namespace CareerPath.Server.Hosting;

/// <summary>
/// `import KIND FILE`: the API's CSV import from the command line, as an administrator (every
/// structure). All or nothing; errors are printed by line and column and the exit code is 1.
/// </summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(ParsedOptions options)
    {
        var args = options.HostArgs;
        if (args.Length != 2)
            throw new ArgumentException("import: give the kind (structures, posts, advisors or contracts) and the CSV file, e.g. import contracts contrats.csv");
        var name = Enum.GetNames<ImportKind>().FirstOrDefault(n => string.Equals(n, args[0], StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"import: unknown kind '{args[0]}': structures, posts, advisors or contracts.");
        var kind = Enum.Parse<ImportKind>(name);
        if (Directory.Exists(args[1])) throw new ArgumentException($"import: '{args[1]}' is a folder: give the CSV file itself, e.g. import {args[0]} {Path.Combine(args[1], "fichier.csv")}");
        if (!File.Exists(args[1]))
            throw new ArgumentException($"import: no file '{args[1]}' (looked in {Path.GetFullPath(args[1])}): check the path of the CSV file.");

        await using var database = await DatabaseLocation.OpenAsync(options, ConsoleLog.Create());
        await new SchemaMigrator(TimeProvider.System).MigrateAsync(database.ConnectionString);
        await using var db = Database.CreateDataSource(database.ConnectionString);
        var engine = new WorkflowEngine(db, new DefinitionRegistry(ShippedWorkflows.All), TimeProvider.System);
        await using var file = File.OpenRead(args[1]);
        var report = await new CsvImporter(new ReferenceData(engine)).ImportAsync(kind, file, _ => true, "admin:cli");
        if (!report.Ok)
        {
            await Console.Error.WriteLineAsync($"{args[1]}: {report.Errors.Count} error(s), nothing was imported:");
            foreach (var e in report.Errors) await Console.Error.WriteLineAsync($"  line {e.Line}, column {e.Column}: {e.Message}");
            return 1;
        }
        Console.WriteLine($"{args[1]}: {report.Rows} row(s) of {kind.ToString().ToLowerInvariant()}: {report.Created} created, {report.Unchanged} already there.");
        return 0;
    }
}

using BenchmarkDotNet.Running;
using CareerPath.Benchmarks;

// macro (default): the engine against the machine's limits, on a throw-away durable PostgreSQL.
// micro: BenchmarkDotNet on the in-process hot paths.
// pages: the server time of the HR dashboard and of an advisor page on a simulated program.
// reports: the server time of the auditor's outcomes page and of the program view on a simulated program.
if (args.Length > 0 && args[0] == "pages") return await PageTimes.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "reports") return await ReportPageTimes.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(HotPaths).Assembly).Run(args[1..]);
    return 0;
}
return await Macro.RunAsync(args);

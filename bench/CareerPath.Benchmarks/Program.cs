using BenchmarkDotNet.Running;
using CareerPath.Benchmarks;

// macro (default): the engine against the machine's limits, on a throw-away durable PostgreSQL.
// micro: BenchmarkDotNet on the in-process hot paths.
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(HotPaths).Assembly).Run(args[1..]);
    return 0;
}
return await Macro.RunAsync(args);

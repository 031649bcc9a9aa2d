using Microsoft.Extensions.Logging;

namespace CareerPath.Server.Hosting;

/// <summary>Logging for the CLI verbs, which run before (or without) the web host.</summary>
static class ConsoleLog
{
    static readonly ILoggerFactory Factory = LoggerFactory.Create(b => b
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
        .SetMinimumLevel(LogLevel.Information));

    public static ILogger Create() => Factory.CreateLogger("CareerPath");
}

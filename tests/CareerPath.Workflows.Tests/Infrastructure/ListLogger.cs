using CareerPath.Workflows.Engine;
using Microsoft.Extensions.Logging;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>The sweeper's log lines, kept for a test to read (which path a batch took).</summary>
sealed class ListLogger : ILogger<Sweeper>
{
    public List<string> Messages { get; } = [];
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Messages) Messages.Add(formatter(state, exception));
    }
}

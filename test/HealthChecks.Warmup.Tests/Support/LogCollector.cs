using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Support;

/// <summary>A real logger provider that keeps every event, for tests that assert on logs.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IEnumerable<LogEntry> Named(string eventName) => Entries.Where(e => e.EventName == eventName);

    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Collector(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, eventId.Name, formatter(state, exception),
                properties.ToDictionary(p => p.Key, p => p.Value)));
        }
    }
}

internal sealed record LogEntry(string Category, LogLevel Level, int EventId, string? EventName, string Message, IReadOnlyDictionary<string, object?> Properties);

using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Cli;

/// <summary>Plain <c>level: message</c> lines on a writer (standard error), one at a time.</summary>
internal sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new WriterLogger(this);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message)
    {
        var prefix = level switch
        {
            LogLevel.Critical or LogLevel.Error => "error",
            LogLevel.Warning => "warn",
            LogLevel.Information => "info",
            _ => "debug",
        };
        lock (_gate)
        {
            writer.WriteLine($"{prefix}: {message}");
        }
    }

    private sealed class WriterLogger(WriterLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write(logLevel, formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})"));
    }
}

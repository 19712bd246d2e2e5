using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Testing;

/// <summary>
/// A logger factory that keeps every line from Debug up, so that a test can check what a relay logged: above all that
/// nothing a peer sent reached a Warning-with-stack-trace path (<see cref="WarningsWithExceptions"/>).
/// </summary>
public sealed class LogCapture : ILoggerFactory
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();

    /// <summary>Every line kept so far.</summary>
    public IReadOnlyList<CapturedLog> Lines => [.. _lines];

    /// <summary>Lines at Warning or above that carry an exception: a fault, which no input from the network may cause.</summary>
    public IReadOnlyList<CapturedLog> WarningsWithExceptions => [.. _lines.Where(l => l.Level >= LogLevel.Warning && l.Exception is not null)];

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Capturing(this, categoryName);

    /// <summary>A typed logger writing here.</summary>
    public ILogger<T> CreateLogger<T>() => new Logger<T>(this);

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("A capture has no providers.");

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Capturing(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._lines.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}

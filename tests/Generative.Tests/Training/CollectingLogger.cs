using Microsoft.Extensions.Logging;

namespace Generative.Tests.Training;

internal sealed class CollectingLogger : ILogger
{
    public List<(LogLevel Level, EventId Id, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, eventId, formatter(state, exception)));
}

/// <summary>An IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class CollectingProgress<T> : IProgress<T>
{
    public List<T> Reports { get; } = [];

    public void Report(T value) => Reports.Add(value);
}

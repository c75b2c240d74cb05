using System.Diagnostics;
using Generative.Tabular;
using Generative.TabularSynthesis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>Creates the keyed singleton of one registered tabular model: validates its options, loads it through the
/// container's <see cref="TableSynthesizerRegistry"/> (or calls its factory), logs.</summary>
internal static partial class TableModelFactory
{
    public static ITableSynthesizer Create(IServiceProvider services, TableModelRegistration registration)
    {
        // Reading the options validates them (OptionsValidationException names the model and the key).
        var options = services.GetRequiredService<IOptionsMonitor<TableModelOptions>>().Get(registration.Name);
        var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance)
            .CreateLogger("Generative.Hosting.TableModels");

        var stopwatch = Stopwatch.StartNew();
        ITableSynthesizer model;
        string source;
        if (registration.Factory is not null)
        {
            source = "code";
            model = registration.Factory(services)
                ?? throw new InvalidOperationException($"The factory of tabular model '{registration.Name}' returned null; it must return the model.");
        }
        else
        {
            source = options.Directory!;
            var synthesizers = services.GetRequiredService<TableSynthesizerRegistry>();
            try
            {
                model = synthesizers.Load(options.Directory!);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogLoadFailed(logger, ex, registration.Name, options.Directory!);
                throw new InvalidOperationException(
                    $"Tabular model '{registration.Name}' could not be loaded from '{options.Directory}': {ex.Message}", ex);
            }
        }

        stopwatch.Stop();
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogLoaded(logger, registration.Name, model.Name, model.Schema.Columns.Count, source, stopwatch.Elapsed.TotalMilliseconds);
        }

        return model;
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Information,
        Message = "Tabular model '{ModelName}' ready: {Synthesizer}, {ColumnCount} columns, from {Source}, in {ElapsedMilliseconds:F0} ms.")]
    private static partial void LogLoaded(ILogger logger, string modelName, string synthesizer, int columnCount, string source, double elapsedMilliseconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error,
        Message = "Tabular model '{ModelName}' could not be loaded from '{Directory}'.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string modelName, string directory);
}

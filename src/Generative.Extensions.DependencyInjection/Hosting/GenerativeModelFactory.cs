using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>Creates the keyed singleton of one registered model: validates its options, loads or builds it, logs.</summary>
internal static partial class GenerativeModelFactory
{
    public static IGenerativeModel Create(IServiceProvider services, GenerativeModelRegistration registration)
    {
        // Reading the options validates them (OptionsValidationException names the model and the key).
        var options = services.GetRequiredService<IOptionsMonitor<GenerativeModelOptions>>().Get(registration.Name);
        var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance)
            .CreateLogger("Generative.Hosting.GenerativeModels");

        var stopwatch = Stopwatch.StartNew();
        IGenerativeModel? model;
        string source;
        if (registration.Factory is not null)
        {
            source = "code";
            model = registration.Factory(services)
                ?? throw new InvalidOperationException(
                    $"The factory of generative model '{registration.Name}' returned null; it must return the model.");
        }
        else
        {
            source = options.CheckpointPath!;
            var loader = services.GetRequiredService<IGenerativeModelLoader>();
            try
            {
                model = loader.Load(options.CheckpointPath!)
                    ?? throw new InvalidOperationException($"The loader {loader.GetType().Name} returned null.");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogLoadFailed(logger, ex, registration.Name, options.CheckpointPath!);
                throw new InvalidOperationException(
                    $"Generative model '{registration.Name}' could not be loaded from '{options.CheckpointPath}': {ex.Message}", ex);
            }
        }

        stopwatch.Stop();
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogLoaded(logger, registration.Name, model.Family, model.SampleShape.ToString(), model.ClassCount,
                source, stopwatch.Elapsed.TotalMilliseconds);
        }

        return model;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Generative model '{ModelName}' ready: {Family}, sample shape {SampleShape}, {ClassCount} classes, from {Source}, in {ElapsedMilliseconds:F0} ms.")]
    private static partial void LogLoaded(ILogger logger, string modelName, ModelFamily family, string sampleShape,
        int classCount, string source, double elapsedMilliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "Generative model '{ModelName}' could not be loaded from '{CheckpointPath}'.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string modelName, string checkpointPath);
}

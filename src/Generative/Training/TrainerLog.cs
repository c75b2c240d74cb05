using Microsoft.Extensions.Logging;

namespace Generative.Training;

/// <summary>The trainer's log messages, as cached <see cref="LoggerMessage"/> delegates (no allocation when disabled).</summary>
internal static class TrainerLog
{
    private static readonly Action<ILogger, string, long, string, Exception?> StartedMessage =
        LoggerMessage.Define<string, long, string>(LogLevel.Information, new EventId(1, "TrainingStarted"), "Training '{Family}' from step {Step}: {Options}");

    private static readonly Action<ILogger, long, int, string, double, Exception?> StepMessage =
        LoggerMessage.Define<long, int, string, double>(LogLevel.Information, new EventId(2, "TrainingStep"), "Step {Step} (epoch {Epoch}): {Losses}; {StepsPerSecond:F1} steps/s");

    private static readonly Action<ILogger, string, string, long, double, NonFinitePolicy, Exception?> NonFiniteMessage =
        LoggerMessage.Define<string, string, long, double, NonFinitePolicy>(LogLevel.Warning, new EventId(3, "NonFinite"), "Non-finite {What} of '{LossName}' at step {Step} ({Value}); action: {Action}");

    private static readonly Action<ILogger, long, string, Exception?> CheckpointMessage =
        LoggerMessage.Define<long, string>(LogLevel.Information, new EventId(4, "CheckpointWritten"), "Checkpoint written at step {Step}: {Directory}");

    private static readonly Action<ILogger, string, long, Exception?> ResumedMessage =
        LoggerMessage.Define<string, long>(LogLevel.Information, new EventId(5, "Resumed"), "Resumed from {Directory} at step {Step}");

    private static readonly Action<ILogger, long, string, double, Exception?> RolledBackMessage =
        LoggerMessage.Define<long, string, double>(LogLevel.Warning, new EventId(6, "RolledBack"), "Rolled back to the checkpoint at step {Step} ({Directory}); learning-rate factor now {Factor}");

    private static readonly Action<ILogger, long, TimeSpan, TrainingStopReason, string, Exception?> StoppedMessage =
        LoggerMessage.Define<long, TimeSpan, TrainingStopReason, string>(LogLevel.Information, new EventId(7, "TrainingStopped"), "Training stopped at step {Step} after {WallTime}: {Reason} {Message}");

    private static readonly Action<ILogger, int, int, string, Exception?> BatchSizeLoweredMessage =
        LoggerMessage.Define<int, int, string>(LogLevel.Information, new EventId(8, "BatchSizeLowered"), "The default batch size {Default} exceeds the data: every batch holds all {Count} samples (set {Option} to choose another size)");

    public static void BatchSizeLowered(ILogger logger, int defaultSize, int count, string option) => BatchSizeLoweredMessage(logger, defaultSize, count, option, null);

    public static void Started(ILogger logger, string family, long step, string options) => StartedMessage(logger, family, step, options, null);

    public static void StepReport(ILogger logger, long step, int epoch, string losses, double stepsPerSecond) => StepMessage(logger, step, epoch, losses, stepsPerSecond, null);

    public static void NonFinite(ILogger logger, string what, string lossName, long step, double value, NonFinitePolicy action) => NonFiniteMessage(logger, what, lossName, step, value, action, null);

    public static void CheckpointWritten(ILogger logger, long step, string directory) => CheckpointMessage(logger, step, directory, null);

    public static void Resumed(ILogger logger, string directory, long step) => ResumedMessage(logger, directory, step, null);

    public static void RolledBack(ILogger logger, long step, string directory, double factor) => RolledBackMessage(logger, step, directory, factor, null);

    public static void Stopped(ILogger logger, long step, TimeSpan wallTime, TrainingStopReason reason, string message) => StoppedMessage(logger, step, wallTime, reason, message, null);
}

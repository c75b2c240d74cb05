using Microsoft.Extensions.Logging;

namespace Generative.Checkpoints;

/// <summary>The checkpoint loaders' log messages.</summary>
internal static class CheckpointLog
{
    private static readonly Action<ILogger, string, string, Exception?> SkippedInvalidMessage =
        LoggerMessage.Define<string, string>(LogLevel.Warning, new EventId(20, "InvalidCheckpointSkipped"), "The checkpoint {Directory} is invalid and was skipped, falling back to an older one: {Reason}");

    public static void SkippedInvalid(ILogger logger, string directory, string reason, Exception exception) => SkippedInvalidMessage(logger, directory, reason, exception);
}

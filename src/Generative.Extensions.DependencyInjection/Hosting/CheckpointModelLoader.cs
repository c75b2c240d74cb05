using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Gan;
using Microsoft.Extensions.Logging;

namespace Generative.Hosting;

/// <summary>
/// The default <see cref="IGenerativeModelLoader"/>: reads a checkpoint directory written by the Generative library
/// (<see cref="DiffusionModel.Save"/>, <see cref="GanModel"/>'s save, or a trainer's <c>step-*</c> checkpoints, of which
/// the latest is taken) and rebuilds the model its <c>config.json</c> names: <c>diffusion</c> or <c>gan</c>.
/// </summary>
/// <remarks>Models are loaded on the CPU, with every file and value checked before anything is allocated (see
/// docs/hosting.md, "Loading files you did not write"). For a root of <c>step-*</c> checkpoints the newest valid one is
/// loaded; each newer one skipped as invalid is logged as a warning. Thread-safe: holds no mutable state.</remarks>
public sealed class CheckpointModelLoader : IGenerativeModelLoader
{
    private readonly ILogger? _logger;

    /// <summary>Creates a loader that logs nothing.</summary>
    public CheckpointModelLoader()
    {
    }

    /// <summary>Creates a loader that logs the checkpoints it skips as invalid.</summary>
    /// <param name="logger">The logger.</param>
    public CheckpointModelLoader(ILogger<CheckpointModelLoader> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <inheritdoc />
    /// <exception cref="CheckpointFormatException">The checkpoint is corrupt, altered, or of a family this library cannot
    /// rebuild (the message names the family).</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public IGenerativeModel Load(string checkpointDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDirectory);
        string family = ModelCheckpoint.ReadConfig(checkpointDirectory).Family;
        return family switch
        {
            "diffusion" => DiffusionModel.Load(checkpointDirectory, logger: _logger),
            GanTrainingStep.FamilyName => GanModel.Load(checkpointDirectory, _logger),
            _ => throw new CheckpointFormatException(
                $"The checkpoint in '{checkpointDirectory}' holds a '{family}' model; this loader rebuilds 'diffusion' and " +
                $"'{GanTrainingStep.FamilyName}' models. Register a loader for other families with GenerativeBuilder.UseModelLoader<TLoader>()."),
        };
    }
}

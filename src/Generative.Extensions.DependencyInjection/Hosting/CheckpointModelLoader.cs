using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Gan;

namespace Generative.Hosting;

/// <summary>
/// The default <see cref="IGenerativeModelLoader"/>: reads a checkpoint directory written by the Generative library
/// (<see cref="DiffusionModel.Save"/>, <see cref="GanModel"/>'s save, or a trainer's <c>step-*</c> checkpoints, of which
/// the latest is taken) and rebuilds the model its <c>config.json</c> names: <c>diffusion</c> or <c>gan</c>.
/// </summary>
/// <remarks>Models are loaded on the CPU. Thread-safe: holds no state.</remarks>
public sealed class CheckpointModelLoader : IGenerativeModelLoader
{
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
            "diffusion" => DiffusionModel.Load(checkpointDirectory),
            GanTrainingStep.FamilyName => GanModel.Load(checkpointDirectory),
            _ => throw new CheckpointFormatException(
                $"The checkpoint in '{checkpointDirectory}' holds a '{family}' model; this loader rebuilds 'diffusion' and " +
                $"'{GanTrainingStep.FamilyName}' models. Register a loader for other families with GenerativeBuilder.UseModelLoader<TLoader>()."),
        };
    }
}

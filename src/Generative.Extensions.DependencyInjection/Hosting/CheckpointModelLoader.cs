using Generative.Checkpoints;
using Generative.Models;

namespace Generative.Hosting;

/// <summary>
/// The default <see cref="IGenerativeModelLoader"/>: reads a checkpoint directory written by the Generative library
/// (a model's <c>Save</c>, or a trainer's <c>step-*</c> checkpoints, of which the latest valid one is taken) and rebuilds
/// the model with the loader of the family its <c>config.json</c> names, looked up in a <see cref="ModelFamilyRegistry"/>:
/// the built-in <c>diffusion</c> and <c>gan</c>, and any family registered by a plugin or with
/// <c>services.AddGenerative().AddModelFamily(...)</c>.
/// </summary>
/// <remarks>Models are loaded on the CPU. Thread-safe: holds no state of its own.</remarks>
public sealed class CheckpointModelLoader : IGenerativeModelLoader
{
    private readonly ModelFamilyRegistry _families;

    /// <summary>Creates the loader.</summary>
    /// <param name="families">The families it can rebuild; <see langword="null"/> for <see cref="ModelFamilyRegistry.Default"/>.</param>
    public CheckpointModelLoader(ModelFamilyRegistry? families = null) => _families = families ?? ModelFamilyRegistry.Default;

    /// <inheritdoc />
    /// <exception cref="CheckpointFormatException">The checkpoint is corrupt, altered, or of a family that is not
    /// registered (the message names the family and how to register one).</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public IGenerativeModel Load(string checkpointDirectory) => _families.Load(checkpointDirectory);
}

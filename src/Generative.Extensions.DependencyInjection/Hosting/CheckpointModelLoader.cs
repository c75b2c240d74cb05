using Generative.Checkpoints;
using Generative.Models;
using Microsoft.Extensions.Logging;

namespace Generative.Hosting;

/// <summary>
/// The default <see cref="IGenerativeModelLoader"/>: reads a checkpoint directory written by the Generative library
/// (a model's <c>Save</c>, or a trainer's <c>step-*</c> checkpoints, of which the newest valid one is taken) and rebuilds
/// the model with the loader of the family its <c>config.json</c> names, looked up in a <see cref="ModelFamilyRegistry"/>:
/// the built-in <c>diffusion</c> and <c>gan</c>, and any family registered by a plugin or with
/// <c>services.AddGenerative().AddModelFamily(...)</c>.
/// </summary>
/// <remarks>Models are loaded on the CPU, with every file and value checked before anything is allocated (see
/// docs/hosting.md, "Loading files you did not write"). For a root of <c>step-*</c> checkpoints the newest valid one is
/// loaded; each newer one skipped as invalid is logged as a warning. Thread-safe: holds no mutable state.</remarks>
public sealed class CheckpointModelLoader : IGenerativeModelLoader
{
    private readonly ModelFamilyRegistry _families;
    private readonly ILogger? _logger;

    /// <summary>Creates the loader.</summary>
    /// <param name="families">The families it can rebuild; <see langword="null"/> for <see cref="ModelFamilyRegistry.Default"/>.</param>
    /// <param name="logger">Receives a warning for each checkpoint skipped as invalid; <see langword="null"/> to log nothing.</param>
    public CheckpointModelLoader(ModelFamilyRegistry? families = null, ILogger<CheckpointModelLoader>? logger = null)
    {
        _families = families ?? ModelFamilyRegistry.Default;
        _logger = logger;
    }

    /// <inheritdoc />
    /// <exception cref="CheckpointFormatException">The checkpoint is corrupt, altered, or of a family that is not
    /// registered (the message names the family and how to register one).</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public IGenerativeModel Load(string checkpointDirectory) => _families.Load(checkpointDirectory, _logger);
}

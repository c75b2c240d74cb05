using Generative.Checkpoints;
using Generative.DenoisingGan;
using Generative.Diffusion;
using Generative.Flow;
using Generative.Gan;
using Microsoft.Extensions.Logging;

namespace Generative.Models;

/// <summary>Rebuilds a saved model of one family from its checkpoint directory.</summary>
/// <param name="directory">The checkpoint directory (a model's, or a training run's root with <c>step-*</c> checkpoints).</param>
/// <param name="logger">Receives the loader's warnings (a corrupt <c>step-*</c> checkpoint skipped, say); <see langword="null"/> for none.</param>
/// <returns>The model, on the CPU; the caller disposes it.</returns>
public delegate IGenerativeModel ModelLoader(string directory, ILogger? logger);

/// <summary>
/// The model families whose saved models can be loaded by the family name their <c>config.json</c> records
/// (<see cref="Load"/>; the hosting package's checkpoint loader). <see cref="Default"/> holds the built-in
/// <c>diffusion</c>, <c>gan</c>, <c>flow</c> and <c>ddgan</c>, registered through <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// ModelFamilyRegistry.Default.Add("my-family", (directory, logger) => MyModel.Load(directory));
/// using var model = ModelFamilyRegistry.Default.Load("models/any-family");
/// </code>
/// </summary>
/// <remarks>Thread-safety: as <see cref="Registry{TEntry}"/>; loaders may run on several threads at once.</remarks>
public sealed class ModelFamilyRegistry : Registry<ModelLoader>
{
    /// <summary>The built-in diffusion family (<see cref="DiffusionModel"/>).</summary>
    public const string Diffusion = "diffusion";

    /// <summary>The built-in GAN family (<see cref="GanModel"/>).</summary>
    public const string Gan = "gan";

    /// <summary>The built-in flow-matching family (<see cref="FlowModel"/>), whose velocity networks are denoiser network
    /// types (loaded with <see cref="NetworkTypes.Denoisers"/> of the registry that loads).</summary>
    public const string Flow = FlowModel.FamilyKey;

    /// <summary>The built-in denoising-diffusion-GAN family (<see cref="DenoisingGanModel"/>), whose generators are
    /// <see cref="DenoisingGeneratorRegistry"/> types.</summary>
    public const string DenoisingGan = DenoisingGanModel.FamilyKey;

    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose families this one also offers (typically <see cref="Default"/>);
    /// <see langword="null"/> for an empty registry.</param>
    /// <param name="networks">The network types <see cref="Load"/> rebuilds networks with (a container's own registries,
    /// over the default ones); <see langword="null"/> for <see cref="NetworkTypes.Default"/>.</param>
    public ModelFamilyRegistry(ModelFamilyRegistry? parent = null, NetworkTypes? networks = null)
        : base(parent) =>
        Networks = networks ?? NetworkTypes.Default;

    /// <summary>The network types <see cref="Load"/> rebuilds networks with: every family's loader that it calls (the built-in
    /// ones, and any that loads a diffusion model or a GAN) reads the network types from them.</summary>
    public NetworkTypes Networks { get; }

    /// <summary>The process-wide registry, holding the built-in families.</summary>
    public static ModelFamilyRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "model family";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register one with ModelFamilyRegistry.Default.Add(family, (directory, logger) => MyModel.Load(directory)), or with services.AddGenerative().AddModelFamily(family, loader) in a host.";

    /// <summary>Loads the model saved in a directory with the loader of the family its <c>config.json</c> names.</summary>
    /// <param name="directory">The checkpoint directory (a model's, or a training run's root with <c>step-*</c> checkpoints).</param>
    /// <param name="logger">Passed to the family's loader, for its warnings; <see langword="null"/> for none.</param>
    /// <returns>The model, on the CPU; the caller disposes it.</returns>
    /// <exception cref="CheckpointFormatException">The checkpoint is corrupt, or its family is not registered (the
    /// message names the family, the registered ones and how to register one).</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public IGenerativeModel Load(string directory, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string family = ModelCheckpoint.ReadConfig(directory).Family;
        if (!TryGet(family, out var loader))
        {
            throw new CheckpointFormatException($"The checkpoint in '{directory}' holds a '{family}' model. {UnknownKeyMessage(family)}");
        }

        using (Networks.Use())
        {
            return loader(directory, logger);
        }
    }

    private static ModelFamilyRegistry CreateDefault()
    {
        var registry = new ModelFamilyRegistry();
        registry.Add(Diffusion, (directory, logger) => DiffusionModel.Load(directory, logger: logger));
        registry.Add(Gan, (directory, logger) => GanModel.Load(directory, logger));
        registry.Add(Flow, (directory, logger) => FlowModel.Load(directory, DenoiserRegistry.Loading, logger: logger));
        registry.Add(DenoisingGan, (directory, logger) => DenoisingGanModel.Load(directory, logger: logger));
        return registry;
    }
}

namespace Generative.Checkpoints;

/// <summary>
/// What one network type's config reader makes of a validated network description: the tensors the network will have
/// (declared against the weights file without allocating anything) and how to build it once they have been checked.
/// </summary>
/// <typeparam name="TNetwork">The network's interface (<see cref="IDenoiser"/>, <see cref="IGenerator"/>).</typeparam>
/// <param name="Type">The network type's key in config.json (<c>"mlp"</c>, <c>"unet"</c>, …).</param>
/// <param name="SampleShape">The shape of one sample.</param>
/// <param name="Declare">Declares every tensor of the network's state dictionary (names without the module prefix).</param>
/// <param name="Create">Builds the network (fresh weights from the generator, or from a fresh source when it is <see langword="null"/>); called only after <paramref name="Declare"/> passed.</param>
/// <remarks>Each built-in network type has its own reader, <c>Func&lt;ConfigValue, NetworkPlan&lt;TNetwork&gt;&gt;</c>, that checks its
/// own fields' types and ranges, held by its <see cref="ComponentType{TComponent}"/>; the family's loader finds it through
/// <see cref="NetworkTypeRegistry{TNetwork}"/>.</remarks>
internal sealed record NetworkPlan<TNetwork>(string Type, TensorShape SampleShape, Action<ExpectedTensors> Declare, Func<TorchSharp.torch.Generator?, TNetwork> Create);

/// <summary>The ranges accepted for sizes in a checkpoint's config; the real bound on cost is <see cref="ModelCheckpoint.MaxLoadBytes"/>.</summary>
internal static class ConfigLimits
{
    /// <summary>Largest width, channel count, embedding or latent dimension: 2^20.</summary>
    public const int MaxWidth = 1 << 20;

    /// <summary>Most layers or residual blocks: 10 000.</summary>
    public const int MaxDepth = 10_000;

    /// <summary>Most classes: 2^24 (so that the null class and products stay far from overflow).</summary>
    public const int MaxClasses = 1 << 24;

    /// <summary>Most features of a sample, or pixels along an image side: 2^24.</summary>
    public const int MaxFeatures = 1 << 24;

    /// <summary>Most train timesteps of a noise schedule: 10^6 (the schedule holds a few float64 vectors of that length).</summary>
    public const int MaxTrainTimesteps = 1_000_000;

    /// <summary>Most feature names.</summary>
    public const int MaxFeatureNames = MaxFeatures;
}

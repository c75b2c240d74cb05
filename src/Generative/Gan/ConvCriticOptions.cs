namespace Generative.Gan;

/// <summary>
/// The architecture of a DCGAN-style <see cref="ConvCritic"/>: Conv 3×3 → Width, then n × (Conv 4×4 stride 2, doubling the
/// channels) with LeakyReLU, down to 4×4; features φ(x) = the flattened 4×4 map; score = Linear(φ) (+ ⟨embed(y), φ⟩ for a
/// projection critic). No batch normalisation (Gulrajani et al. 2017 §4: it breaks the per-sample gradient penalty).
/// Validated when the critic is built.
/// </summary>
public sealed record ConvCriticOptions
{
    /// <summary>Side of the square images, a power of two from 8 to 64. Default 32.</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Image channels, at least 1. Default 1.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Channels of the first convolution; each down-sampling doubles them. At least 1. Default 64.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Negative slope of the LeakyReLU activations, in [0, 1). Default 0.2 (DCGAN).</summary>
    public double LeakyReluSlope { get; init; } = 0.2;

    /// <summary>Number of classes of a projection critic (Miyato &amp; Koyama 2018); 0 (default) for an unconditional one.</summary>
    public int ClassCount { get; init; }

    /// <summary>Whether every Conv2d and Linear layer is wrapped in <see cref="SpectralNorm"/>. Default false.</summary>
    public bool SpectralNormalization { get; init; }

    /// <summary>Power iterations per training forward pass of each spectrally normalised layer, at least 1. Default 1.</summary>
    public int PowerIterations { get; init; } = SpectralNorm.DefaultPowerIterations;

    /// <summary>The shape of one image, <c>[Channels, ImageSize, ImageSize]</c>.</summary>
    public TensorShape SampleShape => new(Channels, ImageSize, ImageSize);

    internal int DownsamplingBlocks => System.Numerics.BitOperations.Log2((uint)ImageSize) - 2;

    internal void Validate(string parameterName)
    {
        GanNetworkHelpers.Require(ImageSize is 8 or 16 or 32 or 64, parameterName, $"ImageSize must be 8, 16, 32 or 64; got {ImageSize}.");
        GanNetworkHelpers.Require(Channels >= 1, parameterName, $"Channels must be at least 1; got {Channels}.");
        GanNetworkHelpers.Require(Width >= 1, parameterName, $"Width must be at least 1; got {Width}.");
        GanNetworkHelpers.Require(LeakyReluSlope >= 0 && LeakyReluSlope < 1, parameterName, $"LeakyReluSlope must lie in [0, 1); got {LeakyReluSlope}.");
        GanNetworkHelpers.Require(ClassCount >= 0, parameterName, $"ClassCount must be 0 (unconditional) or more; got {ClassCount}.");
        GanNetworkHelpers.Require(PowerIterations >= 1, parameterName, $"PowerIterations must be at least 1; got {PowerIterations}.");
    }
}

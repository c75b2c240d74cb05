namespace Generative.Gan;

/// <summary>
/// The architecture of a DCGAN-style <see cref="ConvGenerator"/> (Radford et al. 2016, arXiv:1511.06434):
/// [z, embed(y)] → Linear → 4×4×(Width·2ⁿ) → n × (ConvTranspose 4×4 stride 2 → BatchNorm → ReLU), halving the channels
/// each time, → Conv 3×3 → <see cref="Channels"/> (→ tanh), with n = log₂(ImageSize / 4). Validated when the generator is built.
/// </summary>
public sealed record ConvGeneratorOptions
{
    /// <summary>Side of the square images, a power of two from 8 to 64. Default 32.</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Image channels (1 grey, 3 colour), at least 1. Default 1.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>The length of the latent vector z ~ N(0, I), at least 1. Default 128.</summary>
    public int LatentDimension { get; init; } = 128;

    /// <summary>Channels of the last up-sampling block; the first has Width·2ⁿ. At least 1. Default 64 (DCGAN's).</summary>
    public int Width { get; init; } = 64;

    /// <summary>Number of classes to condition on; 0 (default) for an unconditional generator.</summary>
    public int ClassCount { get; init; }

    /// <summary>Length of the learned class embedding concatenated to z (conditional only), at least 1. Default 32.</summary>
    public int ClassEmbeddingDimension { get; init; } = 32;

    /// <summary>Whether the output passes through tanh, for images scaled to [−1, 1] (DCGAN). Default true.</summary>
    public bool TanhOutput { get; init; } = true;

    /// <summary>The shape of one image, <c>[Channels, ImageSize, ImageSize]</c>.</summary>
    public TensorShape SampleShape => new(Channels, ImageSize, ImageSize);

    internal int UpsamplingBlocks => System.Numerics.BitOperations.Log2((uint)ImageSize) - 2;

    internal void Validate(string parameterName)
    {
        GanNetworkHelpers.Require(ImageSize is 8 or 16 or 32 or 64, parameterName, $"ImageSize must be 8, 16, 32 or 64; got {ImageSize}.");
        GanNetworkHelpers.Require(Channels >= 1, parameterName, $"Channels must be at least 1; got {Channels}.");
        GanNetworkHelpers.Require(LatentDimension >= 1, parameterName, $"LatentDimension must be at least 1; got {LatentDimension}.");
        GanNetworkHelpers.Require(Width >= 1, parameterName, $"Width must be at least 1; got {Width}.");
        GanNetworkHelpers.Require(ClassCount >= 0, parameterName, $"ClassCount must be 0 (unconditional) or more; got {ClassCount}.");
        GanNetworkHelpers.Require(ClassEmbeddingDimension >= 1, parameterName, $"ClassEmbeddingDimension must be at least 1; got {ClassEmbeddingDimension}.");
    }
}

namespace Generative.Gan;

/// <summary>The architecture of an <see cref="MlpGenerator"/>: latent vector (plus an optional class embedding) →
/// <see cref="HiddenLayers"/> × (Linear → ReLU) → Linear → sample. Validated when the generator is built.</summary>
public sealed record MlpGeneratorOptions
{
    /// <summary>The shape of one generated sample, e.g. <c>[2]</c> for points or <c>[13]</c> for table rows; the output layer
    /// produces <see cref="TensorShape.ElementCount"/> values and reshapes them.</summary>
    public required TensorShape SampleShape { get; init; }

    /// <summary>The length of the latent vector z ~ N(0, I), at least 1. Default 64.</summary>
    public int LatentDimension { get; init; } = 64;

    /// <summary>Units per hidden layer, at least 1. Default 256.</summary>
    public int HiddenWidth { get; init; } = 256;

    /// <summary>Number of hidden layers, at least 1. Default 3 (the WGAN-GP toy experiments use 3 × 512 ReLU).</summary>
    public int HiddenLayers { get; init; } = 3;

    /// <summary>Number of classes to condition on; 0 (default) for an unconditional generator.</summary>
    public int ClassCount { get; init; }

    /// <summary>Length of the learned class embedding concatenated to z (conditional generators only), at least 1. Default 16.</summary>
    public int ClassEmbeddingDimension { get; init; } = 16;

    /// <summary>Whether each hidden layer is Linear (without bias) → BatchNorm1d → ReLU, as in PacGAN's generator (Lin et
    /// al. 2018, following VEEGAN). Default false.</summary>
    public bool BatchNormalization { get; init; }

    /// <summary>The ε that each batch normalisation adds to the variance before dividing, in training and in evaluation
    /// (used only with <see cref="BatchNormalization"/>). Default 1e-5, PyTorch's; the Blocks library that PacGAN's code
    /// uses adds 1e-4. Positive, at most 1.</summary>
    public double BatchNormEpsilon { get; init; } = DefaultBatchNormEpsilon;

    /// <summary>Whether each hidden layer's output is concatenated with its input (CTGAN's residual generator, Xu et al.
    /// 2019: h₁ = [ReLU(BN(Linear(h₀))), h₀], …), so the output layer sees z and every hidden layer. Default false.</summary>
    public bool Residual { get; init; }

    /// <summary>σ of the initial weights: every Linear weight drawn from N(0, σ²) and every bias 0 (PacGAN's and DCGAN's
    /// σ = 0.02), from the generator passed to the constructor; <see langword="null"/> (default) for PyTorch's default
    /// initialisation. Positive and finite.</summary>
    public double? WeightInitStandardDeviation { get; init; }

    /// <summary>PyTorch's batch-norm ε, the default of <see cref="BatchNormEpsilon"/>.</summary>
    internal const double DefaultBatchNormEpsilon = 1e-5;

    internal void Validate(string parameterName)
    {
        ArgumentNullException.ThrowIfNull(SampleShape, parameterName);
        GanNetworkHelpers.Require(LatentDimension >= 1, parameterName, $"LatentDimension must be at least 1; got {LatentDimension}.");
        GanNetworkHelpers.Require(HiddenWidth >= 1, parameterName, $"HiddenWidth must be at least 1; got {HiddenWidth}.");
        GanNetworkHelpers.Require(HiddenLayers >= 1, parameterName, $"HiddenLayers must be at least 1; got {HiddenLayers}.");
        GanNetworkHelpers.Require(ClassCount >= 0, parameterName, $"ClassCount must be 0 (unconditional) or more; got {ClassCount}.");
        GanNetworkHelpers.RequireStandardDeviation(WeightInitStandardDeviation, parameterName);
        GanNetworkHelpers.Require(BatchNormEpsilon is > 0 and <= 1, parameterName, $"BatchNormEpsilon must lie in (0, 1]; got {BatchNormEpsilon}.");
        GanNetworkHelpers.Require(ClassEmbeddingDimension >= 1, parameterName, $"ClassEmbeddingDimension must be at least 1; got {ClassEmbeddingDimension}.");
    }
}

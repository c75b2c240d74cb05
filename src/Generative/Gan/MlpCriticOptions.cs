namespace Generative.Gan;

/// <summary>The architecture of an <see cref="MlpCritic"/>: sample → <see cref="HiddenLayers"/> × (Linear → LeakyReLU) →
/// features φ(x) → score ψ(φ(x)) (+ ⟨embed(y), φ(x)⟩ for a projection critic). Validated when the critic is built.</summary>
public sealed record MlpCriticOptions
{
    /// <summary>The shape of one sample the critic scores.</summary>
    public required TensorShape SampleShape { get; init; }

    /// <summary>Units per hidden layer, at least 1. Default 256.</summary>
    public int HiddenWidth { get; init; } = 256;

    /// <summary>Number of hidden layers, at least 1. Default 3.</summary>
    public int HiddenLayers { get; init; } = 3;

    /// <summary>Negative slope of the LeakyReLU activations, in [0, 1). Default 0.2 (Radford et al. 2016).</summary>
    public double LeakyReluSlope { get; init; } = 0.2;

    /// <summary>Number of classes of a projection critic (Miyato &amp; Koyama 2018); 0 (default) for an unconditional one.</summary>
    public int ClassCount { get; init; }

    /// <summary>Whether every Linear layer is wrapped in <see cref="SpectralNorm"/> (Miyato et al. 2018). Default false
    /// (WGAN-GP uses the gradient penalty instead; spectral norm pairs naturally with the hinge loss).</summary>
    public bool SpectralNormalization { get; init; }

    /// <summary>Power iterations per training forward pass of each spectrally normalised layer, at least 1. Default 1.</summary>
    public int PowerIterations { get; init; } = SpectralNorm.DefaultPowerIterations;

    /// <summary>k, the pieces of each maxout unit (Goodfellow et al. 2013): with k &gt; 1 each hidden layer is a Linear layer
    /// of HiddenWidth × k outputs followed by the maximum over each unit's k pieces, instead of LeakyReLU (PacGAN's
    /// discriminator: 3 × 200 units, k = 5). Default 1 (LeakyReLU). At most <see cref="MaxMaxoutPieces"/>.</summary>
    public int MaxoutPieces { get; init; } = 1;

    /// <summary>p, the dropout rate after each hidden layer's activation in training mode (CTGAN's critic: 0.5), in
    /// [0, 1). Default 0 (no dropout layer). The masks are drawn from the generator given to the critic's constructor.</summary>
    public double DropoutRate { get; init; }

    /// <summary>The largest <see cref="MaxoutPieces"/> accepted: 64.</summary>
    public const int MaxMaxoutPieces = 64;

    /// <summary>σ of the initial weights: every Linear weight drawn from N(0, σ²) and every bias 0 (PacGAN's σ = 0.02),
    /// from the generator passed to the constructor; <see langword="null"/> (default) for PyTorch's default
    /// initialisation. Positive and finite.</summary>
    public double? WeightInitStandardDeviation { get; init; }

    internal void Validate(string parameterName)
    {
        ArgumentNullException.ThrowIfNull(SampleShape, parameterName);
        GanNetworkHelpers.Require(HiddenWidth >= 1, parameterName, $"HiddenWidth must be at least 1; got {HiddenWidth}.");
        GanNetworkHelpers.Require(HiddenLayers >= 1, parameterName, $"HiddenLayers must be at least 1; got {HiddenLayers}.");
        GanNetworkHelpers.Require(LeakyReluSlope >= 0 && LeakyReluSlope < 1, parameterName, $"LeakyReluSlope must lie in [0, 1); got {LeakyReluSlope}.");
        GanNetworkHelpers.Require(ClassCount >= 0, parameterName, $"ClassCount must be 0 (unconditional) or more; got {ClassCount}.");
        GanNetworkHelpers.Require(MaxoutPieces is >= 1 and <= MaxMaxoutPieces, parameterName, $"MaxoutPieces must lie in [1, {MaxMaxoutPieces}]; got {MaxoutPieces}.");
        GanNetworkHelpers.Require(DropoutRate >= 0 && DropoutRate < 1, parameterName, $"DropoutRate must lie in [0, 1); got {DropoutRate}.");
        GanNetworkHelpers.RequireStandardDeviation(WeightInitStandardDeviation, parameterName);
        GanNetworkHelpers.Require(PowerIterations >= 1, parameterName, $"PowerIterations must be at least 1; got {PowerIterations}.");
    }
}

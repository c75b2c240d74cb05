using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Nn;

/// <summary>
/// The sinusoidal embedding of diffusion timesteps (Vaswani et al. 2017; Ho et al. 2020):
/// e(t) = [cos(t·ω_0), …, cos(t·ω_{h−1}), sin(t·ω_0), …, sin(t·ω_{h−1})] with ω_i = maxPeriod^(−i/h), h = dimension/2.
/// </summary>
/// <remarks>
/// <para>Input: timesteps <c>[N]</c> of any numeric type (fractional timesteps allowed). Output: <c>[N, dimension]</c>, float32,
/// on the input's device. The module has no parameters or buffers; the frequencies are made on the input's device.</para>
/// <para>Thread-safety: stateless; safe to call from many threads at once.</para>
/// </remarks>
public sealed class SinusoidalTimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly double _logMaxPeriod;

    /// <summary>Creates the embedding.</summary>
    /// <param name="dimension">The embedding size, an even number of at least 2.</param>
    /// <param name="maxPeriod">The longest period, greater than 1. Default 10 000.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public SinusoidalTimestepEmbedding(int dimension, double maxPeriod = 10_000)
        : base(nameof(SinusoidalTimestepEmbedding))
    {
        if (dimension < 2 || dimension % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The embedding dimension must be an even number of at least 2.");
        }

        if (!(maxPeriod > 1) || double.IsInfinity(maxPeriod))
        {
            throw new ArgumentOutOfRangeException(nameof(maxPeriod), maxPeriod, "The maximum period must be a finite number greater than 1.");
        }

        Dimension = dimension;
        _logMaxPeriod = Math.Log(maxPeriod);
        RegisterComponents();
    }

    /// <summary>The embedding size.</summary>
    public int Dimension { get; }

    /// <summary>Embeds timesteps.</summary>
    /// <param name="timesteps"><c>[N]</c>.</param>
    /// <returns><c>[N, Dimension]</c>, float32, owned by the caller.</returns>
    /// <exception cref="ArgumentException">The timesteps are not one-dimensional.</exception>
    public override Tensor forward(Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        if (timesteps.dim() != 1)
        {
            throw new ArgumentException($"Expected timesteps of shape [N], but got {TensorShape.Format(timesteps.shape)}.", nameof(timesteps));
        }

        using var scope = NewDisposeScope();
        int half = Dimension / 2;
        using var scale = (-_logMaxPeriod / half).ToScalar();
        var frequencies = HeldScalars.Arange(half, ScalarType.Float32, timesteps.device).mul(scale).exp();
        var angles = timesteps.to_type(ScalarType.Float32).unsqueeze(1) * frequencies.unsqueeze(0);
        return cat([angles.cos(), angles.sin()], 1).MoveToOuterDisposeScope();
    }
}

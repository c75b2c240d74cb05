using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>The 8-Gaussian ring of the WGAN-GP toy experiments: 8 modes on the unit circle, σ = 0.01 (generated here,
/// seeded, so the tests do not depend on the built-in data sets).</summary>
internal static class RingData
{
    public const double Sigma = 0.01;

    public static Tensor Centers()
    {
        var angles = arange(0, 8, dtype: ScalarType.Float32) * (float)(2 * Math.PI / 8);
        return stack([angles.cos(), angles.sin()], 1);
    }

    public static Tensor Batch(int size, Generator g)
    {
        using var scope = NewDisposeScope();
        var modes = randint(0, 8, [size], generator: g);
        var x = Centers().index_select(0, modes) + randn(new long[] { size, 2 }, generator: g) * (float)Sigma;
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>For each mode, how many samples lie within 3σ of its centre.</summary>
    public static long[] SamplesNearEachMode(Tensor samples)
    {
        using var scope = NewDisposeScope();
        var distances = cdist(samples.to_type(ScalarType.Float32), Centers()); // [N, 8]
        var near = distances.le(3 * Sigma).to_type(ScalarType.Int64).sum(dim: 0L);
        return near.data<long>().ToArray();
    }
}

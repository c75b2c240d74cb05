using TorchSharp;

namespace Generative.Evaluation;

/// <summary>
/// The mean and covariance of a set of features, in float64: the sufficient statistics of the Fréchet distance.
/// Compute them once for the real data and reuse them against many generated sets.
/// </summary>
/// <remarks>Owns its two tensors (detached from dispose scopes); dispose it when done. Immutable after creation.</remarks>
public sealed class GaussianStatistics : IDisposable
{
    private GaussianStatistics(torch.Tensor mean, torch.Tensor covariance, long count)
    {
        Mean = mean.DetachFromDisposeScope();
        Covariance = covariance.DetachFromDisposeScope();
        Count = count;
    }

    /// <summary>The mean μ, float64 <c>[D]</c>.</summary>
    public torch.Tensor Mean { get; }

    /// <summary>The unbiased sample covariance Σ = Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ / (N − 1), float64 <c>[D, D]</c> (as numpy.cov and pytorch-fid).</summary>
    public torch.Tensor Covariance { get; }

    /// <summary>The number of samples N the statistics were computed from.</summary>
    public long Count { get; }

    /// <summary>The feature dimension D.</summary>
    public long Dimension => Mean.shape[0];

    /// <summary>
    /// Computes the statistics of <paramref name="features"/> <c>[N, D]</c> (N ≥ 2) in float64, accumulating over
    /// blocks of rows so that only one block is converted to float64 at a time. Sums are taken around the first
    /// block's mean (a shift) to avoid cancellation.
    /// </summary>
    /// <param name="features">Floating-point features <c>[N, D]</c>, any device; not modified.</param>
    /// <param name="blockRows">Rows per block, ≥ 1 (default 8192).</param>
    /// <returns>New statistics the caller owns, on the device of <paramref name="features"/>.</returns>
    public static GaussianStatistics FromFeatures(torch.Tensor features, long blockRows = 8192)
    {
        FeatureChecks.EnsureFeatures(features, nameof(features), minRows: 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        long n = features.shape[0];
        long d = features.shape[1];
        using var scope = torch.NewDisposeScope();
        var shift = features.Rows(0, Math.Min(n, blockRows)).to_type(torch.ScalarType.Float64).mean([0]);
        var sum = torch.zeros(d, dtype: torch.ScalarType.Float64, device: features.device);
        var outer = torch.zeros(d, d, dtype: torch.ScalarType.Float64, device: features.device);
        for (long start = 0; start < n; start += blockRows)
        {
            using var blockScope = torch.NewDisposeScope();
            long end = Math.Min(n, start + blockRows);
            var block = features.Rows(start, end).to_type(torch.ScalarType.Float64) - shift;
            sum.PlusInPlace(block.sum([0]));
            outer.PlusInPlace(block.t().matmul(block));
        }

        var centredMean = sum.DividedBy(n);
        var covariance = (outer - torch.outer(centredMean, centredMean).Times(n)).DividedBy(n - 1);
        covariance = covariance.Plus(covariance.t()).DividedBy(2);
        var mean = centredMean.Plus(shift);
        return new GaussianStatistics(mean.MoveToOuterDisposeScope(), covariance.MoveToOuterDisposeScope(), n);
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}

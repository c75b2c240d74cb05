using TorchSharp;

namespace Generative.Evaluation;

/// <summary>Precision/recall and density/coverage of one generated set against one real set.</summary>
/// <param name="PrecisionRecall">Improved precision and recall (<see cref="Evaluation.PrecisionRecall"/>).</param>
/// <param name="DensityCoverage">Density and coverage (<see cref="Evaluation.DensityCoverage"/>).</param>
public sealed record NearestNeighbourMetricsResult(PrecisionRecallResult PrecisionRecall, DensityCoverageResult DensityCoverage);

/// <summary>
/// The four k-nearest-neighbour metrics at once: <see cref="PrecisionRecall"/> (Kynkäänniemi et al. 2019) and
/// <see cref="DensityCoverage"/> (Naeem et al. 2020), with exactly the results of calling both, for about 60 % of the
/// work: the real set's radii for both k come from one pass over its distance matrix, and one pass over the generated ×
/// real distances decides all four (separately: two real-radii passes and two cross passes).
/// </summary>
/// <remarks>
/// Blockwise and exact like the two metrics: never an N×M matrix; a float32 pass with float64 rechecks near ball
/// boundaries, so the result equals a brute-force float64 computation exactly. Uses as many threads as libtorch's
/// intra-op pool (<c>torch.set_num_threads</c>). Stateless and thread-safe.
/// </remarks>
public static class NearestNeighbourMetrics
{
    /// <summary>Computes precision, recall, density and coverage.</summary>
    /// <param name="real">Real features <c>[N, D]</c>, N &gt; both k.</param>
    /// <param name="generated">Generated features <c>[M, D]</c>, M &gt; the precision/recall k.</param>
    /// <param name="precisionRecallK">Neighbourhood size of precision and recall, ≥ 1 (default 3, the paper's).</param>
    /// <param name="densityCoverageK">Neighbourhood size of density and coverage, ≥ 1 (default 5, the paper's).</param>
    /// <param name="blockElements">Largest number of elements of one block of the distance matrix (default 2²²).</param>
    /// <returns>Both results, as <see cref="PrecisionRecall.Compute"/> and <see cref="DensityCoverage.Compute"/> would give them.</returns>
    /// <exception cref="ArgumentException">A feature tensor is not a finite 2-D float tensor, or the dimensions differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A k is below 1 or not below the set's size, or the block budget is not positive.</exception>
    public static NearestNeighbourMetricsResult Compute(
        torch.Tensor real,
        torch.Tensor generated,
        int precisionRecallK = PrecisionRecall.DefaultK,
        int densityCoverageK = DensityCoverage.DefaultK,
        long blockElements = 1L << 22)
    {
        FeatureChecks.EnsureFeatures(real, nameof(real), minRows: 2);
        FeatureChecks.EnsureFeatures(generated, nameof(generated), minRows: 2);
        FeatureChecks.EnsureSameDimension(real, generated, nameof(generated));
        FeatureChecks.EnsureBlockElements(blockElements, nameof(blockElements));
        ArgumentOutOfRangeException.ThrowIfLessThan(precisionRecallK, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(densityCoverageK, 1);
        using var scope = torch.NewDisposeScope();
        var realRadii = NearestNeighbours.KthNeighbourSquaredRadii(real, [precisionRecallK, densityCoverageK], blockElements);
        var generatedRadii = NearestNeighbours.KthNeighbourSquaredRadii(generated, precisionRecallK, blockElements);
        var pass = NearestNeighbours.CrossPass(generated, real, realRadii[0], generatedRadii, realRadii[1], blockElements);
        return new NearestNeighbourMetricsResult(pass.ToPrecisionRecall(precisionRecallK), pass.ToDensityCoverage(densityCoverageK, generated.shape[0]));
    }
}

using TorchSharp;

namespace Generative.Evaluation;

/// <summary>Density and coverage of a generated set against a real set.</summary>
/// <param name="Density">
/// Mean number of real k-NN balls containing a generated sample, divided by k: ≈ 1 when the generated samples are
/// distributed like the real ones, above 1 when they crowd dense real regions, below 1 when they fall outside.
/// Unbounded above.
/// </param>
/// <param name="Coverage">Fraction of real samples whose k-NN ball contains at least one generated sample, in [0, 1] (higher is better).</param>
/// <param name="K">The k of the k-nearest-neighbour radii.</param>
public sealed record DensityCoverageResult(double Density, double Coverage, int K);

/// <summary>
/// Density and coverage (Naeem et al. 2020, "Reliable fidelity and diversity metrics for generative models", §3).
/// With B(Xᵢ, r) the ball around real sample Xᵢ of radius r = distance to its k-th nearest real neighbour:
/// density = 1/(kM) Σⱼ Σᵢ 1[Yⱼ ∈ B(Xᵢ, r)], coverage = 1/N Σᵢ 1[∃ j : Yⱼ ∈ B(Xᵢ, r)].
/// Only the real manifold is used, which makes both robust to generated outliers. Membership is strict (&lt;), as in
/// the authors' code (prdc).
/// </summary>
/// <remarks>
/// Blockwise and exact like <see cref="PrecisionRecall"/>: never an N×M matrix; a float32 pass with float64 rechecks
/// near ball boundaries, so the result equals a brute-force float64 computation exactly. Stateless and thread-safe.
/// </remarks>
public static class DensityCoverage
{
    /// <summary>The paper's default neighbourhood size, k = 5.</summary>
    public const int DefaultK = 5;

    /// <summary>Computes density and coverage.</summary>
    /// <param name="real">Real features <c>[N, D]</c>, N &gt; k.</param>
    /// <param name="generated">Generated features <c>[M, D]</c>, M ≥ 1.</param>
    /// <param name="k">Neighbourhood size, ≥ 1 (default 5).</param>
    /// <param name="blockElements">Largest number of elements of one block of the distance matrix (default 2²²).</param>
    public static DensityCoverageResult Compute(torch.Tensor real, torch.Tensor generated, int k = DefaultK, long blockElements = 1L << 22)
    {
        FeatureChecks.EnsureFeatures(real, nameof(real), minRows: 2);
        FeatureChecks.EnsureFeatures(generated, nameof(generated));
        FeatureChecks.EnsureSameDimension(real, generated, nameof(generated));
        FeatureChecks.EnsureBlockElements(blockElements, nameof(blockElements));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        using var scope = torch.NewDisposeScope();
        var radii = NearestNeighbours.KthNeighbourSquaredRadii(real, k, blockElements);
        return NearestNeighbours.CrossPass(generated, real, null, null, radii, blockElements).ToDensityCoverage(k, generated.shape[0]);
    }
}

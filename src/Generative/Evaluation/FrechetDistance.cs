using TorchSharp;

namespace Generative.Evaluation;

/// <summary>
/// The Fréchet distance between Gaussians fitted to two feature sets — the formula of the Fréchet Inception
/// Distance (Heusel et al. 2017, "GANs trained by a two time-scale update rule converge to a local Nash
/// equilibrium", eq. 6; Dowson &amp; Landau 1982):
/// FD = ‖μ₁ − μ₂‖² + tr(Σ₁) + tr(Σ₂) − 2·tr((Σ₁Σ₂)^½).
/// Lower is better; 0 for identical statistics. Its scale depends on the features, so compare values only
/// within one feature extractor.
/// </summary>
/// <remarks>
/// Everything runs in float64. The trace of the matrix square root is computed without ever forming a non-symmetric
/// square root: with S = Σ₁^½ (from the symmetric eigendecomposition of Σ₁, eigenvalues clamped at 0),
/// Σ₁Σ₂ is similar to the symmetric positive semi-definite S·Σ₂·S, so tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(S·Σ₂·S) with the
/// eigenvalues clamped at 0. This is exact for singular or near-singular covariances (fewer samples than
/// dimensions, dead features), where scipy.linalg.sqrtm needs pytorch-fid's ε·I offset. Stateless and thread-safe.
/// </remarks>
public static class FrechetDistance
{
    /// <summary>The Fréchet distance between Gaussians fitted to <paramref name="real"/> and <paramref name="generated"/>.</summary>
    /// <param name="real">Real features <c>[N, D]</c>, N ≥ 2.</param>
    /// <param name="generated">Generated features <c>[M, D]</c>, M ≥ 2.</param>
    /// <returns>The distance, ≥ 0 (rounding noise below 0 is clamped to 0).</returns>
    public static double Compute(torch.Tensor real, torch.Tensor generated)
    {
        FeatureChecks.EnsureFeatures(real, nameof(real), minRows: 2);
        FeatureChecks.EnsureFeatures(generated, nameof(generated), minRows: 2);
        FeatureChecks.EnsureSameDimension(real, generated, nameof(generated));
        using var a = GaussianStatistics.FromFeatures(real);
        using var b = GaussianStatistics.FromFeatures(generated);
        return Compute(a, b);
    }

    /// <summary>The Fréchet distance between two Gaussians given by their statistics.</summary>
    /// <param name="first">Mean and covariance of the first set.</param>
    /// <param name="second">Mean and covariance of the second set, same dimension.</param>
    /// <returns>The distance, ≥ 0 (rounding noise below 0 is clamped to 0).</returns>
    public static double Compute(GaussianStatistics first, GaussianStatistics second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Dimension != second.Dimension)
        {
            throw new ArgumentException($"Both statistics must have the same dimension; expected {first.Dimension}, got {second.Dimension}.", nameof(second));
        }

        using var scope = torch.NewDisposeScope();
        var meanTerm = (first.Mean - second.Mean).Squared().sum().item<double>();
        var traceFirst = first.Covariance.trace().item<double>();
        var traceSecond = second.Covariance.trace().item<double>();
        double traceSqrt = TraceSqrtProduct(first.Covariance, second.Covariance);
        return Math.Max(0.0, meanTerm + traceFirst + traceSecond - (2 * traceSqrt));
    }

    /// <summary>tr((A·B)^½) for symmetric positive semi-definite float64 A and B, via the eigenvalues of A^½·B·A^½.</summary>
    internal static double TraceSqrtProduct(torch.Tensor a, torch.Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var sqrtA = SymmetricSqrt(a);
        var product = sqrtA.matmul(b).matmul(sqrtA);
        product = product.Plus(product.t()).DividedBy(2);
        var eigenvalues = torch.linalg.eigvalsh(product).ClampMin(0);
        return eigenvalues.sqrt().sum().item<double>();
    }

    /// <summary>The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues clamped at 0).</summary>
    internal static torch.Tensor SymmetricSqrt(torch.Tensor matrix)
    {
        using var scope = torch.NewDisposeScope();
        var (values, vectors) = torch.linalg.eigh(matrix.Plus(matrix.t()).DividedBy(2));
        var root = vectors.matmul(torch.diag(values.ClampMin(0).sqrt())).matmul(vectors.t());
        return root.MoveToOuterDisposeScope();
    }
}

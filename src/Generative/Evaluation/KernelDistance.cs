using TorchSharp;

namespace Generative.Evaluation;

/// <summary>The kernel distance (KID) over random subsets: mean and spread of the per-subset unbiased MMD².</summary>
/// <param name="Mean">Mean of the unbiased MMD² estimates over the subsets (≈ 0 for the same distribution; may be slightly negative). Lower is better.</param>
/// <param name="StandardDeviation">Population standard deviation (denominator = number of subsets) of the per-subset estimates, as torch-fidelity reports it; 0 with one subset.</param>
/// <param name="SubsetCount">Number of subsets drawn.</param>
/// <param name="SubsetSize">Samples per subset, taken from each set.</param>
public sealed record KernelDistanceResult(double Mean, double StandardDeviation, int SubsetCount, long SubsetSize);

/// <summary>
/// The kernel distance of the Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs", §4): the
/// unbiased estimator of the squared maximum mean discrepancy with the cubic polynomial kernel
/// k(x, y) = (x·y / d + 1)³,
/// MMD²ᵤ = 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(m(m−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/m² Σ_{i,j} k(xᵢ, yⱼ),
/// averaged over random subsets of m samples drawn without replacement from each set (the paper: 100 subsets of
/// 1000). Unlike the Fréchet distance it is unbiased, so it compares fairly across sample sizes.
/// </summary>
/// <remarks>
/// Kernel matrices are formed in blocks of rows (at most <c>blockElements</c> entries at a time) and summed in
/// float64. Subsets come from the <see cref="torch.Generator"/> you pass (randperm per subset and set). Stateless
/// and thread-safe given a generator per thread.
/// </remarks>
public static class KernelDistance
{
    /// <summary>The paper's number of subsets, 100.</summary>
    public const int DefaultSubsetCount = 100;

    /// <summary>The paper's subset size, 1000.</summary>
    public const long DefaultSubsetSize = 1000;

    /// <summary>Computes the kernel distance over random subsets.</summary>
    /// <param name="real">Real features <c>[N, D]</c>, N ≥ 2.</param>
    /// <param name="generated">Generated features <c>[M, D]</c>, M ≥ 2.</param>
    /// <param name="generator">The random source of the subsets (a CPU generator; indices are moved to the features' device).</param>
    /// <param name="subsetCount">Number of subsets, ≥ 1 (default 100).</param>
    /// <param name="subsetSize">Samples per subset, ≥ 2 (default 1000); reduced to min(N, M) when larger.</param>
    /// <param name="blockElements">Largest number of kernel entries formed at once (default 2²²).</param>
    public static KernelDistanceResult Compute(
        torch.Tensor real,
        torch.Tensor generated,
        torch.Generator generator,
        int subsetCount = DefaultSubsetCount,
        long subsetSize = DefaultSubsetSize,
        long blockElements = 1L << 22)
    {
        FeatureChecks.EnsureFeatures(real, nameof(real), minRows: 2);
        FeatureChecks.EnsureFeatures(generated, nameof(generated), minRows: 2);
        FeatureChecks.EnsureSameDimension(real, generated, nameof(generated));
        FeatureChecks.EnsureBlockElements(blockElements, nameof(blockElements));
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(subsetCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subsetSize, 2);
        long m = Math.Min(subsetSize, Math.Min(real.shape[0], generated.shape[0]));
        var estimates = new double[subsetCount];
        for (int s = 0; s < subsetCount; s++)
        {
            using var scope = torch.NewDisposeScope();
            // Permutations are drawn on the CPU (where the generator lives) and moved to the features' devices.
            var realIndex = torch.randperm(real.shape[0], generator: generator).Rows(0, m).to(real.device);
            var generatedIndex = torch.randperm(generated.shape[0], generator: generator).Rows(0, m).to(generated.device);
            estimates[s] = UnbiasedMmdSquared(real.index_select(0, realIndex), generated.index_select(0, generatedIndex), blockElements);
        }

        double mean = estimates.Average();
        double variance = estimates.Select(e => (e - mean) * (e - mean)).Sum() / subsetCount;
        return new KernelDistanceResult(mean, Math.Sqrt(variance), subsetCount, m);
    }

    /// <summary>
    /// The unbiased MMD² between two whole sets with the cubic polynomial kernel (different sizes allowed: the
    /// cross term is divided by N·M). This is one subset's estimate of <see cref="Compute"/>.
    /// </summary>
    /// <param name="x">First set <c>[N, D]</c>, N ≥ 2.</param>
    /// <param name="y">Second set <c>[M, D]</c>, M ≥ 2.</param>
    /// <param name="blockElements">Largest number of kernel entries formed at once (default 2²²).</param>
    public static double UnbiasedMmdSquared(torch.Tensor x, torch.Tensor y, long blockElements = 1L << 22)
    {
        FeatureChecks.EnsureFeatures(x, nameof(x), minRows: 2);
        FeatureChecks.EnsureFeatures(y, nameof(y), minRows: 2);
        FeatureChecks.EnsureSameDimension(x, y, nameof(y));
        FeatureChecks.EnsureBlockElements(blockElements, nameof(blockElements));
        using var scope = torch.NewDisposeScope();
        var a = x.to_type(torch.ScalarType.Float64);
        var b = y.to_type(torch.ScalarType.Float64).to(a.device);
        double n = a.shape[0];
        double m = b.shape[0];
        long d = a.shape[1];
        double kxx = KernelSum(a, a, d, blockElements) - DiagonalSum(a, d);
        double kyy = KernelSum(b, b, d, blockElements) - DiagonalSum(b, d);
        double kxy = KernelSum(a, b, d, blockElements);
        return (kxx / (n * (n - 1))) + (kyy / (m * (m - 1))) - (2 * kxy / (n * m));
    }

    private static double KernelSum(torch.Tensor a, torch.Tensor b, long d, long blockElements)
    {
        long rows = FeatureChecks.RowsPerBlock(b.shape[0], blockElements);
        double total = 0;
        for (long start = 0; start < a.shape[0]; start += rows)
        {
            using var scope = torch.NewDisposeScope();
            long end = Math.Min(a.shape[0], start + rows);
            var kernel = a.Rows(start, end).matmul(b.t()).DividedByInPlace(d).PlusInPlace(1).PowerInPlace(3);
            total += kernel.sum().item<double>();
        }

        return total;
    }

    private static double DiagonalSum(torch.Tensor a, long d)
    {
        using var scope = torch.NewDisposeScope();
        return a.Squared().sum([1]).DividedByInPlace(d).PlusInPlace(1).PowerInPlace(3).sum().item<double>();
    }
}

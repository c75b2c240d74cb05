using Generative.Evaluation;
using Generative.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>
/// Every metric against the numbers printed by reference/metrics_reference.py (numpy, float64, brute force) on the
/// same inputs (ReferenceInputs). Tolerances: relative 1e-9 for FD and MMD² (float64 on both sides), 1e-12 for the
/// k-NN fractions (exact counts), 1e-12 for W1 and correlations.
/// </summary>
public sealed class MetricsReferenceTests
{
    [Fact]
    public void Inputs_match_the_reference_script()
    {
        using var scope = NewDisposeScope();
        var x = ReferenceInputs.Normals(1, 300, 8);
        double[] first = x[0].data<double>().Take(3).ToArray();
        first.Should().BeEquivalentTo(
            new[] { -0.034267321791851144, -2.5000674933698677, 0.08772246831488635 },
            o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-15)).WhenTypeIs<double>());
    }

    [Fact]
    public void Frechet_distance_matches_reference_full_rank()
    {
        using var scope = NewDisposeScope();
        var (x, y) = FullRankPair();
        double fd = FrechetDistance.Compute(x, y);
        fd.Should().BeApproximately(3.8069303301029613, 3.8069303301029613 * 1e-9);
    }

    [Fact]
    public void Frechet_distance_matches_reference_for_singular_covariances()
    {
        using var scope = NewDisposeScope();
        // Rank-5 features embedded in 12 dimensions: both covariances are singular.
        var xs = ReferenceInputs.Normals(4, 100, 5).matmul(ReferenceInputs.Mixing(5, 5, 12));
        var ys = ReferenceInputs.Normals(6, 120, 5).matmul(ReferenceInputs.Mixing(7, 5, 12)) + 0.1;
        double fd = FrechetDistance.Compute(xs, ys);
        fd.Should().BeApproximately(6.083569927544436, 6.083569927544436 * 1e-8);
    }

    [Fact]
    public void Unbiased_mmd_matches_reference()
    {
        using var scope = NewDisposeScope();
        var (x, y) = FullRankPair();
        KernelDistance.UnbiasedMmdSquared(x, y).Should().BeApproximately(1.7819737319342241, 1.7819737319342241 * 1e-9);
        // One subset holding every sample is the whole-set estimate (the permutation does not matter).
        using var g = new Generator(3);
        var kid = KernelDistance.Compute(x, y, g, subsetCount: 1, subsetSize: 250);
        kid.SubsetSize.Should().Be(250);
        kid.StandardDeviation.Should().Be(0);
    }

    [Fact]
    public void Precision_recall_density_coverage_match_reference()
    {
        using var scope = NewDisposeScope();
        var real = ReferenceInputs.Normals(8, 400, 4);
        var fake = (ReferenceInputs.Normals(9, 350, 4) * 1.3) + 0.2;
        var pr = PrecisionRecall.Compute(real, fake, k: 3);
        pr.Precision.Should().BeApproximately(0.84, 1e-12);
        pr.Recall.Should().BeApproximately(0.985, 1e-12);
        var dc = DensityCoverage.Compute(real, fake, k: 5);
        dc.Density.Should().BeApproximately(0.7645714285714286, 1e-12);
        dc.Coverage.Should().BeApproximately(0.9, 1e-12);

        // The same in float32 (the default compute type for float32 features): no boundary case flips.
        var pr32 = PrecisionRecall.Compute(real.to_type(ScalarType.Float32), fake.to_type(ScalarType.Float32), k: 3);
        pr32.Should().Be(pr);
    }

    [Fact]
    public void Mode_coverage_matches_reference()
    {
        using var scope = NewDisposeScope();
        var centres = ReferenceInputs.GridCentres();
        var modes = torch.tensor(ReferenceInputs.Uniforms(10, 1000).Select(u => (long)Math.Floor(u * 20)).ToArray());
        var points = centres.index_select(0, modes) + (ReferenceInputs.Normals(11, 1000, 2) * (0.05 * 2.0));
        var result = ModeCoverage.Compute(points, centres, 0.05);
        result.ModesCaptured.Should().Be(20);
        result.ModeCount.Should().Be(25);
        result.HighQualityFraction!.Value.Should().BeApproximately(0.685, 1e-12);
        result.KlToUniform.Should().BeApproximately(0.24840209000389424, 1e-12);
        result.ModeCounts.Should().Equal(42, 22, 36, 34, 21, 37, 40, 46, 24, 40, 32, 30, 27, 42, 31, 50, 33, 38, 33, 27, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void Table_fidelity_matches_reference()
    {
        using var scope = NewDisposeScope();
        var a = ReferenceInputs.Normals(12, 200, 3);
        var b = (ReferenceInputs.Normals(13, 150, 3) * torch.tensor(new[] { 1.0, 2.0, 0.5 })) + torch.tensor(new[] { 0.0, 1.0, -1.0 });
        b.select(1, 2).add_(b.select(1, 0) * 0.8);
        var result = TableFidelity.Compute(a, b);
        Tolerance.AssertClose(result.ColumnWasserstein, [0.23158429481671367, 1.111255168141237, 0.9150333781405656], atol: 1e-12, what: "W1");
        result.MeanStandardisedWasserstein.Should().BeApproximately(0.7610697630573027, 1e-12);
        result.CorrelationFrobenius.Should().BeApproximately(1.264426384342752, 1e-12);
        result.CorrelationMeanAbsolute.Should().BeApproximately(0.3622280395595064, 1e-12);
    }

    private static (Tensor X, Tensor Y) FullRankPair()
    {
        var x = ReferenceInputs.Normals(1, 300, 8);
        var mixing = torch.eye(8, dtype: ScalarType.Float64) + ReferenceInputs.Mixing(3, 8, 8);
        var y = ReferenceInputs.Normals(2, 250, 8).matmul(mixing) + 0.5;
        return (x, y);
    }
}

using Generative.Data.BuiltIn;
using Generative.Evaluation;
using Generative.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>Identities of the metrics (a set against itself, the true mixture, a collapse) and blockwise = whole.</summary>
public sealed class MetricsPropertiesTests
{
    [Fact]
    public void Frechet_distance_of_a_set_with_itself_is_zero()
    {
        using var scope = NewDisposeScope();
        var x = ReferenceInputs.Normals(21, 500, 16).to_type(ScalarType.Float32);
        FrechetDistance.Compute(x, x).Should().BeLessThan(1e-9);
    }

    [Fact]
    public void Frechet_distance_of_shifted_identical_covariance_is_the_squared_shift()
    {
        using var scope = NewDisposeScope();
        var x = ReferenceInputs.Normals(22, 300, 6);
        // Same covariance, mean shifted by 0.5 in every coordinate: FD = 6 · 0.25 exactly (up to rounding).
        FrechetDistance.Compute(x, x + 0.5).Should().BeApproximately(1.5, 1e-9);
    }

    [Fact]
    public void Gaussian_statistics_blockwise_equal_whole()
    {
        using var scope = NewDisposeScope();
        var x = (ReferenceInputs.Normals(23, 257, 5) * 3) + 100; // large offset: the shift keeps the sums accurate
        using var whole = GaussianStatistics.FromFeatures(x, blockRows: 10_000);
        using var blocks = GaussianStatistics.FromFeatures(x, blockRows: 7);
        Tolerance.AssertClose(blocks.Mean, whole.Mean, atol: 1e-10, what: "mean");
        Tolerance.AssertClose(blocks.Covariance, whole.Covariance, atol: 1e-10, what: "covariance");
        var centred = x - x.mean([0]);
        var expected = centred.t().matmul(centred) / 256;
        Tolerance.AssertClose(whole.Covariance, expected, atol: 1e-10, what: "covariance vs definition");
    }

    [Fact]
    public void Kernel_distance_is_near_zero_for_the_same_distribution_and_positive_for_different()
    {
        using var scope = NewDisposeScope();
        var a = ReferenceInputs.Normals(24, 1000, 8);
        var b = ReferenceInputs.Normals(25, 1000, 8);
        using var g = new Generator(0);
        var same = KernelDistance.Compute(a, b, g, subsetCount: 10, subsetSize: 500);
        // Unbiased: centred on 0; |mean| well within a few standard errors (the spread of one subset's estimate).
        Math.Abs(same.Mean).Should().BeLessThan(0.01);
        same.StandardDeviation.Should().BeGreaterThan(0);
        var different = KernelDistance.Compute(a, b * 1.5, g, subsetCount: 10, subsetSize: 500);
        different.Mean.Should().BeGreaterThan(10 * Math.Abs(same.Mean) + 0.05);
    }

    [Fact]
    public void Kernel_distance_is_reproducible_with_the_same_seed()
    {
        using var scope = NewDisposeScope();
        var a = ReferenceInputs.Normals(26, 300, 4);
        var b = ReferenceInputs.Normals(27, 300, 4) + 0.2;
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        KernelDistance.Compute(a, b, g1, 5, 100).Should().Be(KernelDistance.Compute(a, b, g2, 5, 100));
    }

    [Fact]
    public void Precision_and_recall_are_one_for_identical_sets()
    {
        using var scope = NewDisposeScope();
        var x = ReferenceInputs.Normals(28, 300, 10).to_type(ScalarType.Float32);
        var pr = PrecisionRecall.Compute(x, x.clone());
        pr.Precision.Should().Be(1.0);
        pr.Recall.Should().Be(1.0);
        var dc = DensityCoverage.Compute(x, x.clone());
        dc.Coverage.Should().Be(1.0);
    }

    [Fact]
    public void Precision_is_high_and_recall_low_for_a_collapsed_generator()
    {
        using var scope = NewDisposeScope();
        var real = ReferenceInputs.Normals(29, 400, 2);
        var collapsed = (ReferenceInputs.Normals(30, 400, 2) * 0.05) + 0.1; // all generated samples near one point
        var pr = PrecisionRecall.Compute(real, collapsed);
        pr.Precision.Should().BeGreaterThan(0.9);
        pr.Recall.Should().BeLessThan(0.2);
        DensityCoverage.Compute(real, collapsed).Coverage.Should().BeLessThan(0.2);
    }

    [Fact]
    public void Blockwise_equals_whole_for_every_pairwise_metric()
    {
        using var scope = NewDisposeScope();
        var real = ReferenceInputs.Normals(31, 203, 5).to_type(ScalarType.Float32);
        var fake = ((ReferenceInputs.Normals(32, 187, 5) * 1.2) + 0.1).to_type(ScalarType.Float32);
        const long tiny = 37;           // blocks of a single row (37 < 187 columns)
        const long huge = 1L << 30;     // one block
        PrecisionRecall.Compute(real, fake, blockElements: tiny).Should().Be(PrecisionRecall.Compute(real, fake, blockElements: huge));
        DensityCoverage.Compute(real, fake, blockElements: tiny).Should().Be(DensityCoverage.Compute(real, fake, blockElements: huge));
        PrecisionRecall.Compute(real, fake, blockElements: 2000).Should().Be(PrecisionRecall.Compute(real, fake, blockElements: huge));
        double mmdTiny = KernelDistance.UnbiasedMmdSquared(real, fake, blockElements: tiny);
        double mmdWhole = KernelDistance.UnbiasedMmdSquared(real, fake, blockElements: huge);
        mmdTiny.Should().BeApproximately(mmdWhole, 1e-12);
        var centres = ReferenceInputs.GridCentres();
        var points = real.narrow(1, 0, 2).to_type(ScalarType.Float64) * 3;
        ModeCoverage.Compute(points, centres, 0.5, blockElements: 1).ModeCounts
            .Should().Equal(ModeCoverage.Compute(points, centres, 0.5, blockElements: huge).ModeCounts);
    }

    [Fact]
    public void Metrics_leak_no_tensors()
    {
        var real = ReferenceInputs.Normals(33, 120, 4);
        var fake = ReferenceInputs.Normals(34, 110, 4);
        var centres = ReferenceInputs.GridCentres();
        var plane = real.narrow(1, 0, 2);
        using var g = new Generator(1);
        void RunAll()
        {
            FrechetDistance.Compute(real, fake);
            KernelDistance.Compute(real, fake, g, 3, 50, blockElements: 500);
            PrecisionRecall.Compute(real, fake, blockElements: 500);
            DensityCoverage.Compute(real, fake, blockElements: 500);
            NearestNeighbourMetrics.Compute(real, fake, blockElements: 500);
            ModeCoverage.Compute(plane, centres, 0.3, blockElements: 100);
            TableFidelity.Compute(real, fake);
        }

        RunAll();
        long before = LiveTensors.Count;
        for (int i = 0; i < 3; i++)
        {
            RunAll();
        }

        LiveTensors.Count.Should().Be(before);
        foreach (var (name, action) in new (string, Action)[]
        {
            ("fd", () => FrechetDistance.Compute(real, fake)),
            ("kid", () => KernelDistance.Compute(real, fake, g, 3, 50, blockElements: 500)),
            ("pr", () => PrecisionRecall.Compute(real, fake, blockElements: 500)),
            ("dc", () => DensityCoverage.Compute(real, fake, blockElements: 500)),
            ("pr+dc", () => NearestNeighbourMetrics.Compute(real, fake, blockElements: 500)),
            ("mc", () => ModeCoverage.Compute(plane, centres, 0.3, blockElements: 100)),
            ("tf", () => TableFidelity.Compute(real, fake)),
        })
        {
            long b0 = LiveTensors.Count;
            action();
            LiveTensors.Count.Should().Be(b0, name);
        }

        plane.Dispose();
        real.Dispose();
        fake.Dispose();
        centres.Dispose();
    }

    [Fact]
    public void Mode_coverage_on_the_true_grid_captures_every_mode()
    {
        using var grid = Mixtures.Grid(10_000, new Generator(7));
        var result = ModeCoverage.ComputeForMixture(grid.Samples, grid);
        result.ModesCaptured.Should().Be(25);
        // P(χ²₂ < 9) = 1 − e^(−4.5) = 0.98889 for a true 2-D Gaussian mode.
        result.HighQualityFraction!.Value.Should().BeApproximately(1 - Math.Exp(-4.5), 0.005);
        result.KlToUniform.Should().BeLessThan(0.01);
    }

    [Fact]
    public void Mode_coverage_on_the_true_ring_captures_every_mode()
    {
        using var ring = Mixtures.Ring(5_000, new Generator(8));
        var result = ModeCoverage.Compute(ring.Samples, ring.ModeCentres!, ring.ModeStandardDeviation!.Value);
        result.ModesCaptured.Should().Be(8);
        result.HighQualityFraction!.Value.Should().BeApproximately(1 - Math.Exp(-4.5), 0.01);
    }

    [Fact]
    public void Mode_coverage_of_a_collapse_onto_one_mode_is_one_mode_with_maximal_kl()
    {
        using var scope = NewDisposeScope();
        using var grid = Mixtures.Grid(1, new Generator(9));
        var collapsed = (ReferenceInputs.Normals(35, 2000, 2) * 0.05) + torch.tensor(new[] { 2.0, -4.0 });
        var result = ModeCoverage.Compute(collapsed, grid.ModeCentres!, 0.05);
        result.ModesCaptured.Should().Be(1);
        result.KlToUniform.Should().BeApproximately(Math.Log(25), 1e-12);
        result.ModeCounts[(5 * 3) + 0].Should().BeGreaterThan(1900); // centre (2, −4) is mode 5·3 + 0
    }

    [Fact]
    public void Mode_coverage_counts_far_away_and_non_finite_samples_as_low_quality()
    {
        using var scope = NewDisposeScope();
        var centres = ReferenceInputs.GridCentres();
        var samples = torch.tensor(new[] { 0.0, 0.0, 1.0, 1.0, double.NaN, 0.0, 4.1, 4.0 }, [4, 2]);
        var result = ModeCoverage.Compute(samples, centres, 0.05);
        result.HighQualityFraction.Should().Be(0.5);
        result.ModesCaptured.Should().Be(2);
        result.KlToUniform.Should().BeApproximately(Math.Log(25.0 / 2), 1e-12);
    }

    [Fact]
    public void Kl_to_uniform_follows_its_definition()
    {
        ModeCoverage.KlToUniform([5, 5, 5, 5]).Should().Be(0);
        ModeCoverage.KlToUniform([0, 0, 0, 0]).Should().BeApproximately(Math.Log(4), 1e-15);
        // q = (3/4, 1/4, 0, 0): 3/4·ln(3) + 1/4·ln(1).
        ModeCoverage.KlToUniform([3, 1, 0, 0]).Should().BeApproximately(0.75 * Math.Log(3), 1e-15);
    }

    [Fact]
    public void Label_mode_coverage_counts_classes()
    {
        using var scope = NewDisposeScope();
        var labels = torch.tensor(new long[] { 0, 0, 3, 3, 3, 9, 12, -1 });
        var result = ModeCoverage.FromLabels(labels, 10);
        result.ModesCaptured.Should().Be(3);
        result.HighQualityFraction.Should().BeNull();
        result.ModeCounts.Should().Equal(2, 0, 0, 3, 0, 0, 0, 0, 0, 1);
        result.SampleCount.Should().Be(8);
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_the_shapes()
    {
        using var scope = NewDisposeScope();
        var a = torch.zeros(10, 3);
        var b = torch.zeros(10, 4);
        var act = () => FrechetDistance.Compute(a, b);
        act.Should().Throw<ArgumentException>().WithMessage("*[M, 3]*[10, 4]*");
        var flat = () => PrecisionRecall.Compute(torch.zeros(10), a);
        flat.Should().Throw<ArgumentException>().WithParameterName("real");
        var k = () => PrecisionRecall.Compute(a, a, k: 10);
        k.Should().Throw<ArgumentOutOfRangeException>();
        var combinedShapes = () => NearestNeighbourMetrics.Compute(a, b);
        combinedShapes.Should().Throw<ArgumentException>().WithMessage("*[M, 3]*[10, 4]*");
        var combinedK = () => NearestNeighbourMetrics.Compute(a, a, densityCoverageK: 10);
        combinedK.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*1..9*");
        var sigma = () => ModeCoverage.Compute(a.narrow(1, 0, 2), a.narrow(1, 0, 2), 0);
        sigma.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("standardDeviation");
        using var moons = Mixtures.Moons(10, new Generator(1));
        var notMixture = () => ModeCoverage.ComputeForMixture(moons.Samples, moons);
        notMixture.Should().Throw<ArgumentException>().WithMessage("*'moons'*not a Gaussian mixture*");
    }
}

using Generative.Comparison;

namespace Generative.Tests.Comparison;

public class MetricSummaryTests
{
    [Fact]
    public void Mean_and_sample_standard_deviation_over_seeds()
    {
        // 2, 4, 9: mean 5, sample variance ((−3)² + (−1)² + 4²) / 2 = 13.
        var summary = MetricSummary.Of([2, 4, 9]);
        summary.Mean.Should().BeApproximately(5, 1e-12);
        summary.StandardDeviation.Should().BeApproximately(Math.Sqrt(13), 1e-12);
        summary.PerSeed.Should().Equal(2, 4, 9);
    }

    [Fact]
    public void One_seed_has_no_spread_and_diverged_seeds_are_left_out()
    {
        MetricSummary.Of([0.7]).StandardDeviation.Should().Be(0);
        var withNaN = MetricSummary.Of([1, double.NaN, 3]);
        withNaN.Mean.Should().Be(2);
        withNaN.PerSeed.Should().HaveCount(3);
        double.IsNaN(MetricSummary.Of([double.NaN]).Mean).Should().BeTrue();
    }
}

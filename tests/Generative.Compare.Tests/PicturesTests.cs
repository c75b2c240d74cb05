using Generative.Comparison;

namespace Generative.Compare.Tests;

/// <summary>The numbers behind the report's pictures: histogram bins, correlations, axis ranges.</summary>
public sealed class PicturesTests
{
    [Fact]
    public void Histogram_bins_span_the_real_values_and_count_synthetic_outliers_apart()
    {
        double[] real = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10];
        double[] synthetic = [0, 0.1, 5, 5, 5, 9.9, 10.4, 50, -20, double.NaN];

        var (edges, realShares, syntheticShares, outside) = Pictures.SharedHistogram(real, synthetic, bins: 4);

        // Real range 0..10, padded by 5 % either side: −0.5..10.5 in four bins of 2.75.
        edges.Should().Equal([-0.5, 2.25, 5.0, 7.75, 10.5], (a, b) => Math.Abs(a - b) < 1e-12);
        realShares.Should().Equal([0.3, 0.2, 0.3, 0.2], (a, b) => Math.Abs(a - b) < 1e-12);

        // 50, −20 and NaN are outside; 10.4 is inside the padding; 5 sits on an edge and goes to the bin above.
        outside.Should().BeApproximately(0.3, 1e-12);
        syntheticShares.Should().Equal([0.2, 0, 0.3, 0.2], (a, b) => Math.Abs(a - b) < 1e-12);
        syntheticShares.Sum().Should().BeApproximately(1 - outside, 1e-12);
    }

    [Fact]
    public void A_constant_real_column_still_gets_a_range()
    {
        var (edges, realShares, _, outside) = Pictures.SharedHistogram([3, 3, 3], [3, 2.9, 10], bins: 5);

        edges[0].Should().BeLessThan(3);
        edges[^1].Should().BeGreaterThan(3);
        realShares.Sum().Should().BeApproximately(1, 1e-12);
        outside.Should().BeApproximately(1 / 3.0, 1e-12);
    }

    [Fact]
    public void Correlations_are_pearson_with_nan_for_constant_columns_and_rows_with_non_finite_values_left_out()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        double[][] columns =
        [
            x,
            x.Select(v => (2 * v) + 1).ToArray(),
            x.Select(v => -v).ToArray(),
            [7, 7, 7, 7, 7, 7],
            [1, 3, 2, 5, 4, 6],
        ];
        columns[1][5] = double.NaN;   // row 5 is left out of every pair

        var r = Pictures.Correlations(columns);

        r[0, 0].Should().BeApproximately(1, 1e-12);
        r[0, 1].Should().BeApproximately(1, 1e-12);
        r[0, 2].Should().BeApproximately(-1, 1e-12);
        r[2, 0].Should().Be(r[0, 2]);
        double.IsNaN(r[0, 3]).Should().BeTrue();
        double.IsNaN(r[3, 3]).Should().BeTrue();

        // Rows 0..4 of x and the shuffled column: Σ(dx·dy) = 8, Σdx² = Σdy² = 10.
        r[0, 4].Should().BeApproximately(0.8, 1e-12);
    }

    [Theory]
    [InlineData("tstrAccuracy", 0.33, 0.86, 1.0)]       // past 50 %: the whole 0–100 % range
    [InlineData("highQualityFraction", 0.014, 0.035, 0.04375)]  // small fractions: up to a quarter above the highest
    [InlineData("highQualityFraction", 0, 0, 0.01)]
    public void Fractions_start_at_zero_and_never_show_a_negative_tick(string metric, double low, double high, double top)
    {
        var (min, max, log, percent) = Pictures.QualityAxis(metric, [low, high]);

        log.Should().BeFalse();
        percent.Should().BeTrue();
        max.Should().BeApproximately(1.04 * top, 1e-12);
        max.Should().BeLessThanOrEqualTo(1.04);
        min.Should().BeApproximately(-0.04 * top, 1e-12, "a little padding below 0, less than one tick step");
    }

    [Fact]
    public void Distances_start_at_zero_or_go_on_a_log_axis_when_they_span_orders_of_magnitude()
    {
        var linear = Pictures.QualityAxis("frechetDistance", [0.8, 2.0]);
        linear.Log.Should().BeFalse();
        linear.Min.Should().BeInRange(-0.1, 0);
        linear.Max.Should().BeGreaterThan(2.0);

        var logarithmic = Pictures.QualityAxis("frechetDistance", [0.005, 1.3, 300]);
        logarithmic.Log.Should().BeTrue();
        logarithmic.Min.Should().BeLessThan(Math.Log10(0.005));
        logarithmic.Max.Should().BeGreaterThan(Math.Log10(300));
    }

    [Fact]
    public void The_speed_axis_holds_every_point_with_room_for_labels_on_the_right()
    {
        var (min, max) = Pictures.SpeedAxis([134, 2_400, 450_000]);

        min.Should().BeLessThanOrEqualTo(2, "134 samples/s is near the decade 100, which the axis then shows");
        max.Should().BeGreaterThanOrEqualTo(Math.Log10(450_000) + 0.6);
        Pictures.SpeedLabel(100).Should().Be("100");
        Pictures.SpeedLabel(10_000).Should().Be("10k");
        Pictures.SpeedLabel(1_000_000).Should().Be("1M");
    }

    [Theory]
    [InlineData(0.001, false, "0.001")]
    [InlineData(1, false, "1")]
    [InlineData(10_000, false, "10,000")]
    [InlineData(1, true, "10⁰")]
    [InlineData(1e7, true, "10⁷")]
    [InlineData(1e-12, true, "10⁻¹²")]
    public void Decades_are_labelled_plainly_or_as_powers_of_ten(double value, bool powers, string label) =>
        Pictures.DecadeLabel(value, powers).Should().Be(label);

    [Fact]
    public void The_moving_average_covers_the_run_to_its_last_step()
    {
        var points = Enumerable.Range(0, 500).Select(i => ((long)i, i % 2 == 0 ? 1.0 : 3.0)).ToList();

        var (xs, ys) = Pictures.MovingAverage(points);

        // Window 5 (1 % of 500): an odd window over alternating 1, 3 averages 1.8 or 2.2.
        xs[0].Should().Be(4);
        xs[^1].Should().Be(499);
        ys.Should().OnlyContain(y => Math.Abs(y - 1.8) < 1e-12 || Math.Abs(y - 2.2) < 1e-12);
    }
}

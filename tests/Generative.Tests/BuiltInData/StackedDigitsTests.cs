using Generative.Data.BuiltIn;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.BuiltInData;

/// <summary>
/// Stacked digits (docs/stacked-digits.md): three embedded 8×8 digits drawn independently as the three channels, so the
/// label triples (a, b, c) follow the product of the file's digit frequencies.
/// </summary>
public sealed class StackedDigitsTests
{
    [Fact]
    public void Samples_are_digit_pixels_on_the_model_scale()
    {
        using var stacked = BuiltInDatasets.Load("stacked-digits", 2_000, seed: 7);
        stacked.Kind.Should().Be(BuiltInDatasetKind.Image);
        stacked.SampleShape.Dimensions.Should().Equal(3L, 8L, 8L);
        stacked.FeatureNames.Should().HaveCount(192);
        stacked.FeatureNames[64].Should().Be("c1_pixel_0_0");
        using var scope = NewDisposeScope();
        stacked.Samples.min().item<float>().Should().Be(-1f);
        stacked.Samples.max().item<float>().Should().Be(1f);

        // Every value is p / 8 − 1 for a raw pixel p ∈ 0..16, exactly (a multiple of 1/8 in float32).
        var raw = (stacked.Samples + 1) * 8;
        raw.sub(raw.round()).abs().max().item<float>().Should().Be(0f);
    }

    [Fact]
    public void Label_triples_follow_the_product_of_the_digit_frequencies()
    {
        // 100,000 triples in 1000 cells: Pearson's χ² against the exact cell probabilities p_a·p_b·p_c (p_d: the share
        // of digit d among the 1797, 174/1797 to 183/1797) has 999 degrees of freedom, mean 999 and standard
        // deviation √1998 ≈ 44.7; six standard deviations either side. A channel that repeated another's digit, or a
        // skewed draw, lands far outside (one channel copied gives χ² ≈ 10⁶).
        const long n = 100_000;
        using var digits = Digits.Load();
        double[] share = torch.bincount(digits.Labels!, minlength: 10).to_type(ScalarType.Float64).div(digits.Count).data<double>().ToArray();
        share.Should().OnlyContain(p => p > 0.096 && p < 0.102);
        using var stacked = BuiltInDatasets.Load("stacked-digits", n, seed: 11);
        long[] counts = torch.bincount(stacked.Labels!, minlength: 1000).data<long>().ToArray();
        counts.Should().HaveCount(1000);
        double chiSquare = 0;
        for (int label = 0; label < 1000; label++)
        {
            double expected = n * share[label / 100] * share[label / 10 % 10] * share[label % 10];
            chiSquare += Math.Pow(counts[label] - expected, 2) / expected;
        }

        chiSquare.Should().BeInRange(999 - (6 * 44.7), 999 + (6 * 44.7));
    }

    [Fact]
    public void The_size_is_an_option_and_the_seed_fixes_the_draw()
    {
        using var small = BuiltInDatasets.Load("stacked-digits", 130, seed: 2);
        using var same = BuiltInDatasets.Load("stacked-digits", 130, seed: 2);
        using var other = BuiltInDatasets.Load("stacked-digits", 130, seed: 3);
        small.Count.Should().Be(130);
        small.Labels!.eq(same.Labels!).all().item<bool>().Should().BeTrue();
        small.Samples.eq(same.Samples).all().item<bool>().Should().BeTrue();
        small.Labels!.eq(other.Labels!).all().item<bool>().Should().BeFalse();
        using var defaultSize = BuiltInDatasets.Load("stacked-digits");
        defaultSize.Count.Should().Be(BuiltInDatasets.DefaultSampleCount);
    }
}

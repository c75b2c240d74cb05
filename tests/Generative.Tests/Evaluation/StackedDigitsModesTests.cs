using Generative.Data.BuiltIn;
using Generative.Evaluation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>
/// The stacked-digits mode count and KL as PacGAN measures them on stacked MNIST (Lin et al. 2018, Table 2; the
/// authors' <c>stacked_MNIST_experiments/VEEGAN_experiment/model.py</c>, <c>log_metrics</c>): a digit classifier labels
/// each channel of 26,000 generated samples, the modes are the distinct triples, and the KL is
/// Σ p·ln(p / (1/1000)) over the generated triple histogram p (natural log, empty cells left out).
/// </summary>
public sealed class StackedDigitsModesTests : IClassFixture<DigitsClassifierTests.Fixture>
{
    /// <summary>Generated samples PacGAN scores (its <c>num_test_sample</c>).</summary>
    private const int PacGanSampleCount = 26_000;

    private readonly DigitsClassifierTests.Fixture _fixture;
    private readonly ITestOutputHelper _output;

    public StackedDigitsModesTests(DigitsClassifierTests.Fixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public void Real_stacked_digits_reach_about_1000_modes_with_a_small_KL()
    {
        using var scope = NewDisposeScope();
        using var real = BuiltInDatasets.Load("stacked-digits", PacGanSampleCount, seed: 21);
        var coverage = ModeCoverage.FromLabels(_fixture.Classifier.PredictStacked(real.Samples), 1000);
        coverage.SampleCount.Should().Be(PacGanSampleCount);
        // 26,000 draws miss a cell of probability ≥ 0.00091 with probability ≤ e^−23.7: every mode is hit.
        coverage.ModesCaptured.Should().Be(1000);
        // Sampling noise alone gives E[KL] ≈ (M − 1) / (2N) = 0.019 nats; the digits' unequal frequencies add ≈ 3·10⁻⁴.
        coverage.KlToUniform.Should().BeInRange(0.005, 0.05);
        var truth = ModeCoverage.FromLabels(real.Labels!, 1000);
        _output.WriteLine($"26,000 real stacked digits: {coverage.ModesCaptured} modes, KL {coverage.KlToUniform:F4} (true labels: KL {truth.KlToUniform:F4})");
        Math.Abs(coverage.KlToUniform - truth.KlToUniform).Should().BeLessThan(0.01, "the classifier's few mistakes barely move the histogram");
    }

    [Fact]
    public void A_collapsed_generator_captures_one_mode_at_KL_ln_1000()
    {
        using var scope = NewDisposeScope();
        using var real = BuiltInDatasets.Load("stacked-digits", 1, seed: 3);
        var collapsed = real.Samples.expand(PacGanSampleCount, 3, 8, 8).contiguous();
        var coverage = ModeCoverage.FromLabels(_fixture.Classifier.PredictStacked(collapsed), 1000);
        coverage.ModesCaptured.Should().Be(1);
        coverage.KlToUniform.Should().BeApproximately(Math.Log(1000), 1e-12);
    }

    [Fact]
    public void KL_is_PacGANs_reverse_KL_of_the_triple_histogram_in_nats()
    {
        // PacGAN: p = counts / Σ counts over the triples seen, q = 1/1000 each, KL = Σ_{p≠0} p·log(p / q).
        long[] counts = new long[1000];
        counts[7] = 13_000;
        counts[123] = 6_500;
        counts[999] = 6_500;
        double expected = (0.5 * Math.Log(0.5 * 1000)) + (2 * 0.25 * Math.Log(0.25 * 1000));
        ModeCoverage.KlToUniform(counts).Should().BeApproximately(expected, 1e-12);
        using var scope = NewDisposeScope();
        var labels = torch.cat([torch.full(13_000, 7L), torch.full(6_500, 123L), torch.full(6_500, 999L)]);
        var coverage = ModeCoverage.FromLabels(labels, 1000);
        coverage.ModesCaptured.Should().Be(3);
        coverage.KlToUniform.Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Each_channel_is_classified_on_its_own()
    {
        // The triple label is 100·a + 10·b + c from the predicted digits of channels 0, 1, 2, each classified alone.
        using var scope = NewDisposeScope();
        using var stacked = BuiltInDatasets.Load("stacked-digits", 500, seed: 5);
        var triples = _fixture.Classifier.PredictStacked(stacked.Samples);
        var a = _fixture.Classifier.Predict(stacked.Samples[.., 0..1]);
        var b = _fixture.Classifier.Predict(stacked.Samples[.., 1..2]);
        var c = _fixture.Classifier.Predict(stacked.Samples[.., 2..3]);
        triples.eq((a * 100) + (b * 10) + c).all().item<bool>().Should().BeTrue();
    }
}

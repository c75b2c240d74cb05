using Generative.Data.BuiltIn;
using Generative.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>The digits feature extractor: accuracy, determinism, shapes, and its use for mode coverage.</summary>
public sealed class DigitsClassifierTests : IClassFixture<DigitsClassifierTests.Fixture>
{
    private readonly Fixture _fixture;

    public DigitsClassifierTests(Fixture fixture) => _fixture = fixture;

    [Fact]
    public void Held_out_accuracy_is_at_least_95_percent()
    {
        _fixture.Classifier.TestCount.Should().Be(359);
        _fixture.Classifier.TrainCount.Should().Be(1438);
        _fixture.Classifier.HeldOutAccuracy.Should().BeGreaterThanOrEqualTo(0.95);
    }

    [Fact]
    public void Same_seed_gives_the_same_classifier()
    {
        // A short training run twice (the fixture's full run is not repeated, to keep the test fast).
        using var first = DigitsClassifier.Train(seed: 5, epochs: 3);
        using var second = DigitsClassifier.Train(seed: 5, epochs: 3);
        using var third = DigitsClassifier.Train(seed: 6, epochs: 3);
        using var scope = NewDisposeScope();
        using var digits = Digits.Load();
        second.HeldOutAccuracy.Should().Be(first.HeldOutAccuracy);
        first.Features(digits.Samples).eq(second.Features(digits.Samples)).all().item<bool>().Should().BeTrue();
        first.Features(digits.Samples).eq(third.Features(digits.Samples)).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void Features_and_predictions_have_the_documented_shapes()
    {
        using var scope = NewDisposeScope();
        using var digits = Digits.Load();
        var features = _fixture.Classifier.Features(digits.Samples);
        features.shape.Should().Equal(1797, DigitsClassifier.FeatureDimension);
        _fixture.Classifier.Predict(digits.Samples).shape.Should().Equal(1797);
        _fixture.Classifier.Features(digits.Samples.reshape(1797, 64)).eq(features).all().item<bool>().Should().BeTrue();
        var bad = () => _fixture.Classifier.Features(torch.zeros(3, 2, 8, 8));
        bad.Should().Throw<ArgumentException>().WithMessage("*[N, 1, 8, 8]*[3, 2, 8, 8]*");
    }

    [Fact]
    public void Real_digits_cover_all_ten_modes_and_real_stacked_digits_most_of_1000()
    {
        using var scope = NewDisposeScope();
        using var digits = Digits.Load();
        var coverage = ModeCoverage.FromLabels(_fixture.Classifier.Predict(digits.Samples), 10);
        coverage.ModesCaptured.Should().Be(10);
        coverage.KlToUniform.Should().BeLessThan(0.01);

        using var stacked = Digits.LoadStacked(5000, new Generator(1));
        var predicted = _fixture.Classifier.PredictStacked(stacked.Samples);
        // The stacked label is right when all three channels are: ≈ accuracy³ on the whole file (training rows included).
        predicted.eq(stacked.Labels!).to_type(ScalarType.Float64).mean().item<double>().Should().BeGreaterThan(0.9);
        var stackedCoverage = ModeCoverage.FromLabels(predicted, 1000);
        stackedCoverage.ModesCaptured.Should().BeGreaterThan(980, "5000 uniform draws miss each of 1000 classes with probability e^−5");
        _fixture.Classifier.FeaturesStacked(stacked.Samples).shape.Should().Equal(5000, 192);
    }

    [Fact]
    public void Features_separate_real_digits_from_noise()
    {
        using var scope = NewDisposeScope();
        using var digits = Digits.Load();
        var real = _fixture.Classifier.Features(digits.Samples);
        var half = _fixture.Classifier.Features(digits.Samples.narrow(0, 0, 898));
        var otherHalf = _fixture.Classifier.Features(digits.Samples.narrow(0, 898, 899));
        using var g = new Generator(2);
        var noise = _fixture.Classifier.Features((torch.rand(1797, 1, 8, 8, generator: g) * 2) - 1);
        double fdSame = FrechetDistance.Compute(half, otherHalf);
        double fdNoise = FrechetDistance.Compute(real, noise);
        fdNoise.Should().BeGreaterThan(10 * fdSame);
    }

    public sealed class Fixture : IDisposable
    {
        public DigitsClassifier Classifier { get; } = DigitsClassifier.Train(seed: 0);

        public void Dispose() => Classifier.Dispose();
    }
}

using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>Shapes, conditioning, seeding and validation of the four networks.</summary>
[Collection("Sequential")]
public sealed class GanNetworkTests
{
    [Fact]
    public void MlpNetworksMapLatentsToSamplesAndSamplesToScores()
    {
        using var scope = NewDisposeScope();
        using var g = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(13), LatentDimension = 5, HiddenWidth = 16 }, new Generator(1));
        using var d = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(13), HiddenWidth = 16 }, new Generator(1));
        var x = g.Generate(randn(7, 5));
        x.shape.Should().Equal(7, 13);
        d.Score(x).shape.Should().Equal(7);
        FluentActions.Invoking(() => g.Generate(randn(7, 4))).Should().Throw<ArgumentException>().WithMessage("*[N, 5]*[7, 4]*");
        FluentActions.Invoking(() => d.Score(randn(7, 12))).Should().Throw<ArgumentException>().WithMessage("*[N, 13]*[7, 12]*");
        FluentActions.Invoking(() => g.Generate(randn(7, 5), zeros(7, dtype: ScalarType.Int64))).Should().Throw<ArgumentException>().WithMessage("*unconditional*");
    }

    [Fact]
    public void TheSameSeedBuildsTheSameNetwork()
    {
        using var scope = NewDisposeScope();
        var options = new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 3, HiddenWidth = 8 };
        using var a = new MlpGenerator(options, new Generator(5));
        using var b = new MlpGenerator(options, new Generator(5));
        using var c = new MlpGenerator(options, new Generator(6));
        var z = randn(4, 3, generator: new Generator(0));
        a.Generate(z).allclose(b.Generate(z)).Should().BeTrue();
        a.Generate(z).allclose(c.Generate(z)).Should().BeFalse();
    }

    [Fact]
    public void ConditionalNetworksUseTheLabelsAndCheckThem()
    {
        using var scope = NewDisposeScope();
        using var g = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 3, HiddenWidth = 8, ClassCount = 4 }, new Generator(1));
        using var d = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 8, ClassCount = 4 }, new Generator(1));
        var z = randn(3, 3, generator: new Generator(2)).expand(2, -1, -1).reshape(6, 3);
        var labels = tensor(new long[] { 0, 1, 2, 3, 3, 3 });
        var x = g.Generate(z, labels);
        (x[0] - x[3]).abs().sum().item<float>().Should().BeGreaterThan(0, "the same z with another class gives another sample");
        var scores = d.Score(x, labels);
        scores.shape.Should().Equal(6);
        // Projection: f(x, y) − f(x, y') = ⟨embed(y) − embed(y'), φ(x)⟩ ≠ 0.
        (d.Score(x, labels) - d.Score(x, zeros(6, dtype: ScalarType.Int64))).abs().sum().item<float>().Should().BeGreaterThan(0);
        FluentActions.Invoking(() => g.Generate(z)).Should().Throw<ArgumentException>().WithMessage("*4 classes*");
        FluentActions.Invoking(() => g.Generate(z, tensor(new long[] { 0, 1, 2, 3, 4, 0 }))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 4)*4*");
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(16, 3)]
    [InlineData(32, 1)]
    public void ConvNetworksHandleEachImageSize(int size, int channels)
    {
        using var scope = NewDisposeScope();
        using var g = new ConvGenerator(new ConvGeneratorOptions { ImageSize = size, Channels = channels, LatentDimension = 16, Width = 8, ClassCount = 3 }, new Generator(1));
        using var d = new ConvCritic(new ConvCriticOptions { ImageSize = size, Channels = channels, Width = 8, ClassCount = 3, SpectralNormalization = true }, new Generator(1));
        var labels = tensor(new long[] { 0, 2 });
        var images = g.Generate(randn(2, 16), labels);
        images.shape.Should().Equal(2, channels, size, size);
        images.abs().max().item<float>().Should().BeLessThanOrEqualTo(1f, "tanh output");
        d.Score(images, labels).shape.Should().Equal(2);
        d.named_modules().Select(m => m.module).OfType<SpectralNorm>().Should().HaveCount(2 + (int)Math.Log2(size / 4), "every Conv2d and the Linear head are normalised");
    }

    [Fact]
    public void OptionsAreValidatedAtConstruction()
    {
        FluentActions.Invoking(() => new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), HiddenLayers = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("options").WithMessage("*HiddenLayers*");
        FluentActions.Invoking(() => new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), LeakyReluSlope = 1 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*LeakyReluSlope*[0, 1)*");
        FluentActions.Invoking(() => new ConvGenerator(new ConvGeneratorOptions { ImageSize = 12 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ImageSize*8, 16, 32 or 64*12*");
        FluentActions.Invoking(() => new ConvCritic(new ConvCriticOptions { Width = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Width*");
    }
}

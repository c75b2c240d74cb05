using Generative.Diffusion;
using Generative.Nn;
using Generative.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>The sinusoidal embedding against its formula, and the MLP and UNet denoisers' shapes, initialisation and checks.</summary>
[Collection("Sequential")]
public sealed class DenoiserTests
{
    [Fact]
    public void SinusoidalEmbeddingFollowsItsFormula()
    {
        using var scope = NewDisposeScope();
        using var embedding = new SinusoidalTimestepEmbedding(8, 10_000);
        var e = embedding.call(tensor(new long[] { 0, 7, 999 }));
        e.shape.Should().Equal(3, 8);
        var values = e.to_type(ScalarType.Float64).data<double>().ToArray();
        long[] ts = [0, 7, 999];
        for (int row = 0; row < 3; row++)
        {
            for (int i = 0; i < 4; i++)
            {
                double omega = Math.Pow(10_000, -i / 4.0);
                values[(row * 8) + i].Should().BeApproximately(Math.Cos(ts[row] * omega), 1e-4);
                values[(row * 8) + 4 + i].Should().BeApproximately(Math.Sin(ts[row] * omega), 1e-4);
            }
        }

        FluentActions.Invoking(() => new SinusoidalTimestepEmbedding(7)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void MlpDenoiserHasTheDocumentedShapesAndStartsAtZero()
    {
        using var scope = NewDisposeScope();
        using var net = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16 });
        net.SampleShape.Should().Be(new TensorShape(2));
        var y = net.Predict(randn(5, 2), tensor(new long[] { 0, 1, 2, 3, 999 }));
        y.shape.Should().Equal(5, 2);
        y.abs().max().item<float>().Should().Be(0f); // zero-initialised output layer
        net.named_parameters().Select(p => p.name).Should().Contain(["input.weight", "time_mlp.0.weight", "blocks.1.fc2.bias", "output.weight"]);

        using var learned = new MlpDenoiser(3, new MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4, LearnVariance = true });
        learned.OutputShape.Should().Be(new TensorShape(6));
        learned.Predict(randn(4, 3), zeros(4, ScalarType.Int64)).shape.Should().Equal(4, 6);
    }

    [Fact]
    public void DenoisersRejectWrongInputsNamingTheShapes()
    {
        using var scope = NewDisposeScope();
        using var net = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4 });
        net.Invoking(n => n.Predict(randn(5, 3), zeros(5, ScalarType.Int64))).Should().Throw<ArgumentException>().WithMessage("*[N, 2]*[5, 3]*");
        net.Invoking(n => n.Predict(randn(5, 2), zeros(4, ScalarType.Int64))).Should().Throw<ArgumentException>().WithMessage("*[5]*[4]*");
        net.Invoking(n => n.Predict(randn(5, 2), zeros(5, ScalarType.Int64), zeros(5, ScalarType.Int64))).Should().Throw<ArgumentException>().WithMessage("*unconditional*");
        FluentActions.Invoking(() => new MlpDenoiser(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new UNetDenoiser(1, 12, 12, new UNetDenoiserOptions { ChannelMultipliers = [1, 2, 2, 2] }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*multiple of 8*");
        FluentActions.Invoking(() => new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 12, GroupCount = 8 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*multiple of the group count*");
    }

    [Theory]
    [InlineData(1, 8, new[] { 1, 2 }, true)]
    [InlineData(3, 16, new[] { 1, 2, 2 }, false)]
    [InlineData(3, 32, new[] { 1, 1, 2, 2 }, true)]
    public void UNetMapsImagesToImagesWithGroupNormInitialisedToIdentity(int channels, int size, int[] multipliers, bool attention)
    {
        using var scope = NewDisposeScope();
        using var net = new UNetDenoiser(channels, size, size, new UNetDenoiserOptions
        {
            BaseChannels = 8, GroupCount = 4, ChannelMultipliers = multipliers, AttentionAtLowestResolution = attention, ClassCount = 3,
        });
        var x = randn(2, channels, size, size);
        var y = net.Predict(x, tensor(new long[] { 5, 500 }), tensor(new long[] { 0, 3 }));
        y.shape.Should().Equal(2, channels, size, size);
        var norms = net.named_parameters().Where(p => p.name.Contains("norm", StringComparison.Ordinal)).ToList();
        norms.Should().NotBeEmpty();
        foreach (var (name, p) in norms)
        {
            float expected = name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f;
            (p - expected).abs().max().item<float>().Should().Be(0f, name);
        }

        net.named_parameters().Any(p => p.name.StartsWith("mid_attention.", StringComparison.Ordinal)).Should().Be(attention);
    }

    [Fact]
    public void UNetLearnsOnATinyBatch()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var net = new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 8, GroupCount = 4 });
        var schedule = new NoiseSchedule();
        using var step = new DiffusionTrainingStep(net, schedule, new DiffusionTrainingOptions { LearningRate = 3e-3 });
        var data = randn(16, 1, 8, 8, generator: new Generator(2)).sign() * 0.8f; // ±0.8 pixels
        double first = 0, last = 0;
        for (int i = 0; i < 60; i++)
        {
            using var inner = NewDisposeScope();
            // The same t and ε every time, so the losses are comparable.
            double loss = step.Step(new Generative.Data.TrainingBatch(data), new Generative.Training.TrainingStepContext(i, 0, new Generator(7), step.Optimizers))["loss"];
            if (i == 0)
            {
                first = loss;
            }

            last = loss;
        }

        last.Should().BeLessThan(0.7 * first);
    }
}

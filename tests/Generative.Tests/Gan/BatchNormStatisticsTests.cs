using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary><see cref="BatchNormStatistics"/>: each batch-norm layer ends with the plain average of its batch means and
/// unbiased batch variances at the generator's weights, against a float64 reference; nothing else changes.</summary>
[Collection("Sequential")]
public sealed class BatchNormStatisticsTests
{
    private static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).flatten().data<double>().ToArray();

    private static MlpGenerator BatchNormalised(int classes = 0)
    {
        var generator = new MlpGenerator(
            new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 3, HiddenWidth = 5, HiddenLayers = 2, BatchNormalization = true, ClassCount = classes },
            new Generator(1));
        generator.Module.to(ScalarType.Float64);
        using (no_grad())
        {
            // Non-trivial scales and shifts, so the second layer's statistics depend on the first layer's normalisation.
            generator.state_dict()["body.1.weight"].copy_(tensor(new[] { 0.5, 2, 1, -1, 1.5 }));
            generator.state_dict()["body.1.bias"].copy_(tensor(new[] { 0.1, -0.2, 0.3, 0, 0.5 }));
            generator.state_dict()["body.4.weight"].copy_(tensor(new[] { 1.2, 0.7, -0.4, 2, 1 }));

            // Stale statistics that must not survive.
            foreach (string name in new[] { "body.1.running_mean", "body.4.running_mean", "body.1.running_var", "body.4.running_var" })
            {
                generator.state_dict()[name].fill_(1e6);
            }
        }

        return generator;
    }

    [Fact]
    public void Each_layer_gets_the_average_of_its_batch_means_and_unbiased_batch_variances()
    {
        using var scope = NewDisposeScope();
        using var generator = BatchNormalised();
        var layers = generator.Module.modules().OfType<TorchSharp.Modules.BatchNorm>().ToList();
        foreach (var layer in layers)
        {
            layer.momentum = 0.3;
        }

        generator.Module.eval();
        var parameters = generator.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter.clone());
        const int batches = 4, size = 7;

        BatchNormStatistics.Recompute(generator, batches, size, new Generator(42)).Should().Be(2);

        // Float64 reference on the same latents: in training mode each layer normalises by the batch's mean and biased
        // variance (ε = 1e-5); its population statistics are the batches' means and unbiased variances, averaged.
        var w = generator.state_dict();
        var draws = new Generator(42);
        var means = new[] { zeros(5, dtype: ScalarType.Float64), zeros(5, dtype: ScalarType.Float64) };
        var variances = new[] { zeros(5, dtype: ScalarType.Float64), zeros(5, dtype: ScalarType.Float64) };
        for (int b = 0; b < batches; b++)
        {
            var h = randn([size, 3], dtype: ScalarType.Float64, generator: draws);
            int l = 0;
            foreach (var (linear, norm) in new[] { ("body.0", "body.1"), ("body.3", "body.4") })
            {
                var a = h.matmul(w[linear + ".weight"].t());
                means[l] += a.mean([0]) / batches;
                variances[l] += a.var(0, unbiased: true) / batches;
                h = (((a - a.mean([0])) / (a.var(0, unbiased: false) + 1e-5).sqrt() * w[norm + ".weight"]) + w[norm + ".bias"]).relu();
                l++;
            }
        }

        static bool Close(double a, double e) => Math.Abs(a - e) <= 1e-12 * Math.Max(1, Math.Abs(e));
        Values(w["body.1.running_mean"]).Should().Equal(Values(means[0]), Close);
        Values(w["body.1.running_var"]).Should().Equal(Values(variances[0]), Close);
        Values(w["body.4.running_mean"]).Should().Equal(Values(means[1]), Close);
        Values(w["body.4.running_var"]).Should().Equal(Values(variances[1]), Close);

        generator.Module.training.Should().BeFalse("the module's mode is restored");
        layers.Should().OnlyContain(layer => layer.momentum == 0.3, "each layer's momentum is restored");
        foreach (var (name, p) in generator.Module.named_parameters())
        {
            Values(p).Should().Equal(Values(parameters[name]), $"{name} is a parameter, which the recompute leaves alone");
        }
    }

    [Fact]
    public void The_same_draws_give_the_same_statistics_and_a_conditional_generator_gets_labels()
    {
        using var scope = NewDisposeScope();
        using var first = BatchNormalised(classes: 3);
        using var second = BatchNormalised(classes: 3);
        BatchNormStatistics.Recompute(first, 3, 10, new Generator(5)).Should().Be(2);
        BatchNormStatistics.Recompute(second, 3, 10, new Generator(5));
        Values(first.state_dict()["body.4.running_var"]).Should().Equal(Values(second.state_dict()["body.4.running_var"]));
        Values(first.state_dict()["body.1.running_mean"]).Should().OnlyContain(v => double.IsFinite(v) && Math.Abs(v) < 1e3, "the stale 1e6 is gone");
    }

    [Fact]
    public void A_generator_without_batch_norm_is_left_as_it_is()
    {
        using var scope = NewDisposeScope();
        using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 3, HiddenWidth = 5, HiddenLayers = 2 }, new Generator(1));
        var before = generator.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        BatchNormStatistics.Recompute(generator, 2, 4, new Generator(0)).Should().Be(0);
        foreach (var (name, value) in generator.Module.state_dict())
        {
            Values(value).Should().Equal(Values(before[name]));
        }
    }

    [Fact]
    public void Bad_counts_are_refused()
    {
        using var generator = BatchNormalised();
        FluentActions.Invoking(() => BatchNormStatistics.Recompute(generator, 0, 10, new Generator(0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("batches");
        FluentActions.Invoking(() => BatchNormStatistics.Recompute(generator, 1, 1, new Generator(0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("batchSize");
    }
}

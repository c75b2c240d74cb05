using System.Text.Json.Nodes;
using Generative.Gan;
using Generative.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>PacGAN's network options: batch normalisation in the MLP generator, maxout in the MLP critic, N(0, σ)
/// initialisation — each against its formula, and through the registries and a saved model.</summary>
[Collection("Sequential")]
public sealed class PacGanNetworkTests
{
    private static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).flatten().data<double>().ToArray();

    private static Tensor Weight(nn.Module m, string name) => m.state_dict()[name];

    [Theory]
    [InlineData(null)] // PyTorch's default, 1e-5
    [InlineData(1e-4)] // Blocks', as PacGAN's code uses
    [InlineData(0.3)] // large enough that every output depends on it
    public void The_batch_normalised_generator_is_linear_without_bias_then_batch_norm_then_relu(double? epsilon)
    {
        using var scope = NewDisposeScope();
        var options = new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 3, HiddenWidth = 5, HiddenLayers = 2, BatchNormalization = true };
        if (epsilon is double e)
        {
            options = options with { BatchNormEpsilon = e };
        }

        double eps = epsilon ?? 1e-5;
        using var generator = new MlpGenerator(options, new Generator(1));
        generator.state_dict().Keys.Should().BeEquivalentTo(
            "body.0.weight", "body.1.weight", "body.1.bias", "body.1.running_mean", "body.1.running_var", "body.1.num_batches_tracked",
            "body.3.weight", "body.4.weight", "body.4.bias", "body.4.running_mean", "body.4.running_var", "body.4.num_batches_tracked",
            "body.6.weight", "body.6.bias");
        using (no_grad())
        {
            // Non-trivial scale and shift, so that the reference must use them.
            Weight(generator, "body.1.weight").copy_(tensor(new[] { 0.5f, 2f, 1f, -1f, 1.5f }));
            Weight(generator, "body.4.bias").copy_(tensor(new[] { 0.1f, -0.2f, 0.3f, 0f, 0.5f }));
        }

        var z = randn(7, 3, generator: new Generator(2));
        generator.train();
        var output = generator.Generate(z);

        // Float64 reference: training-mode batch norm uses the batch's mean and biased variance, plus ε.
        Tensor Block(Tensor h, string linear, string norm)
        {
            var a = h.matmul(Weight(generator, linear + ".weight").to_type(ScalarType.Float64).t());
            var normalised = (a - a.mean([0])) / (a.var(0, unbiased: false) + eps).sqrt();
            return (normalised * Weight(generator, norm + ".weight").to_type(ScalarType.Float64) + Weight(generator, norm + ".bias").to_type(ScalarType.Float64)).relu();
        }

        var h2 = Block(Block(z.to_type(ScalarType.Float64), "body.0", "body.1"), "body.3", "body.4");
        var expected = h2.matmul(Weight(generator, "body.6.weight").to_type(ScalarType.Float64).t()) + Weight(generator, "body.6.bias").to_type(ScalarType.Float64);
        Values(output).Should().Equal(Values(expected), (a, e) => Math.Abs(a - e) < 1e-4);
        Values(Weight(generator, "body.1.running_mean")).Should().NotEqual(new double[5], "training mode updates the running statistics");

        // Evaluation mode divides by sqrt(running variance + ε): set the statistics to known values.
        using (no_grad())
        {
            foreach (var norm in new[] { "body.1", "body.4" })
            {
                Weight(generator, norm + ".running_mean").copy_(tensor(new[] { 0.2f, -0.1f, 0f, 0.3f, 0.05f }));
                Weight(generator, norm + ".running_var").copy_(tensor(new[] { 0.01f, 0.5f, 0.002f, 1f, 0.04f }));
            }
        }

        generator.eval();
        var evaluated = generator.Generate(z);
        Tensor EvalBlock(Tensor h, string linear, string norm)
        {
            var a = h.matmul(Weight(generator, linear + ".weight").to_type(ScalarType.Float64).t());
            var normalised = (a - Weight(generator, norm + ".running_mean").to_type(ScalarType.Float64))
                / (Weight(generator, norm + ".running_var").to_type(ScalarType.Float64) + eps).sqrt();
            return (normalised * Weight(generator, norm + ".weight").to_type(ScalarType.Float64) + Weight(generator, norm + ".bias").to_type(ScalarType.Float64)).relu();
        }

        var e2 = EvalBlock(EvalBlock(z.to_type(ScalarType.Float64), "body.0", "body.1"), "body.3", "body.4");
        var expectedEval = e2.matmul(Weight(generator, "body.6.weight").to_type(ScalarType.Float64).t()) + Weight(generator, "body.6.bias").to_type(ScalarType.Float64);
        Values(evaluated).Should().Equal(Values(expectedEval), (a, e) => Math.Abs(a - e) < 1e-4);
    }

    [Fact]
    public void A_run_with_another_batch_norm_epsilon_is_not_resumed_from_the_checkpoint()
    {
        // ε shapes no tensor, so the weights would load; the trainer must refuse the checkpoint by its options instead.
        string root = Path.Combine(Path.GetTempPath(), "eps-resume-" + Guid.NewGuid().ToString("N"));
        var generatorOptions = new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 8, HiddenLayers = 2, BatchNormalization = true };
        var criticOptions = new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 8, HiddenLayers = 1 };
        using var data = new Generative.Data.TensorDataSource(randn(64, 2, generator: new Generator(1)));
        try
        {
            using (var generator = new MlpGenerator(generatorOptions, new Generator(2)))
            using (var critic = new MlpCritic(criticOptions, new Generator(3)))
            using (var step = new GanTrainingStep(generator, critic, GanTrainingOptions.NonSaturatingR1()))
            using (var trainer = Generative.Training.Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(2).WithCheckpointing(root, 2).Build())
            {
                trainer.Run();
            }

            using (var same = new MlpGenerator(generatorOptions, new Generator(2)))
            using (var critic = new MlpCritic(criticOptions, new Generator(3)))
            using (var step = new GanTrainingStep(same, critic, GanTrainingOptions.NonSaturatingR1()))
            using (var resumed = Generative.Training.Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(4).ResumeFrom(root).Build())
            {
                resumed.CompletedSteps.Should().Be(2, "the same options resume");
            }

            using var other = new MlpGenerator(generatorOptions with { BatchNormEpsilon = 1e-4 }, new Generator(2));
            using var otherCritic = new MlpCritic(criticOptions, new Generator(3));
            using var otherStep = new GanTrainingStep(other, otherCritic, GanTrainingOptions.NonSaturatingR1());
            var before = other.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
            Generative.Training.Trainer.For(otherStep).WithData(data).WithBatchSize(16).WithSteps(4).ResumeFrom(root)
                .Invoking(b => b.Build()).Should().Throw<Generative.Checkpoints.CheckpointFormatException>()
                .WithMessage("*other model options than this training step's (options.batchNormEpsilon: absent in the checkpoint, 0.0001 in the training step)*");
            foreach (var (name, value) in other.state_dict())
            {
                value.equal(before[name]).all().item<bool>().Should().BeTrue($"a refused resume loads nothing ({name})");
            }
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public void The_options_difference_names_the_first_differing_path()
    {
        var written = JsonNode.Parse("""{"a": 1, "b": {"c": [1, 2, 3], "d": "x"}}""");
        Generative.Training.Trainer.OptionsDifference(written, written!.DeepClone(), "options").Should().BeNull();
        Generative.Training.Trainer.OptionsDifference(written, JsonNode.Parse("""{"b": {"d": "x", "c": [1, 2, 3]}, "a": 1}"""), "options")
            .Should().BeNull("the order of an object's keys does not matter");
        var read = JsonNode.Parse(new JsonObject { ["sigma"] = 0.02, ["epsilon"] = 1e-4, ["width"] = 400 }.ToJsonString()); // as from config.json
        Generative.Training.Trainer.OptionsDifference(read, new JsonObject { ["sigma"] = 0.02, ["epsilon"] = 1e-4, ["width"] = 400 }, "options")
            .Should().BeNull("numbers read back from the file equal the training step's doubles and integers");
        Generative.Training.Trainer.OptionsDifference(written, JsonNode.Parse("""{"a": 1, "b": {"c": [1, 5, 3], "d": "x"}}"""), "options")
            .Should().Be("options.b.c[1]: 2 in the checkpoint, 5 in the training step");
        Generative.Training.Trainer.OptionsDifference(written, JsonNode.Parse("""{"a": 1, "b": {"c": [1, 2], "d": "x"}}"""), "options")
            .Should().Be("options.b.c: [1,2,3] in the checkpoint, [1,2] in the training step");
        Generative.Training.Trainer.OptionsDifference(written, JsonNode.Parse("""{"a": 1, "b": {"c": [1, 2, 3]}}"""), "options")
            .Should().Be("options.b.d: \"x\" in the checkpoint, absent in the training step");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_batch_norm_epsilon_out_of_range_is_refused_with_its_value(double epsilon)
    {
        var options = new MlpGeneratorOptions { SampleShape = new TensorShape(2), BatchNormalization = true, BatchNormEpsilon = epsilon };
        FluentActions.Invoking(() => new MlpGenerator(options))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*BatchNormEpsilon must lie in (0, 1]; got {epsilon}*");
    }

    [Fact]
    public void Maxout_takes_the_largest_of_each_units_consecutive_pieces()
    {
        using var scope = NewDisposeScope();
        using var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(3), HiddenWidth = 4, HiddenLayers = 1, MaxoutPieces = 3 }, new Generator(3));
        critic.state_dict()["features.0.weight"].shape.Should().Equal([12, 3]);
        var x = randn(5, 3, generator: new Generator(4));
        double[] scores = Values(critic.Score(x));

        double[] w = Values(Weight(critic, "features.0.weight")), b = Values(Weight(critic, "features.0.bias"));
        double[] v = Values(Weight(critic, "score.weight"));
        double c = Values(Weight(critic, "score.bias"))[0];
        double[] xs = Values(x);
        for (int n = 0; n < 5; n++)
        {
            double expected = c;
            for (int unit = 0; unit < 4; unit++)
            {
                double best = double.NegativeInfinity;
                for (int piece = 0; piece < 3; piece++)
                {
                    int row = (unit * 3) + piece;
                    double z = b[row] + Enumerable.Range(0, 3).Sum(i => w[(row * 3) + i] * xs[(n * 3) + i]);
                    best = Math.Max(best, z);
                }

                expected += v[unit] * best;
            }

            scores[n].Should().BeApproximately(expected, 1e-5);
        }
    }

    [Fact]
    public void Normal_initialisation_draws_weights_with_the_given_sigma_and_zero_biases_from_the_generator()
    {
        using var scope = NewDisposeScope();
        var options = new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 400, HiddenLayers = 2, WeightInitStandardDeviation = 0.02 };
        using var generator = new MlpGenerator(options, new Generator(5));
        double[] w = Values(Weight(generator, "body.2.weight")); // 160,000 draws
        double mean = w.Average();
        double sd = Math.Sqrt(w.Sum(x => (x - mean) * (x - mean)) / (w.Length - 1));
        mean.Should().BeApproximately(0, 4 * 0.02 / Math.Sqrt(w.Length));
        sd.Should().BeApproximately(0.02, 0.02 * 0.01); // the sd's own sd is σ/√(2n) ≈ 0.18 %
        Values(Weight(generator, "body.0.bias")).Concat(Values(Weight(generator, "body.4.bias"))).Should().OnlyContain(x => x == 0);

        using var same = new MlpGenerator(options, new Generator(5));
        Values(Weight(same, "body.2.weight")).Should().Equal(w);
        using var other = new MlpGenerator(options, new Generator(6));
        Values(Weight(other, "body.2.weight")).Should().NotEqual(w);

        using var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 200, HiddenLayers = 3, MaxoutPieces = 5, WeightInitStandardDeviation = 0.5 }, new Generator(7));
        double[] cw = Values(Weight(critic, "features.2.weight")); // 1000 × 200
        Math.Sqrt(cw.Select(x => x * x).Average()).Should().BeApproximately(0.5, 0.5 * 0.01);
        Values(Weight(critic, "score.bias")).Should().Equal(0.0);

        FluentActions.Invoking(() => new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), WeightInitStandardDeviation = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*WeightInitStandardDeviation must be positive and finite, or null; got 0*");
        FluentActions.Invoking(() => new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), MaxoutPieces = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxoutPieces must lie in [1, 64]; got 0*");
    }

    [Fact]
    public void PacGan_networks_round_trip_through_the_registries_and_a_saved_model()
    {
        using var scope = NewDisposeScope();
        var generatorOptions = new MlpGeneratorOptions
        {
            SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 16, HiddenLayers = 4, BatchNormalization = true, BatchNormEpsilon = 1e-4,
            WeightInitStandardDeviation = 0.02,
        };
        using var generator = new MlpGenerator(generatorOptions, new Generator(1));
        var description = GeneratorRegistry.Default.Describe(generator);
        description["batchNormalization"]!.GetValue<bool>().Should().BeTrue();
        description["weightInitStandardDeviation"]!.GetValue<double>().Should().Be(0.02);
        description["batchNormEpsilon"]!.GetValue<double>().Should().Be(1e-4);
        NetworkContract.VerifyGeneratorType(GeneratorRegistry.Default.Get("mlp"), (JsonObject)GeneratorRegistry.Default.Get("mlp").Describe(generator));
        using (var plain = new MlpGenerator(generatorOptions with { BatchNormalization = false, BatchNormEpsilon = 1e-5, WeightInitStandardDeviation = null }))
        {
            GeneratorRegistry.Default.Describe(plain).ContainsKey("batchNormalization").Should().BeFalse("a description without the options stays as before");
            GeneratorRegistry.Default.Describe(plain).ContainsKey("batchNormEpsilon").Should().BeFalse();
        }

        using (var defaultEpsilon = new MlpGenerator(generatorOptions with { BatchNormEpsilon = 1e-5 }))
        {
            var written = GeneratorRegistry.Default.Describe(defaultEpsilon);
            written.ContainsKey("batchNormEpsilon").Should().BeFalse("PyTorch's ε is not written, so older descriptions stay as they were");
            using var read = (MlpGenerator)GeneratorRegistry.Default.Create(written, new Generator(1));
            read.Options.BatchNormEpsilon.Should().Be(1e-5);
        }

        var negative = (JsonObject)description.DeepClone();
        negative["batchNormEpsilon"] = 0.0;
        FluentActions.Invoking(() => GeneratorRegistry.Default.Create(negative, new Generator(1)))
            .Should().Throw<Exception>().WithMessage("*batchNormEpsilon*positive*");

        var criticOptions = new MlpCriticOptions { SampleShape = new TensorShape(8), HiddenWidth = 16, HiddenLayers = 3, MaxoutPieces = 5, WeightInitStandardDeviation = 0.02 };
        using var critic = new MlpCritic(criticOptions, new Generator(2));
        var criticDescription = CriticRegistry.Default.Describe(critic);
        criticDescription["maxoutPieces"]!.GetValue<int>().Should().Be(5);
        using var rebuilt = (MlpCritic)CriticRegistry.Default.Create(criticDescription, new Generator(2));
        rebuilt.Options.Should().Be(criticOptions);
        Values(rebuilt.Score(ones(3, 8))).Should().Equal(Values(critic.Score(ones(3, 8))));
        NetworkContract.VerifyDiscriminatorType(CriticRegistry.Default.Get("mlp"), CriticRegistry.Default.Get("mlp").Describe(critic));

        // Train a little in training mode so the running statistics move, then save and load: samples (eval mode) agree.
        generator.train();
        generator.Generate(randn(32, 2, generator: new Generator(3))).Dispose();
        string dir = Path.Combine(Path.GetTempPath(), "pacgan-model-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var model = new GanModel(generator, ownsGenerator: false);
            model.Save(dir);
            using var loaded = GanModel.Load(dir);
            ((MlpGenerator)loaded.Generator).Options.Should().Be(generatorOptions);
            loaded.Sample(64, new Generator(4)).Same(model.Sample(64, new Generator(4))).Should().BeTrue();
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}

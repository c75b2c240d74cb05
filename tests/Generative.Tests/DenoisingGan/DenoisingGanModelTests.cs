using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.DenoisingGan;
using Generative.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.DenoisingGan;

/// <summary>The denoising-GAN family's model and trainer: the sampler's chain and NFE, determinism, save and load,
/// option checks, and a small training run on a two-mode mixture.</summary>
[Collection("Sequential")]
public sealed class DenoisingGanModelTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "generative-ddgan-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static MlpDenoisingGenerator Generator(int steps = 4, int seed = 0)
    {
        using var g = new torch.Generator((ulong)seed);
        return new MlpDenoisingGenerator(new MlpDenoisingGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 3, HiddenWidth = 16, HiddenLayers = 2, Steps = steps }, g);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Sampling_evaluates_the_generator_T_times_and_returns_its_last_prediction(int steps)
    {
        var counting = new CountingGenerator(steps);
        using var model = new DenoisingGanModel(counting, new DenoisingGanProcessOptions { Steps = steps }, ownsGenerator: false);
        using var samples = model.Sample(10, new torch.Generator(1), new SamplingOptions { BatchSize = 10 });
        counting.Calls.Should().Equal(Enumerable.Range(1, steps).Reverse().Select(i => (long)i)); // t = T, …, 1, one call each
        model.NetworkEvaluationsPerSample.Should().Be(steps);
        // The last step returns G's x₀ (here 0.25 + the step, t = 1), not a posterior draw.
        samples.allclose(full([10, 2], 1.25f)).Should().BeTrue();
    }

    [Fact]
    public void The_chain_draws_x_T_then_z_and_the_posterior_noise_per_step_from_the_callers_generator()
    {
        using var scope = NewDisposeScope();
        using var model = new DenoisingGanModel(Generator(2), new DenoisingGanProcessOptions { Steps = 2 });
        Tensor samples;
        using (var g = new torch.Generator(7))
        {
            samples = model.Sample(5, g, new SamplingOptions { BatchSize = 5 });
        }

        using var h = new torch.Generator(7);
        using var inference = inference_mode();
        var x = randn([5, 2], generator: h);
        var z2 = randn([5, 3], generator: h);
        var two = full([5], 2L, ScalarType.Int64);
        var x0 = model.Generator.PredictOriginal(x, z2, two);
        var (a, b) = model.Process.PosteriorMeanCoefficients(2);
        x = ((float)a * x0) + ((float)b * x) + ((float)Math.Sqrt(model.Process.PosteriorVariance(2)) * randn([5, 2], generator: h));
        var z1 = randn([5, 3], generator: h);
        var expected = model.Generator.PredictOriginal(x, z1, full([5], 1L, ScalarType.Int64));
        (samples - expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void The_same_seed_gives_the_same_samples_and_another_seed_others()
    {
        using var model = new DenoisingGanModel(Generator());
        using var a = model.Sample(50, new torch.Generator(3));
        using var b = model.Sample(50, new torch.Generator(3));
        using var c = model.Sample(50, new torch.Generator(4));
        a.equal(b).all().item<bool>().Should().BeTrue();
        a.equal(c).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void A_saved_model_loads_directly_and_by_its_family_and_samples_the_same()
    {
        using var g = new torch.Generator(0);
        using var raw = randn([64, 2], generator: g);
        var standardization = DataStandardization.Fit(raw, ["x", "y"]);
        using var model = new DenoisingGanModel(Generator(4, seed: 3), new DenoisingGanProcessOptions { Steps = 4, BetaMax = 15 },
            new DenoisingGanModelOptions { BatchSize = 33 }, standardization);
        string directory = Path.Combine(_root, "model");
        model.Save(directory);

        using var loaded = DenoisingGanModel.Load(directory);
        using var byFamily = ModelFamilyRegistry.Default.Load(directory);
        byFamily.Family.Key.Should().Be("ddgan");
        byFamily.FeatureNames.Should().Equal("x", "y");
        loaded.Process.Options.Should().Be(new DenoisingGanProcessOptions { Steps = 4, BetaMax = 15 });
        loaded.Options.BatchSize.Should().Be(33);
        using var expected = model.Sample(100, new torch.Generator(9));
        using var direct = loaded.Sample(100, new torch.Generator(9));
        using var viaRegistry = byFamily.Sample(100, new torch.Generator(9));
        direct.equal(expected).all().item<bool>().Should().BeTrue();
        viaRegistry.equal(expected).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void A_checkpoint_whose_generator_does_not_fit_its_process_or_registry_is_refused_naming_the_key()
    {
        using var model = new DenoisingGanModel(Generator(4));
        string directory = Path.Combine(_root, "bad");
        model.Save(directory);
        string configFile = Path.Combine(directory, ModelCheckpoint.ConfigFileName);
        string original = File.ReadAllText(configFile);

        var config = JsonNode.Parse(original)!;
        config["options"]!["process"]!["steps"] = 2;
        File.WriteAllText(configFile, config.ToJsonString());
        var mismatch = () => DenoisingGanModel.Load(directory);
        mismatch.Should().Throw<CheckpointFormatException>().WithMessage("*conditioned on 4 steps, but the process has 2*");

        config = JsonNode.Parse(original)!;
        config["options"]!["generator"]!["type"] = "unknown";
        File.WriteAllText(configFile, config.ToJsonString());
        var unknown = () => DenoisingGanModel.Load(directory);
        unknown.Should().Throw<CheckpointFormatException>().WithMessage("*options.generator.type*must name a registered network type (\"mlp\"*DenoisingGeneratorRegistry.Default.Add)*");

        config = JsonNode.Parse(original)!;
        config["options"]!["generator"]!["hiddenWidth"] = 17;
        File.WriteAllText(configFile, config.ToJsonString());
        var shape = () => DenoisingGanModel.Load(directory);
        shape.Should().Throw<CheckpointFormatException>().WithMessage("*generator.body.0.weight*");
    }

    [Fact]
    public void Sampling_options_the_model_cannot_honour_are_refused()
    {
        using var model = new DenoisingGanModel(Generator());
        var steps = () => model.Sample(4, new torch.Generator(0), new SamplingOptions { Steps = 2 });
        steps.Should().Throw<ArgumentException>().WithMessage("*trained for T = 4 steps; SamplingOptions.Steps must be null or 4, but is 2*");
        var sampler = () => model.Sample(4, new torch.Generator(0), new SamplingOptions { Sampler = "ddim" });
        sampler.Should().Throw<ArgumentException>().WithMessage("*SamplingOptions.Sampler must be null or 'ddgan', but is 'ddim'*");
        using var named = model.Sample(4, new torch.Generator(0), new SamplingOptions { Sampler = "DDGAN", Steps = 4 });
        named.shape.Should().Equal(4, 2);
        model.SamplerNames.Should().Equal("ddgan");
    }

    [Fact]
    public void Trainer_options_are_validated_with_every_problem_named()
    {
        var options = new DenoisingGanTrainerOptions
        {
            Steps = 0,
            EmaDecay = 1,
            Training = new DenoisingGanTrainingOptions { R1Gamma = -1, Beta2 = 1, GeneratorLearningRate = 0 },
            Process = new DenoisingGanProcessOptions { Steps = 0 },
            Sampling = new DenoisingGanModelOptions { BatchSize = 0 },
        };
        options.Validate().Should().BeEquivalentTo(
            "DenoisingGanTrainerOptions.Steps must be at least 1 (was 0).",
            "DenoisingGanTrainerOptions.EmaDecay must be in [0, 1), or null for no EMA (was 1).",
            "DenoisingGanTrainingOptions.GeneratorLearningRate must be finite and greater than 0 (was 0).",
            "DenoisingGanTrainingOptions.Beta2 must be in [0, 1) (was 1).",
            "DenoisingGanTrainingOptions.R1Gamma must be finite and at least 0 (was -1).",
            "DenoisingGanProcessOptions.Steps must be in [1, 1000] (was 0).",
            "DenoisingGanModelOptions.BatchSize must be at least 1 (was 0).");

        using var generator = Generator(4);
        using var critic = new MlpPairCritic(new MlpPairCriticOptions { SampleShape = new TensorShape(2), Steps = 2, HiddenWidth = 8 });
        using var data = new TensorDataSource(zeros(16, 2));
        var train = () => DenoisingGanTrainer.Train(generator, critic, data, options);
        train.Should().Throw<ArgumentException>().WithMessage("DenoisingGanTrainerOptions.Steps must be at least 1 (was 0).*BatchSize must be at least 1 (was 0)*");
        var mismatch = () => DenoisingGanTrainer.Train(generator, critic, data, new DenoisingGanTrainerOptions { Steps = 1 });
        mismatch.Should().Throw<ArgumentException>().WithMessage("*class count must be T = 4, but is 2*");
        using var wide = new MlpPairCritic(new MlpPairCriticOptions { SampleShape = new TensorShape(3), Steps = 4, HiddenWidth = 8 });
        var shape = () => DenoisingGanTrainer.Train(generator, wide, data, new DenoisingGanTrainerOptions { Steps = 1 });
        shape.Should().Throw<ArgumentException>().WithMessage("*samples must be shaped [4], but are [6]*");
        var generatorSteps = () => DenoisingGanTrainer.Train(generator, wide, data, new DenoisingGanTrainerOptions { Steps = 1, Process = new() { Steps = 2 } });
        generatorSteps.Should().Throw<ArgumentException>().WithMessage("The generator is conditioned on 4 steps, but the process has 2.*");
    }

    [Fact]
    public void A_small_run_learns_both_modes_of_a_two_mode_mixture()
    {
        // Data: ½ N((−2, 0), 0.2²) + ½ N((2, 0), 0.2²). Tolerance: at least 85 % of the samples within 0.6 (3σ) of a mode,
        // each mode holding 30–70 % of them.
        using var scope = NewDisposeScope();
        using var g = new torch.Generator(1);
        var sign = (randint(0, 2, [4096], generator: g) * 2 - 1).to_type(ScalarType.Float32);
        var points = stack([sign * 2f, zeros(4096)], 1) + (randn([4096, 2], generator: g) * 0.2f);
        using var data = new TensorDataSource(points);
        using var init = new torch.Generator(2);
        var generator = new MlpDenoisingGenerator(new MlpDenoisingGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 64, HiddenLayers = 2, Steps = 2 }, init);
        using var critic = new MlpPairCritic(new MlpPairCriticOptions { SampleShape = new TensorShape(2), Steps = 2, HiddenWidth = 64, HiddenLayers = 2 }, init);
        var options = new DenoisingGanTrainerOptions
        {
            Steps = 3000,
            BatchSize = 128,
            Process = new DenoisingGanProcessOptions { Steps = 2 },
            Training = new DenoisingGanTrainingOptions { GeneratorLearningRate = 1e-3, CriticLearningRate = 1e-3, R1Gamma = 0.1 },
        };
        var (model, summary) = DenoisingGanTrainer.Train(generator, critic, data, options);
        using (model)
        {
            summary.CompletedSteps.Should().Be(3000);
            using var samples = model.Sample(2000, new torch.Generator(5));
            var left = (samples - tensor(new float[] { -2, 0 })).norm(1) < 0.6f;
            var right = (samples - tensor(new float[] { 2, 0 })).norm(1) < 0.6f;
            double near = (left | right).to_type(ScalarType.Float32).mean().item<float>();
            double leftShare = left.to_type(ScalarType.Float32).sum().item<float>() / Math.Max(1, (left | right).to_type(ScalarType.Float32).sum().item<float>());
            near.Should().BeGreaterThan(0.85, $"most samples lie on a mode (left share {leftShare:F3})");
            leftShare.Should().BeInRange(0.3, 0.7, $"both modes are covered ({near:F3} near a mode)");
        }
    }

    /// <summary>A generator that records the steps it is called with and predicts 0.25 + t everywhere.</summary>
    private sealed class CountingGenerator(int steps) : IDenoisingGenerator
    {
        private readonly nn.Module _module = nn.Linear(1, 1);

        public List<long> Calls { get; } = [];

        public TensorShape SampleShape { get; } = new(2);

        public TensorShape LatentShape { get; } = new(1);

        public int Steps => steps;

        public nn.Module Module => _module;

        public Tensor PredictOriginal(Tensor noisy, Tensor latent, Tensor steps)
        {
            long t = steps[0].item<long>();
            Calls.Add(t);
            return full(noisy.shape, 0.25f + t, noisy.dtype, noisy.device);
        }
    }
}

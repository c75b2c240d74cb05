using Generative.Checkpoints;
using Generative.Data;
using Generative.Diffusion;
using Generative.Flow;
using Generative.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Flow;

/// <summary>The flow family's model: save and load, the registry, determinism, the training step's loss, and errors.</summary>
[Collection("Sequential")]
public sealed class FlowModelTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "generative-flow-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static MlpDenoiser Network(int seed = 0)
    {
        using var g = new Generator((ulong)seed);
        return new MlpDenoiser(2, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16 }, g);
    }

    private static FlowModel Trained(int steps = 60)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        using var source = new TensorDataSource((randn([512, 2], generator: g) * 0.3f) + 1f);
        return FlowTrainer.Train(Network(), source, new FlowTrainerOptions { Steps = steps, BatchSize = 128, Seed = 2 }).Model;
    }

    [Fact]
    public void The_loss_is_the_mean_squared_error_to_the_straight_path_velocity_with_the_documented_draws()
    {
        using var scope = NewDisposeScope();
        using var net = Network(1);
        using var step = new FlowTrainingStep(net);
        var x1 = tensor(new float[] { 1, 2, -1, 0.5f, 3, -2 }).reshape(3, 2);
        Tensor loss;
        using (var g = new Generator(9))
        {
            loss = step.Loss(x1, null, g);
        }

        // The same draws by hand: t ~ U(0, 1) per sample, then x₀ ~ N(0, I).
        using var h = new Generator(9);
        var t = rand([3], generator: h);
        var x0 = randn([3, 2], generator: h);
        var xt = ((1 - t.reshape(3, 1)) * x0) + (t.reshape(3, 1) * x1);
        var expected = (net.Predict(xt, t * 1000f) - (x1 - x0)).square().mean();
        loss.item<float>().Should().BeApproximately(expected.item<float>(), 1e-6f);
    }

    [Fact]
    public void Logit_normal_times_are_the_sigmoid_of_a_normal_draw()
    {
        using var scope = NewDisposeScope();
        using var net = Network(1);
        var options = new FlowTrainingOptions { TimeDistribution = FlowTimeDistribution.LogitNormal, LogitNormalMean = 0.5, LogitNormalStd = 2 };
        using var step = new FlowTrainingStep(net, options);
        var x1 = tensor(new float[] { 1, 2, -1, 0.5f }).reshape(2, 2);
        Tensor loss;
        using (var g = new Generator(3))
        {
            loss = step.Loss(x1, null, g);
        }

        using var h = new Generator(3);
        var t = ((randn([2], generator: h) * 2f) + 0.5f).sigmoid();
        var x0 = randn([2, 2], generator: h);
        var xt = ((1 - t.reshape(2, 1)) * x0) + (t.reshape(2, 1) * x1);
        var expected = (net.Predict(xt, t * 1000f) - (x1 - x0)).square().mean();
        loss.item<float>().Should().BeApproximately(expected.item<float>(), 1e-6f);
    }

    [Fact]
    public void Training_lowers_the_loss_and_the_same_seed_gives_the_same_samples()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        using var source = new TensorDataSource((randn([512, 2], generator: g) * 0.3f) + 1f);
        var result = FlowTrainer.Train(Network(), source, new FlowTrainerOptions { Steps = 200, BatchSize = 128, Seed = 2 });
        using var model = result.Model;
        var losses = result.Summary.LossHistory["loss"];
        losses.Take(10).Average(p => p.Value).Should().BeGreaterThan(1.5 * losses.TakeLast(10).Average(p => p.Value));
        model.Family.Key.Should().Be("flow");

        var a = model.Sample(64, new Generator(5), new SamplingOptions { Steps = 8 });
        var b = model.Sample(64, new Generator(5), new SamplingOptions { Steps = 8, BatchSize = 64 });
        var c = model.Sample(64, new Generator(6), new SamplingOptions { Steps = 8 });
        a.allclose(b, 0, 0).Should().BeTrue();
        a.allclose(c, 0, 0).Should().BeFalse();
    }

    [Fact]
    public void Save_and_load_give_the_same_samples_for_the_same_seed_also_through_the_family_registry()
    {
        using var scope = NewDisposeScope();
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        using var model = Trained();
        model.Save(dir, DenoiserRegistry.Default);
        ModelCheckpoint.ReadConfig(dir).Family.Should().Be("flow");

        using var loaded = FlowModel.Load(dir, DenoiserRegistry.Default);
        using var byFamily = ModelFamilyRegistry.Default.Load(dir);
        byFamily.Should().BeOfType<FlowModel>();
        var options = new SamplingOptions { Sampler = "heun", Steps = 6 };
        var expected = model.Sample(100, new Generator(8), options);
        loaded.Sample(100, new Generator(8), options).allclose(expected, 0, 0).Should().BeTrue();
        byFamily.Sample(100, new Generator(8), options).allclose(expected, 0, 0).Should().BeTrue();
        loaded.Options.Should().Be(model.Options);
    }

    [Fact]
    public void Loading_another_family_or_altered_weights_fails_with_the_file_named()
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        using (var model = Trained(5))
        {
            model.Save(dir, DenoiserRegistry.Default);
        }

        string weights = Path.Combine(dir, ModelCheckpoint.ModelFileName);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var load = () => FlowModel.Load(dir, DenoiserRegistry.Default);
        load.Should().Throw<CheckpointFormatException>().WithMessage("*model.safetensors*");
    }

    [Fact]
    public void A_description_that_does_not_fit_the_weights_is_refused_before_any_network_is_built()
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        using (var model = Trained(5))
        {
            model.Save(dir, DenoiserRegistry.Default);
        }

        // config.json is not hashed (the weights are); a wider network than the weights hold must be caught by the header check.
        string configFile = Path.Combine(dir, ModelCheckpoint.ConfigFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configFile))!;
        json["options"]!["network"]!["options"]!["width"] = 4096;
        File.WriteAllText(configFile, json.ToJsonString());
        var load = () => FlowModel.Load(dir, DenoiserRegistry.Default);
        load.Should().Throw<CheckpointFormatException>().WithMessage("*options.network*velocity.*(the config and the weights do not match)*");
        var byFamily = () => ModelFamilyRegistry.Default.Load(dir);
        byFamily.Should().Throw<CheckpointFormatException>().WithMessage("*options.network*");
    }

    [Fact]
    public void Train_with_reflow_is_train_then_reflow_from_the_first_weights_with_one_summary_of_both_passes()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        using var source = new TensorDataSource((randn([512, 2], generator: g) * 0.3f) + 1f);
        var first = new FlowTrainerOptions { Steps = 60, BatchSize = 128, Seed = 2 };
        var reflow = new FlowReflowOptions { PairCount = 256, PairSteps = 4, PairSeed = 3, Training = new FlowTrainerOptions { Steps = 40, BatchSize = 64, Seed = 5 } };

        var (combined, summary) = FlowTrainer.TrainWithReflow(Network(), Network(seed: 9), source, first, reflow);
        using var _ = combined;

        // By hand: the first flow, a student holding its weights, reflow.
        var (teacher, firstSummary) = FlowTrainer.Train(Network(), source, first);
        using var __ = teacher;
        var student = Network(seed: 9);
        student.load_state_dict(teacher.Network.Module.state_dict());
        var (byHand, reflowSummary) = FlowTrainer.Reflow(teacher, student, reflow);
        using var ___ = byHand;

        var options = new SamplingOptions { Steps = 2 };
        combined.Sample(64, new Generator(8), options).allclose(byHand.Sample(64, new Generator(8), options), 0, 0).Should().BeTrue();
        summary.StepsRun.Should().Be(100);
        summary.CompletedSteps.Should().Be(100);
        var losses = summary.LossHistory["loss"];
        losses.Select(p => p.Step).Should().Equal(firstSummary.LossHistory["loss"].Select(p => p.Step).Concat(reflowSummary.LossHistory["loss"].Select(p => p.Step + 60)));
        losses.Select(p => p.Value).Should().Equal(firstSummary.LossHistory["loss"].Concat(reflowSummary.LossHistory["loss"]).Select(p => p.Value));
        summary.WallTime.Should().BeGreaterThanOrEqualTo(firstSummary.WallTime);

        var same = Network();
        var itself = () => FlowTrainer.TrainWithReflow(same, same, source, first, reflow);
        itself.Should().Throw<ArgumentException>().WithMessage("*second network*");
        var other = () => FlowTrainer.TrainWithReflow(Network(), new MlpDenoiser(3, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16 }, new Generator(1)), source, first, reflow);
        other.Should().Throw<ArgumentException>().WithMessage("*student's samples have shape [3]*[2]*");
    }

    [Fact]
    public void A_coupled_step_refuses_samples_that_are_not_pairs()
    {
        using var scope = NewDisposeScope();
        using var net = Network();
        using var step = new FlowTrainingStep(net, coupled: true);
        var notPairs = () => step.Loss(zeros(4, 2), null, new Generator(1));
        notPairs.Should().Throw<ArgumentException>().WithMessage("*pairs shaped [N, 4, ..]*[4, 2]*");
        using var g = new Generator(1);
        step.Loss(zeros(4, 4), null, g).item<float>().Should().Be(0f, "x₀ = x₁ = 0: the target velocity is 0 and so is the untrained network's zero-initialised output");
    }

    [Fact]
    public void Bad_options_give_clear_errors()
    {
        using var model = Trained(5);
        var unknown = () => model.Sample(4, new Generator(1), new SamplingOptions { Sampler = "rk45" });
        unknown.Should().Throw<ArgumentException>().WithMessage("*'rk45'*euler*heun*midpoint*");
        var guided = () => model.Sample(4, new Generator(1), new SamplingOptions { GuidanceScale = 3 });
        guided.Should().Throw<ArgumentException>().WithMessage("*GuidanceScale*3*");
        var zeroSteps = () => model.Sample(4, new Generator(1), new SamplingOptions { Steps = 0 });
        zeroSteps.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Steps must be at least 1*");

        new FlowTrainerOptions { Steps = 0, EmaDecay = 1, Training = new FlowTrainingOptions { LogitNormalStd = 0, TimeScale = -1 } }.Validate()
            .Should().BeEquivalentTo(
            [
                "FlowTrainerOptions.Steps must be at least 1 (was 0).",
                "FlowTrainerOptions.EmaDecay must be in [0, 1), or null for no EMA (was 1).",
                "FlowTrainingOptions.LogitNormalStd must be finite and greater than 0 (was 0).",
                "FlowTrainingOptions.TimeScale must be finite and greater than 0 (was -1).",
            ]);
        new FlowTrainerOptions().Validate().Should().BeEmpty();
        using var source = new TensorDataSource(zeros(8, 3));
        using var net = Network();
        var wrongShape = () => FlowTrainer.Train(net, source, new FlowTrainerOptions { Steps = 1 });
        wrongShape.Should().Throw<ArgumentException>().WithMessage("*[3]*[2]*");
        var invalid = () => FlowTrainer.Train(net, source, new FlowTrainerOptions { Steps = 0 });
        invalid.Should().Throw<ArgumentException>().WithMessage("*Steps must be at least 1*");
    }

    [Fact]
    public void A_solver_registered_by_a_third_party_is_used_by_name()
    {
        var registry = new FlowSolverRegistry(FlowSolverRegistry.Default);
        registry.Add("test-euler-twice", new EulerSolver());
        registry.Keys.Should().Contain(["euler", "midpoint", "heun", "test-euler-twice"]);
        FlowSolverRegistry.Default.Contains("test-euler-twice").Should().BeFalse();
        var duplicate = () => registry.Add("EULER", new EulerSolver());
        duplicate.Should().Throw<ArgumentException>().WithMessage("*'EULER'*already registered*");
    }
}

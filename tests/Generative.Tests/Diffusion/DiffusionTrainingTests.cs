using Generative.Diffusion;
using Generative.TestSupport;
using Generative.Data;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>The training step: its loss against the formulas, class dropout, determinism, memory, and learning a 2-D Gaussian mixture.</summary>
[Collection("Sequential")]
public sealed class DiffusionTrainingTests
{
    internal static readonly float[,] Modes = { { 2, 2 }, { -2, 2 }, { -2, -2 }, { 2, -2 } };

    /// <summary>n points from an equal mixture of four Gaussians (σ = 0.1) at (±2, ±2).</summary>
    internal static Tensor Mixture(long n, Generator g)
    {
        using var scope = NewDisposeScope();
        var centres = tensor(Modes);
        var which = randint(0, 4, [n], generator: g);
        return (centres.index_select(0, which) + (randn([n, 2], generator: g) * 0.1f)).MoveToOuterDisposeScope();
    }

    internal static MlpDenoiser SmallMlp(int seed = 0, int classes = 0)
    {
        random.manual_seed(seed);
        return new MlpDenoiser(2, new MlpDenoiserOptions { Width = 64, Depth = 2, TimeEmbeddingDimension = 32, ClassCount = classes });
    }

    /// <summary>Trains on the mixture and returns the network and the losses of every step.</summary>
    internal static (MlpDenoiser Net, List<double> Losses) TrainOnMixture(int steps, INoiseSchedule schedule, int seed = 0)
    {
        var net = SmallMlp(seed);
        using var step = new DiffusionTrainingStep(net, schedule, new DiffusionTrainingOptions { LearningRate = 3e-3 });
        using var g = new Generator((ulong)seed + 100);
        var losses = new List<double>();
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var batch = Mixture(256, g);
            losses.Add(step.Step(new TrainingBatch(batch), new TrainingStepContext(i, 0, g, step.Optimizers))["loss"]);
        }

        return (net, losses);
    }

    /// <summary>The fraction of points within 0.5 of a mode.</summary>
    internal static double NearModes(Tensor points)
    {
        using var scope = NewDisposeScope();
        var d = cdist(points, tensor(Modes)).min(1).values;
        return (d < 0.5f).to_type(ScalarType.Float64).mean().item<double>();
    }

    [Fact]
    public void LearnsAGaussianMixture()
    {
        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 200, BetaEnd = 0.1 });
        var (net, losses) = TrainOnMixture(400, schedule);
        using var _ = net;
        losses.Take(20).Average().Should().BeGreaterThan(1.6 * losses.TakeLast(50).Average());
        using var model = new DiffusionModel(net, schedule, ownsNetworks: false);
        var ddim = model.Sample(512, new Generator(1), new SamplingOptions { Sampler = "ddim", Steps = 50 });
        var ddpm = model.Sample(512, new Generator(2), new SamplingOptions { Sampler = "ddpm" });
        NearModes(ddim).Should().BeGreaterThan(0.85);
        NearModes(ddpm).Should().BeGreaterThan(0.85);
        // Every mode gets a share (no mode collapse): at least 15 % of the samples each.
        var nearest = cdist(ddim, tensor(Modes)).argmin(1);
        for (int m = 0; m < 4; m++)
        {
            (nearest == m).to_type(ScalarType.Float64).mean().item<double>().Should().BeGreaterThan(0.15);
        }
    }

    [Theory]
    [InlineData(PredictionType.Epsilon, LossWeighting.Uniform)]
    [InlineData(PredictionType.Epsilon, LossWeighting.MinSnr)]
    [InlineData(PredictionType.Sample, LossWeighting.MinSnr)]
    [InlineData(PredictionType.VPrediction, LossWeighting.MinSnr)]
    [InlineData(PredictionType.VPrediction, LossWeighting.Uniform)]
    public void LossIsTheWeightedRegressionOntoTheObjective(PredictionType objective, LossWeighting weighting)
    {
        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule();
        using var net = SmallMlp(3);
        using (no_grad())
        {
            foreach (var p in net.parameters())
            {
                p.add_(randn(p.shape, generator: new Generator(4)) * 0.05f); // a non-zero output
            }
        }

        using var step = new DiffusionTrainingStep(net, schedule, new DiffusionTrainingOptions { Objective = objective, Weighting = weighting, MinSnrGamma = 5 });
        var x0 = randn(64, 2, generator: new Generator(5));
        var loss = step.Loss(x0, null, new Generator(6)).item<float>();

        // The same draws by hand: t, then ε, from the same seed.
        var g = new Generator(6);
        var t = randint(0, 1000, [64], generator: g);
        var eps = randn([64, 2], generator: g);
        var ac = schedule.AlphasCumprod.index_select(0, t).to_type(ScalarType.Float64);
        var xt = (ac.sqrt().unsqueeze(1) * x0) + ((1 - ac).sqrt().unsqueeze(1) * eps);
        var target = objective switch
        {
            PredictionType.Epsilon => eps.to_type(ScalarType.Float64),
            PredictionType.Sample => x0.to_type(ScalarType.Float64),
            _ => (ac.sqrt().unsqueeze(1) * eps) - ((1 - ac).sqrt().unsqueeze(1) * x0),
        };
        var pred = net.Predict(xt.to_type(ScalarType.Float32), t).to_type(ScalarType.Float64);
        var mse = (pred - target).square().mean([1]);
        var snr = ac / (1 - ac);
        var weight = weighting == LossWeighting.Uniform ? ones_like(snr) : objective switch
        {
            PredictionType.Epsilon => snr.clamp_max(5) / snr,
            PredictionType.Sample => snr.clamp_max(5),
            _ => snr.clamp_max(5) / (snr + 1),
        };
        double expected = (mse * weight).mean().item<double>();
        ((double)loss).Should().BeApproximately(expected, 1e-5 * Math.Max(1, expected));
    }

    [Fact]
    public void ClassLabelsAreDroppedToTheNullClassAtTheGivenRate()
    {
        using var scope = NewDisposeScope();
        using var inner = SmallMlp(0, classes: 3);
        var spy = new SpyDenoiser(inner);
        using var step = new DiffusionTrainingStep(spy, new NoiseSchedule(), new DiffusionTrainingOptions { ClassDropout = 0.3 });
        var labels = randint(0, 3, [4000], generator: new Generator(1));
        step.Loss(randn(4000, 2), labels, new Generator(2));
        var seen = spy.LastLabels!;
        var dropped = (seen == 3).to_type(ScalarType.Float64).mean().item<double>();
        dropped.Should().BeApproximately(0.3, 0.03);
        var kept = seen != 3;
        (seen.masked_select(kept) - labels.masked_select(kept)).abs().sum().item<long>().Should().Be(0);
    }

    [Fact]
    public void UpdatesGoOnlyThroughTheContextAndRunsAreReproducible()
    {
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 100 });
        List<double> Run(out int optimizeCalls)
        {
            using var net = SmallMlp(9);
            using var step = new DiffusionTrainingStep(net, schedule);
            step.Family.Should().Be("diffusion");
            step.Modules.Keys.Should().Equal("denoiser");
            using var g = new Generator(11);
            var losses = new List<double>();
            var context = new CountingContext(g, step.Optimizers);
            for (int i = 0; i < 5; i++)
            {
                using var scope = NewDisposeScope();
                losses.Add(step.Step(new TrainingBatch(Mixture(32, g)), context)["loss"]);
            }

            optimizeCalls = context.Calls;
            return losses;
        }

        var a = Run(out int callsA);
        var b = Run(out _);
        callsA.Should().Be(5);
        a.Should().Equal(b);
        a[^1].Should().NotBe(a[0]);
    }

    [Fact]
    public void TrainingAndSamplingDoNotLeakTensors()
    {
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50 });
        using var net = SmallMlp(1);
        using var step = new DiffusionTrainingStep(net, schedule);
        using var g = new Generator(3);
        using var data = Mixture(64, g);
        void Train(int n)
        {
            for (int i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                step.Step(new TrainingBatch(data), new TrainingStepContext(i, 0, g, step.Optimizers));
            }
        }

        using var model = new DiffusionModel(net, schedule, ownsNetworks: false);
        void SampleSome()
        {
            using var a = model.Sample(100, g, new SamplingOptions { Sampler = "ddpm", BatchSize = 40 });
            using var b = model.Sample(10, g, new SamplingOptions { Sampler = "ddim", Steps = 10, Eta = 0.5 });
        }

        Train(3);
        SampleSome();
        long baseline = LiveTensors.Count;
        Train(100);
        LiveTensors.Count.Should().Be(baseline);
        for (int i = 0; i < 5; i++)
        {
            SampleSome();
        }

        LiveTensors.Count.Should().Be(baseline);
    }

    [Fact]
    public void RejectsLearnedVarianceNetworksAndBadOptions()
    {
        using var net = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4, LearnVariance = true });
        FluentActions.Invoking(() => new DiffusionTrainingStep(net, new NoiseSchedule())).Should().Throw<ArgumentException>().WithMessage("*learned-variance*");
        using var plain = SmallMlp();
        FluentActions.Invoking(() => new DiffusionTrainingStep(plain, new NoiseSchedule(), new DiffusionTrainingOptions { ClassDropout = 1 }))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ClassDropout");
        FluentActions.Invoking(() => new DiffusionTrainingStep(plain, new NoiseSchedule(), new DiffusionTrainingOptions { MinSnrGamma = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MinSnrGamma");
    }

    private sealed class CountingContext(Generator g, IReadOnlyDictionary<string, optim.Optimizer> optimizers) : TrainingStepContext(0, 0, g, optimizers)
    {
        public int Calls { get; private set; }

        public override bool Optimize(string optimizerName, Tensor loss)
        {
            optimizerName.Should().Be("denoiser");
            Calls++;
            return base.Optimize(optimizerName, loss);
        }
    }

    private sealed class SpyDenoiser(IDenoiser inner) : IDenoiser
    {
        public Tensor? LastLabels { get; private set; }

        public TensorShape SampleShape => inner.SampleShape;

        public TensorShape OutputShape => inner.OutputShape;

        public int ClassCount => inner.ClassCount;

        public nn.Module Module => inner.Module;

        public Tensor Predict(Tensor noisySamples, Tensor timesteps, Tensor? classLabels = null)
        {
            LastLabels = classLabels?.clone().DetachFromDisposeScope();
            return inner.Predict(noisySamples, timesteps, classLabels);
        }
    }
}

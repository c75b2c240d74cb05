using Generative.Checkpoints;
using Generative.Data;
using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusionTrainingTests;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>DiffusionModel.Save/Load and DiffusionTrainer.Train on the library's trainer.</summary>
[Collection("Sequential")]
public sealed class DiffusionPersistenceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "generative-diffusion-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void SaveThenLoadGivesTheSameSamples()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var net = new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 8, GroupCount = 4, ClassCount = 2 });
        random.manual_seed(5);
        var ema = new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 8, GroupCount = 4, ClassCount = 2 });
        using (no_grad())
        {
            foreach (var p in ema.parameters())
            {
                p.add_(0.05f);
            }
        }

        var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50, BetaSchedule = BetaSchedule.SquaredCosCapV2 });
        var options = new DiffusionModelOptions { PredictionType = PredictionType.VPrediction, Sampler = "ddpm", Ddim = new DdimSamplerOptions { ClipSample = true } };
        using var model = new DiffusionModel(net, schedule, options, ema, new DataStandardization([0.5], [2.0]));
        string dir = Path.Combine(_root, "model");
        model.Save(dir);
        ModelCheckpoint.ReadConfig(dir).Family.Should().Be("diffusion");

        using var loaded = DiffusionModel.Load(dir);
        loaded.Options.Should().BeEquivalentTo(options);
        loaded.EmaDenoiser.Should().BeOfType<UNetDenoiser>();
        loaded.ClassCount.Should().Be(2);
        loaded.Standardization!.Std.Should().Equal(2.0);
        ((NoiseSchedule)loaded.Schedule).Options.Should().BeEquivalentTo(schedule.Options);
        var sampling = new SamplingOptions { Steps = 10, GuidanceScale = 2 };
        Tolerance.AssertClose(loaded.Sample(4, new Generator(1), sampling), model.Sample(4, new Generator(1), sampling), 0, what: "samples after reload");
    }

    [Fact]
    public void LoadingAndDisposingAModelReleasesEveryTensorIncludingTheSchedule()
    {
        string dir = Path.Combine(_root, "released");
        using (var scope = NewDisposeScope())
        {
            var net = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4 });
            using var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 20 });
            using var model = new DiffusionModel(net, schedule, ownsNetworks: true);
            model.Save(dir);
        }

        using (var warm = DiffusionModel.Load(dir))
        {
            warm.Sample(3, new Generator(1), new SamplingOptions { Steps = 5 }).Dispose();
        }

        long baseline = LiveTensors.Count;
        using (var network = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4 }))
        using (var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 20 }))
        {
            LiveTensors.Count.Should().BeGreaterThan(baseline);
        }

        LiveTensors.Count.Should().Be(baseline, "a disposed network and a disposed schedule hold no tensors");
        for (int i = 0; i < 3; i++)
        {
            // Sampling makes the schedule's per-device coefficients too; all of them go with the model.
            using var loaded = DiffusionModel.Load(dir);
            loaded.Sample(3, new Generator(1), new SamplingOptions { Steps = 5 }).Dispose();
            LiveTensors.Count.Should().BeGreaterThan(baseline, "a loaded model holds its weights and schedule");
        }

        LiveTensors.Count.Should().Be(baseline, "the loaded model's networks and the schedule it made are disposed with it");
    }

    [Fact]
    public void FeatureNamesGivenToTheModelSurviveSaveAndLoad()
    {
        using var net = new MlpDenoiser(3, new MlpDenoiserOptions { Width = 16, Depth = 1, TimeEmbeddingDimension = 8 }, new Generator(1));
        using var model = new DiffusionModel(net, new NoiseSchedule(new NoiseScheduleOptions()), featureNames: ["alcohol", "ash", "hue"], ownsNetworks: false);
        string dir = Path.Combine(_root, "named");
        model.Save(dir);
        using var loaded = DiffusionModel.Load(dir);
        loaded.FeatureNames.Should().Equal("alcohol", "ash", "hue");
    }

    [Fact]
    public void LoadRejectsOtherFamiliesAndCustomNetworksCannotBeSaved()
    {
        string dir = Path.Combine(_root, "gan");
        using (var lin = nn.Linear(2, 2))
        {
            ModelCheckpoint.Save(dir, new Dictionary<string, nn.Module> { ["generator"] = lin }, "gan");
        }

        FluentActions.Invoking(() => DiffusionModel.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*'gan'*");
    }

    [Fact]
    public void TrainsThroughTheTrainerWithEmaAndStandardisedData()
    {
        using var scope = NewDisposeScope();
        var raw = (Mixture(2048, new Generator(8)) * 3) + 10; // modes at 10 ± 6
        var standardization = DataStandardization.Fit(raw);
        using var data = new TensorDataSource(standardization.Standardize(raw), standardization: standardization);
        string checkpoints = Path.Combine(_root, "run");
        var result = DiffusionTrainer.Train(
            SmallMlp(2),
            data,
            new DiffusionTrainerOptions
            {
                Schedule = new NoiseScheduleOptions { TrainTimesteps = 200, BetaEnd = 0.1 },
                Training = new DiffusionTrainingOptions { LearningRate = 3e-3, Weighting = LossWeighting.MinSnr },
                Steps = 200,
                BatchSize = 128,
                Seed = 3,
                EmaDecay = 0.99,
            },
            b => b.WithCheckpointing(checkpoints, everySteps: 200, keep: 1));
        using var model = result.Model;
        result.Summary.CompletedSteps.Should().Be(200);
        result.Summary.LossHistory["loss"].Take(20).Average(p => p.Value).Should().BeGreaterThan(1.3 * result.Summary.MeanOfLast("loss", 30));
        model.EmaDenoiser.Should().NotBeNull();
        model.Standardization.Should().BeSameAs(standardization);

        var samples = model.Sample(512, new Generator(4), new SamplingOptions { Steps = 50 });
        // Back in data units, and mostly near the modes (the plain-loop test checks quality more tightly; here a short run with
        // an EMA that still lags). Unlearned noise in these units would put under 5 % there.
        NearModes((samples - 10) / 3).Should().BeGreaterThan(0.5);

        // A trainer checkpoint holds the network and schedule options, so it loads as a model too.
        using var fromCheckpoint = DiffusionModel.Load(checkpoints);
        fromCheckpoint.SampleShape.Should().Be(new TensorShape(2));
        fromCheckpoint.Standardization!.Mean.Should().Equal(standardization.Mean);
    }
}

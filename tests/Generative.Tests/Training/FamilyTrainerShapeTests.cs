using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Training;

/// <summary>Both families' trainers have one shape: options validated the same way, progress, cancellation, model + summary.</summary>
public sealed class FamilyTrainerShapeTests
{
    [Fact]
    public void Both_options_records_list_every_problem_with_its_option()
    {
        new DiffusionTrainerOptions().Validate().Should().BeEmpty();
        new GanTrainerOptions().Validate().Should().BeEmpty();

        new DiffusionTrainerOptions { Steps = 0, BatchSize = 0, EmaDecay = 1 }.Validate().Should().Equal(
            "DiffusionTrainerOptions.Steps must be at least 1 (was 0).",
            "DiffusionTrainerOptions.BatchSize must be at least 1, or null for the default (was 0).",
            "DiffusionTrainerOptions.EmaDecay must be in [0, 1), or null for no EMA (was 1).");
        var gan = new GanTrainerOptions { Steps = -1, BatchSize = 0, Training = GanTrainingOptions.WganGp() with { Beta1 = 2 } }.Validate();
        gan.Should().HaveCount(3);
        gan[0].Should().Be("GanTrainerOptions.Steps must be at least 1 (was -1).");
        gan[1].Should().Be("GanTrainerOptions.BatchSize must be at least 1, or null for the default (was 0).");
        gan[2].Should().StartWith("GanTrainerOptions.Training: Beta1 must lie in [0, 1); got 2.");
    }

    [Fact]
    public void Both_trainers_refuse_bad_options_naming_them_all_before_anything_trains()
    {
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([64, 2], generator: new Generator(1)));
        using var denoiser = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1 }, new Generator(2));
        var (generator, critic) = Networks();
        using var g = generator;
        using var c = critic;

        var diffusion = () => DiffusionTrainer.Train(denoiser, data, new DiffusionTrainerOptions { Steps = 0, EmaDecay = -0.5 });
        diffusion.Should().Throw<ArgumentException>().WithMessage("*Steps must be at least 1*EmaDecay must be in [0, 1)*").Which.ParamName.Should().Be("options");
        var ganRun = () => GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 0, BatchSize = 0 });
        ganRun.Should().Throw<ArgumentException>().WithMessage("*Steps must be at least 1*BatchSize must be at least 1*").Which.ParamName.Should().Be("options");
    }

    [Fact]
    public void Both_trainers_report_progress_and_stop_on_cancellation_with_a_model()
    {
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([64, 2], generator: new Generator(1)));
        var reports = new List<TrainingProgress>();
        var progress = new Collect(reports);

        var denoiser = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1 }, new Generator(2));
        var (diffusionModel, diffusionSummary) = DiffusionTrainer.Train(denoiser, data, new DiffusionTrainerOptions { Steps = 20, BatchSize = 32 }, progress: progress);
        using (diffusionModel)
        {
            diffusionSummary.CompletedSteps.Should().Be(20);
            reports.Should().NotBeEmpty().And.Contain(r => r.Step == 20);
        }

        reports.Clear();
        var (generator, critic) = Networks();
        using var g = generator;
        using var c = critic;
        var (ganModel, ganSummary) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 20, BatchSize = 32 }, progress: progress);
        using (ganModel)
        {
            ganSummary.CompletedSteps.Should().Be(20);
            reports.Should().NotBeEmpty().And.Contain(r => r.Step == 20);
        }

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var (stopped, stoppedSummary) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 20, BatchSize = 32 }, cancellationToken: cancelled.Token);
        using (stopped)
        {
            stoppedSummary.StopReason.Should().Be(TrainingStopReason.Cancelled);
            stoppedSummary.CompletedSteps.Should().BeLessThan(20);
        }

        var undertrained = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1 }, new Generator(3));
        var (stoppedDiffusion, stoppedDiffusionSummary) = DiffusionTrainer.Train(undertrained, data, new DiffusionTrainerOptions { Steps = 20, BatchSize = 32 }, cancellationToken: cancelled.Token);
        using (stoppedDiffusion)
        {
            stoppedDiffusionSummary.StopReason.Should().Be(TrainingStopReason.Cancelled);
        }
    }

    [Fact]
    public void Both_trainers_refuse_an_EMA_of_a_network_they_cannot_copy_before_training()
    {
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([64, 2], generator: new Generator(1)));
        using var inner = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1 }, new Generator(2));
        var wrapped = new WrappedDenoiser(inner);
        var diffusion = () => DiffusionTrainer.Train(wrapped, data, new DiffusionTrainerOptions { Steps = 2 });
        diffusion.Should().Throw<ArgumentException>().WithMessage("DiffusionTrainerOptions.EmaDecay is set, but a WrappedDenoiser's architecture cannot be copied*");

        var (generator, critic) = Networks();
        using var g = generator;
        using var c = critic;
        var gan = () => GanTrainer.Train(new WrappedGenerator(generator), critic, data,
            new GanTrainerOptions { Steps = 2, Training = GanTrainingOptions.WganGp() with { EmaDecay = 0.9 } });
        gan.Should().Throw<ArgumentException>().WithMessage("EmaDecay is set, but the generator's architecture cannot be copied*");

        var (model, summary) = DiffusionTrainer.Train(wrapped, data, new DiffusionTrainerOptions { Steps = 2, BatchSize = 32, EmaDecay = null });
        using var trained = model;
        summary.CompletedSteps.Should().Be(2, "without EMA any network trains");
        model.EmaDenoiser.Should().BeNull();
    }

    private sealed class WrappedDenoiser(IDenoiser inner) : IDenoiser
    {
        public TensorShape SampleShape => inner.SampleShape;
        public TensorShape OutputShape => inner.OutputShape;
        public int ClassCount => inner.ClassCount;
        public nn.Module Module => inner.Module;
        public Tensor Predict(Tensor noisySamples, Tensor timesteps, Tensor? classLabels = null) => inner.Predict(noisySamples, timesteps, classLabels);
    }

    private sealed class WrappedGenerator(IGenerator inner) : IGenerator
    {
        public TensorShape LatentShape => inner.LatentShape;
        public TensorShape SampleShape => inner.SampleShape;
        public int ClassCount => inner.ClassCount;
        public nn.Module Module => inner.Module;
        public Tensor Generate(Tensor latent, Tensor? classLabels = null) => inner.Generate(latent, classLabels);
    }

    private static (MlpGenerator Generator, MlpCritic Critic) Networks() =>
        (new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 8 }, new Generator(4)),
         new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 8 }, new Generator(5)));

    private sealed class Collect(List<TrainingProgress> into) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => into.Add(value);
    }
}

using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using Generative.TestSupport;
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
        var (generator, critic) = Networks();
        using var g = generator;
        using var c = critic;
        var wrappedGenerator = new WrappedGenerator(generator);

        // The EMA is on by default in both families, so a network the library cannot copy is refused with the default
        // options, by the same sentence, before a step runs (the networks' weights are untouched).
        var before = inner.Module.parameters().Select(p => p.detach().clone()).ToArray();
        var diffusion = () => DiffusionTrainer.Train(wrapped, data, new DiffusionTrainerOptions { Steps = 2 });
        diffusion.Should().Throw<ArgumentException>()
            .WithMessage("DiffusionTrainerOptions.EmaDecay is set, but a WrappedDenoiser's architecture cannot be copied for the EMA network; set EmaDecay = null to train without EMA.*")
            .Which.ParamName.Should().Be("denoiser");
        var gan = () => GanTrainer.Train(wrappedGenerator, critic, data, new GanTrainerOptions { Steps = 2 });
        gan.Should().Throw<ArgumentException>()
            .WithMessage("GanTrainerOptions.EmaDecay is set, but a WrappedGenerator's architecture cannot be copied for the EMA network; set EmaDecay = null to train without EMA.*")
            .Which.ParamName.Should().Be("generator");
        inner.Module.parameters().Zip(before).Should().OnlyContain(pair => pair.First.eq(pair.Second).all().item<bool>(), "nothing trained");

        // Without EMA both train, and the model samples from the trained network itself.
        var (model, summary) = DiffusionTrainer.Train(wrapped, data, new DiffusionTrainerOptions { Steps = 2, BatchSize = 32, EmaDecay = null });
        using var trained = model;
        summary.CompletedSteps.Should().Be(2, "without EMA any network trains");
        model.EmaDenoiser.Should().BeNull();
        var (ganModel, ganSummary) = GanTrainer.Train(wrappedGenerator, critic, data, new GanTrainerOptions { Steps = 2, BatchSize = 32, EmaDecay = null });
        using var trainedGan = ganModel;
        ganSummary.CompletedSteps.Should().Be(2);
        ganModel.Generator.Should().BeSameAs(wrappedGenerator);

        // Saving such a model fails the same way in both families, naming the type, before anything is written.
        string dir = Path.Combine(Path.GetTempPath(), "unsupported-" + Guid.NewGuid().ToString("N"));
        FluentActions.Invoking(() => model.Save(dir)).Should().Throw<NotSupportedException>().WithMessage("*WrappedDenoiser*");
        FluentActions.Invoking(() => ganModel.Save(dir)).Should().Throw<NotSupportedException>().WithMessage("*WrappedGenerator*");
        Directory.Exists(dir).Should().BeFalse();
    }

    [Fact]
    public void Both_trainers_have_the_same_EMA_options_and_defaults()
    {
        var diffusion = new DiffusionTrainerOptions();
        var gan = new GanTrainerOptions();
        diffusion.EmaDecay.Should().Be(0.999).And.Be(gan.EmaDecay);
        diffusion.EmaWarmup.Should().BeTrue();
        gan.EmaWarmup.Should().BeTrue();
        new GanTrainerOptions { EmaDecay = 1 }.Validate().Should().Equal("GanTrainerOptions.EmaDecay must be in [0, 1), or null for no EMA (was 1).");
        new GanTrainerOptions { Training = GanTrainingOptions.WganGp() with { EmaDecay = 0.9 } }.Validate().Should().ContainSingle()
            .Which.Should().StartWith("GanTrainerOptions.Training.EmaDecay must be null: the trainer's EMA is set by GanTrainerOptions.EmaDecay");
    }

    [Fact]
    public void Both_trainers_average_with_the_same_warmup()
    {
        // One EMA for both families: starting from θ₀, update n of the trained network (θ_n) moves the average to
        // d_n·average + (1 − d_n)·θ_n with d_n = min(0.5, (1 + n) / (10 + n)) (0.1, 0.18…, 0.25, 0.31 here). Both trainers'
        // models are checked against that recursion run by hand over the weights recorded after each update.
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([64, 2], generator: new Generator(1)));
        var (generator, critic) = Networks();
        using var g = generator;
        using var c = critic;
        var recorder = new WeightRecorder(generator.Module, everySteps: 5); // WGAN-GP: one generator update every 5 steps
        var expected = Flatten(generator.Module);
        var (ganModel, _) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 20, BatchSize = 32, EmaDecay = 0.5 },
            b => b.WithCallback(recorder));
        using (ganModel)
        {
            for (int n = 0; n < recorder.Weights.Count; n++)
            {
                double d = ExponentialMovingAverage.WarmupDecay(0.5, n);
                expected = expected * d + recorder.Weights[n] * (1 - d);
            }

            recorder.Weights.Should().HaveCount(4);
            Tolerance.AssertClose(Flatten(ganModel.Generator.Module), expected, 1e-6);
        }

        var denoiser = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1 }, new Generator(2));
        var diffusionRecorder = new WeightRecorder(denoiser.Module, everySteps: 1);
        expected = Flatten(denoiser.Module);
        var (diffusionModel, _) = DiffusionTrainer.Train(denoiser, data, new DiffusionTrainerOptions { Steps = 4, BatchSize = 32, EmaDecay = 0.5 },
            b => b.WithCallback(diffusionRecorder));
        using (diffusionModel)
        {
            for (int n = 0; n < diffusionRecorder.Weights.Count; n++)
            {
                double d = ExponentialMovingAverage.WarmupDecay(0.5, n);
                expected = expected * d + diffusionRecorder.Weights[n] * (1 - d);
            }

            diffusionRecorder.Weights.Should().HaveCount(4);
            Tolerance.AssertClose(Flatten(diffusionModel.EmaDenoiser!.Module), expected, 1e-6);
        }
    }

    private static Tensor Flatten(nn.Module module) =>
        cat(module.parameters().Select(p => p.detach().flatten()).ToArray()).clone().DetachFromDisposeScope();

    /// <summary>Records the weights a network has after every <c>everySteps</c>-th step (its updates).</summary>
    private sealed class WeightRecorder(nn.Module module, int everySteps) : TrainingCallback
    {
        public List<Tensor> Weights { get; } = [];

        public override void OnStepEnd(TrainingCallbackContext context)
        {
            if ((context.Step + 1) % everySteps == 0)
            {
                Weights.Add(Flatten(module));
            }
        }
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

using Generative.Data;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.Tests;

/// <summary>The extension examples of docs/extending.md plugged into the library's trainer.</summary>
public sealed class ExtendingExamplesTests
{
    [Fact]
    public void Least_squares_loss_has_its_closed_form_values()
    {
        using var scope = NewDisposeScope();
        var loss = new LeastSquaresLoss();
        var real = torch.tensor(new float[] { 1f, 0f });          // ½·mean((0)², (−1)²) = 0.25
        var fake = torch.tensor(new float[] { 0f, 2f });          // ½·mean(0², 2²) = 1.0 ; generator ½·mean(1, 1) = 0.5
        loss.CriticLoss(real, fake).item<float>().Should().BeApproximately(1.25f, 1e-6f);
        loss.GeneratorLoss(fake).item<float>().Should().BeApproximately(0.5f, 1e-6f);
    }

    [Fact]
    public void Custom_loss_callback_and_metric_run_in_the_trainer()
    {
        using var g = new Generator(0);
        using var points = torch.randn([512, 2], generator: g) * 0.2 + 1;
        using var data = new TensorDataSource(points);
        using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), HiddenWidth = 32, HiddenLayers = 2 }, new Generator(1));
        using var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 32, HiddenLayers = 2 }, new Generator(2));
        var options = GanTrainingOptions.NonSaturatingR1() with { Loss = new LeastSquaresLoss() };
        using var step = new GanTrainingStep(generator, critic, options);

        // An absurdly high threshold: the callback must stop the run as soon as its window is full.
        var stop = new StopBelowCallback("critic", threshold: 1e9, window: 10);
        var evaluation = new PeriodicEvaluationCallback(ctx =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = torch.no_grad();
            var fake = generator.Generate(torch.randn(generator.LatentShape.WithBatch(256), generator: new Generator(5)));
            return new Dictionary<string, double> { ["nearest_real"] = CustomMetrics.MeanNearestRealDistance(points, fake) };
        }, everySteps: 5);

        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(64).WithSteps(100).WithSeed(3)
            .WithCallback(stop).WithCallback(evaluation).Build();
        var summary = trainer.Run();

        stop.StoppedAt.Should().Be(9);                           // steps 0..9 fill the window of 10
        summary.StopReason.Should().Be(TrainingStopReason.StoppedByCallback);
        summary.CompletedSteps.Should().Be(10);
        evaluation.History.Select(h => h.Step).Should().Contain([5L, 10L]);
        evaluation.Latest!.Metrics["nearest_real"].Should().BeGreaterThan(0).And.BeLessThan(10);
    }

    [Fact]
    public void A_new_family_implements_only_DrawBatch()
    {
        using var scope = NewDisposeScope();
        var mean = torch.tensor(new float[] { 1f, -2f });
        var std = torch.tensor(new float[] { 0.5f, 2f });
        var standardization = new DataStandardization([10.0, 0.0], [2.0, 1.0]);
        using var model = new GaussianModel(mean, std, standardization);
        model.Family.Should().Be(new ModelFamily("GAUSSIAN")).And.NotBe(ModelFamily.Diffusion);
        model.Family.Key.Should().Be("gaussian");

        // In data units: x = 10 + 2·N(1, 0.5²) and y = N(−2, 2²), so means (12, −2) and standard deviations (1, 2).
        var samples = model.Sample(20_000, new Generator(1));
        samples.dtype.Should().Be(ScalarType.Float32);
        var m = samples.mean([0]);
        var s = samples.std([0]);
        m[0].item<float>().Should().BeApproximately(12f, 0.03f);
        m[1].item<float>().Should().BeApproximately(-2f, 0.06f);
        s[0].item<float>().Should().BeApproximately(1f, 0.03f);
        s[1].item<float>().Should().BeApproximately(2f, 0.06f);

        // Batches of 3 (3, 3, 3, 1) draw the same stream as one call, with a progress report per batch.
        var reports = new List<SamplingProgress>();
        var options = new SamplingOptions { BatchSize = 3, Progress = new Collect<SamplingProgress>(reports) };
        var batches = model.SampleBatches(10, new Generator(2), options).ToList();
        batches.Select(b => b.shape[0]).Should().Equal(3, 3, 3, 1);
        torch.cat(batches, 0).allclose(model.Sample(10, new Generator(2), options with { Progress = null }), 0, 0).Should().BeTrue();
        reports.Select(r => r.SamplesDone).Should().Equal(3, 6, 9, 10);

        FluentActions.Invoking(() => model.Sample(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => model.Sample(2, null, new SamplingOptions { BatchSize = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*BatchSize must be at least 1*");
        FluentActions.Invoking(() => model.Sample(2, null, new SamplingOptions { ClassLabels = torch.zeros(2, ScalarType.Int64) }))
            .Should().Throw<ArgumentException>().WithMessage("*unconditional*");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        FluentActions.Invoking(() => model.Sample(2, null, null, cancelled.Token)).Should().Throw<OperationCanceledException>();
        model.Dispose();
        FluentActions.Invoking(() => model.Sample(2)).Should().Throw<ObjectDisposedException>();
    }

    private sealed class Collect<T>(List<T> into) : IProgress<T>
    {
        public void Report(T value) => into.Add(value);
    }
}

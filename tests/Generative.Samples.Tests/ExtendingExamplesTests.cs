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
}

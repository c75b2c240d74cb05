using Generative.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Training;

public sealed class SnapshotAndEvaluationCallbackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-snap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_image_grid_places_each_image_with_its_colours()
    {
        using var scope = NewDisposeScope();
        // Two 2×3 RGB images: the first all red (1, −1, −1), the second all (−1, 0, 1).
        var red = stack([full(2, 3, 1f), full(2, 3, -1f), full(2, 3, -1f)]);
        var teal = stack([full(2, 3, -1f), full(2, 3, 0f), full(2, 3, 1f)]);
        string path = Path.Combine(_dir, "grid.png");
        SampleImages.SaveGrid(stack([red, teal]), path, columns: 2, padding: 1);
        using var bitmap = SKBitmap.Decode(path);
        // Width 2·3 + 3·1 = 9, height 2 + 2·1 = 4.
        bitmap.Width.Should().Be(9);
        bitmap.Height.Should().Be(4);
        bitmap.GetPixel(1, 1).Should().Be(new SKColor(255, 0, 0));
        bitmap.GetPixel(5, 2).Should().Be(new SKColor(0, 128, 255)); // 0 → round(127.5) = 128
        bitmap.GetPixel(0, 0).Should().Be(new SKColor(0, 0, 0));
    }

    [Fact]
    public void A_scatter_plot_draws_samples_over_the_reference()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_dir, "scatter.png");
        SampleImages.SaveScatter(tensor(new float[,] { { -1, -1 }, { 1, 1 } }), path, reference: tensor(new float[,] { { 1, -1 } }), size: 100);
        using var bitmap = SKBitmap.Decode(path);
        bitmap.Width.Should().Be(100);
        // Span 2·1.1 = 2.2 over 52 px: (−1, −1) maps to (24 + 0.1·52/2.2, 76 − 0.1·52/2.2) ≈ (26.4, 73.6).
        var sample = bitmap.GetPixel(26, 73);
        sample.Blue.Should().BeGreaterThan(sample.Red);
        var reference = bitmap.GetPixel(73, 73);
        reference.Red.Should().Be(reference.Blue).And.BeLessThan(255);
        bitmap.GetPixel(50, 10).Should().Be(SKColors.White);
        FluentActions.Invoking(() => SampleImages.SaveScatter(zeros(3, 3), path)).Should().Throw<ArgumentException>().WithMessage("*[N, 2]*[3, 3]*");
    }

    [Fact]
    public void Snapshots_are_written_every_n_steps_and_at_the_end_without_changing_training()
    {
        float[] Train(bool withSnapshots)
        {
            using var data = RegressionData.Create();
            using var step = new LinearRegressionStep(jitter: 0.1);
            var builder = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(25).WithSeed(3);
            SampleSnapshotCallback? snapshots = null;
            if (withSnapshots)
            {
                snapshots = new SampleSnapshotCallback(
                    (c, g) =>
                    {
                        c.TrainingStep.Modules["regressor"].training.Should().BeFalse();
                        return randn([50, 2], generator: g);
                    },
                    _dir,
                    everySteps: 10);
                builder.WithCallback(snapshots);
            }

            using var trainer = builder.Build();
            trainer.Run();
            step.Model.training.Should().BeTrue();
            snapshots?.Files.Select(Path.GetFileName).Should().Equal("step-00000010.png", "step-00000020.png", "step-00000025.png");
            return step.Model.weight!.detach().data<float>().ToArray();
        }

        Train(withSnapshots: true).Should().Equal(Train(withSnapshots: false));
        // The same snapshot seed draws the same points each time: the files at 10 and 20 are identical.
        File.ReadAllBytes(Path.Combine(_dir, "step-00000010.png")).Should().Equal(File.ReadAllBytes(Path.Combine(_dir, "step-00000020.png")));
    }

    [Fact]
    public void Periodic_evaluation_runs_every_n_steps_and_feeds_early_stopping()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep();
        int calls = 0;
        var evaluation = new PeriodicEvaluationCallback(c => new Dictionary<string, double> { ["score"] = 10 - Math.Min(++calls, 3) }, everySteps: 5);
        var early = EarlyStopping.OnMetric(_ => evaluation.Latest?.Metrics["score"], patience: 2, everySteps: 5);
        var logger = new CollectingLogger();
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(100).WithCallback(evaluation).WithCallback(early).WithLogger(logger).Build();
        var summary = trainer.Run();
        // Scores 9, 8, 7, 7, 7: no improvement at steps 20 and 25 → stop at 25.
        summary.StopReason.Should().Be(TrainingStopReason.StoppedByCallback);
        summary.CompletedSteps.Should().Be(25);
        evaluation.History.Select(h => h.Step).Should().Equal(5, 10, 15, 20, 25);
        logger.Entries.Count(e => e.Id.Id == 20).Should().Be(5);
    }
}

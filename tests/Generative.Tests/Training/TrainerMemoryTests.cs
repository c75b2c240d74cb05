using Generative.TestSupport;
using Generative.Training;

namespace Generative.Tests.Training;

public sealed class TrainerMemoryTests
{
    [Fact]
    public void Five_thousand_steps_leave_the_live_tensor_count_at_its_baseline()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep(jitter: 0.1);
        using var ema = new ExponentialMovingAverage(step.Model, decay: 0.99);
        // Warm up once so that lazily created optimiser state exists before the baseline is taken.
        using (var warm = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(1).WithCallback(ema).Build())
        {
            warm.Run();
        }

        long baseline = LiveTensors.Count;
        using (var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(5000)
            .WithGradientClipping(1.0).WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(100)).WithCallback(ema).Build())
        {
            trainer.Run().StepsRun.Should().Be(5000);
        }

        LiveTensors.Count.Should().Be(baseline, "every tensor made in 5,000 steps must be disposed");
    }

    [Fact]
    public void Steps_without_gradient_clipping_leave_the_live_tensor_count_at_its_baseline()
    {
        // Without clipping the finiteness check of the gradients takes another path (one native clip_grad_norm_ call).
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep(jitter: 0.1);
        using (var warm = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(1).Build())
        {
            warm.Run();
        }

        long baseline = LiveTensors.Count;
        using (var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(500).Build())
        {
            trainer.Run().StepsRun.Should().Be(500);
        }

        LiveTensors.Count.Should().Be(baseline, "every tensor made in 500 steps must be disposed");
    }
}

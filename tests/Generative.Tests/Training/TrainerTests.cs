using Generative.Data;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gen-trainer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Linear_regression_converges_to_the_generating_coefficients()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep(learningRate: 0.05, jitter: 0);
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(32).WithSteps(400).WithSeed(1).Build();
        var summary = trainer.Run();

        summary.CompletedSteps.Should().Be(400);
        summary.StopReason.Should().Be(TrainingStopReason.StepsCompleted);
        summary.LossHistory["loss"].Should().HaveCount(400);
        // y = 3·x1 − 2·x2 + 0.5 + 0.05·ε: least squares recovers the coefficients to well within 0.05.
        var w = step.Model.weight!.detach().data<float>().ToArray();
        float b = step.Model.bias!.detach().data<float>()[0];
        w[0].Should().BeApproximately(3f, 0.05f);
        w[1].Should().BeApproximately(-2f, 0.05f);
        b.Should().BeApproximately(0.5f, 0.05f);
        summary.MeanOfLast("loss", 20).Should().BeLessThan(0.01);
        // 200 samples / 32 with the last batch dropped = 6 batches per epoch: 400 steps end in epoch 66, after 4 of its batches.
        summary.Epoch.Should().Be(66);
    }

    [Fact]
    public void The_same_seed_gives_the_same_run_and_another_seed_another()
    {
        static float[] Train(long seed)
        {
            using var data = RegressionData.Create();
            using var step = new LinearRegressionStep(jitter: 0.1);
            using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(30).WithSeed(seed).Build();
            trainer.Run();
            return step.Model.weight!.detach().data<float>().ToArray();
        }

        Train(5).Should().Equal(Train(5));
        Train(5).Should().NotEqual(Train(6));
    }

    [Theory]
    [InlineData(LastBatchPolicy.Drop, true)]
    [InlineData(LastBatchPolicy.Keep, false)]
    public void Resuming_from_a_checkpoint_gives_bit_for_bit_the_weights_of_an_uninterrupted_run(LastBatchPolicy lastBatch, bool adamW)
    {
        // 45 samples, batch 16: epochs of 2 (drop) or 3 (keep) batches, so the checkpoint at step 7 falls mid-epoch.
        // The interrupted run is configured exactly as the uninterrupted one (20 steps, so the same cosine schedule) and
        // cancelled after step 7, as a killed or stopped run would be.
        (float[] Weights, float[] Ema, long Updates) Run(long? cancelAfter, string? checkpointDir, string? resumeFrom)
        {
            using var data = RegressionData.Create(count: 45);
            using var step = new LinearRegressionStep(jitter: 0.1, adamW: adamW);
            using var ema = new ExponentialMovingAverage(step.Model, decay: 0.9);
            using var cts = new CancellationTokenSource();
            var builder = Trainer.For(step).WithData(data).WithBatchSize(16, lastBatch).WithSteps(20).WithSeed(42)
                .WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(5)).WithGradientClipping(1.0).WithCallback(ema)
                .WithCallback(new DelegateCallback(c =>
                {
                    if (c.CompletedSteps == cancelAfter)
                    {
                        cts.Cancel();
                    }
                }));
            if (checkpointDir is not null)
            {
                builder.WithCheckpointing(checkpointDir, everySteps: 7);
            }

            if (resumeFrom is not null)
            {
                builder.ResumeFrom(resumeFrom);
            }

            using var trainer = builder.Build();
            trainer.Run(cts.Token);
            return (
                [.. step.Model.weight!.detach().data<float>().ToArray(), step.Model.bias!.detach().data<float>()[0]],
                [.. ema.ShadowParameters["weight"].data<float>().ToArray()],
                ema.UpdateCount);
        }

        var straight = Run(null, null, null);
        string root = Path.Combine(_dir, "run");
        Run(7, root, null);
        Directory.GetDirectories(root).Should().ContainSingle().Which.Should().EndWith("step-00000007");
        var resumed = Run(null, null, root);

        resumed.Weights.Should().Equal(straight.Weights, "resumed weights must equal the uninterrupted run's bit for bit");
        resumed.Ema.Should().Equal(straight.Ema);
        resumed.Updates.Should().Be(20);
    }

    [Fact]
    public void A_non_finite_loss_throws_by_default_naming_the_step_and_the_loss_and_leaves_the_weights_untouched()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep { InjectLoss = s => s == 3 ? double.NaN : null };
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(10).Build();
        var act = () => trainer.Run();
        var e = act.Should().Throw<NonFiniteLossException>().Which;
        e.Step.Should().Be(3);
        e.LossName.Should().Be("regressor");
        e.Message.Should().Contain("step 3").And.Contain("regressor");
        trainer.CompletedSteps.Should().Be(3);
        step.Model.weight!.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void A_non_finite_gradient_is_caught_before_the_optimizer_applies_it()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep { InjectGradient = s => s == 2 };
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(10).Build();
        var e = trainer.Invoking(t => t.Run()).Should().Throw<NonFiniteLossException>().Which;
        e.Message.Should().Contain("gradient");
        step.Model.weight!.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void The_skip_policy_skips_diverging_batches_and_records_them()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep { InjectLoss = s => s is 4 or 9 ? double.PositiveInfinity : null, InjectGradient = s => s == 6 };
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(20).WithNonFinitePolicy(NonFinitePolicy.Skip).Build();
        var summary = trainer.Run();
        summary.CompletedSteps.Should().Be(20);
        summary.DivergenceEvents.Select(d => (d.Step, d.InGradient)).Should().Equal((4L, false), (6L, true), (9L, false));
        step.Model.weight!.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void The_roll_back_policy_restores_the_last_checkpoint_and_lowers_the_learning_rate()
    {
        using var data = RegressionData.Create();
        int injected = 0;
        using var step = new LinearRegressionStep();
        step.InjectLoss = s => s == 12 && injected++ == 0 ? double.NaN : null;
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(20)
            .WithCheckpointing(_dir, everySteps: 5).WithNonFinitePolicy(NonFinitePolicy.RollBack, maxRollBacks: 2, rollBackLearningRateFactor: 0.5).Build();
        var summary = trainer.Run();
        summary.CompletedSteps.Should().Be(20);
        summary.DivergenceEvents.Should().ContainSingle().Which.Action.Should().Be(NonFinitePolicy.RollBack);
        trainer.RollBackLearningRateMultiplier.Should().Be(0.5);
        // Steps 10 and 11 ran twice: once before the roll-back to step 10, once after.
        summary.StepsRun.Should().Be(23);
        summary.LossHistory["loss"].Count(p => p.Step == 10).Should().Be(2);
    }

    [Fact]
    public void Roll_backs_are_bounded()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep { InjectLoss = s => s == 3 ? double.NaN : null };
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(20)
            .WithCheckpointing(_dir, everySteps: 2).WithNonFinitePolicy(NonFinitePolicy.RollBack, maxRollBacks: 2).Build();
        trainer.Invoking(t => t.Run()).Should().Throw<NonFiniteLossException>().WithMessage("*after 2 roll-backs*");
    }

    [Fact]
    public void Gradient_clipping_scales_the_gradients_as_clip_grad_norm()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep(learningRate: 1e-3, jitter: 0);
        // The reference gradient of the first batch, unclipped.
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(200).WithSteps(1).WithGradientClipping(0.1).Build();
        var before = step.Model.weight!.detach().clone();
        trainer.Run();
        var grad = step.Model.weight!.grad!;
        var gradBias = step.Model.bias!.grad!;
        double norm = Math.Sqrt(grad.square().sum().item<float>() + gradBias.square().sum().item<float>());
        // clip_grad_norm_: g · max/(‖g‖ + 1e-6) when ‖g‖ > max, so the clipped norm is 0.1 to within 1e-5.
        norm.Should().BeApproximately(0.1, 1e-5);
        before.Dispose();
    }

    [Fact]
    public void Cancellation_stops_between_steps_and_leaves_a_checkpoint()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep();
        using var cts = new CancellationTokenSource();
        var cancelAt5 = new DelegateCallback(c =>
        {
            if (c.CompletedSteps == 5)
            {
                cts.Cancel();
            }
        });
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(100).WithCheckpointing(_dir, 50).WithCallback(cancelAt5).Build();
        var summary = trainer.Run(cts.Token);
        summary.StopReason.Should().Be(TrainingStopReason.Cancelled);
        summary.CompletedSteps.Should().Be(5);
        summary.LastCheckpoint.Should().EndWith("step-00000005");
        Generative.Checkpoints.ModelCheckpoint.ReadConfig(_dir).Step.Should().Be(5);
    }

    [Fact]
    public void Progress_and_logs_are_reported()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep();
        var progress = new CollectingProgress<TrainingProgress>();
        var logger = new CollectingLogger();
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(30)
            .WithProgress(progress, everySteps: 10).WithLogger(logger, everySteps: 10).Build();
        trainer.Run();
        progress.Reports.Select(p => p.Step).Should().Equal(10, 20, 30, 30);
        progress.Reports[0].TotalSteps.Should().Be(30);
        progress.Reports[0].Losses.Should().ContainKey("loss");
        progress.Reports[0].StepsPerSecond.Should().BePositive();
        progress.Reports[0].EstimatedRemaining.Should().NotBeNull();
        progress.Reports[^1].EstimatedRemaining.Should().Be(TimeSpan.Zero);
        logger.Entries.Count(e => e.Id.Id == 2).Should().Be(3);
        logger.Entries.Should().Contain(e => e.Id.Id == 1).And.Contain(e => e.Id.Id == 7);
    }

    [Fact]
    public void A_duration_bounds_the_run()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep();
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithDuration(TimeSpan.FromMilliseconds(300)).Build();
        var summary = trainer.Run();
        summary.StopReason.Should().Be(TrainingStopReason.DurationElapsed);
        summary.CompletedSteps.Should().BePositive();
    }

    [Fact]
    public void Callbacks_see_steps_and_epochs_in_order()
    {
        using var data = RegressionData.Create(count: 50);
        using var step = new LinearRegressionStep();
        var events = new List<string>();
        var callback = new DelegateCallback(c => events.Add($"s{c.Step}"), c => events.Add($"e{c.Epoch}"), (c, s) => events.Add($"end{s.CompletedSteps}"));
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(20, LastBatchPolicy.Keep).WithSteps(7).WithCallback(callback).Build();
        trainer.Run();
        // 50 samples in batches of 20 with the last kept: 3 batches per epoch.
        events.Should().Equal("s0", "s1", "s2", "e0", "s3", "s4", "s5", "e1", "s6", "end7");
    }

    [Fact]
    public void Early_stopping_stops_when_the_loss_stops_improving()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep(learningRate: 0.05, jitter: 0);
        var early = EarlyStopping.OnLoss("loss", patience: 3, windowSteps: 20, minDelta: 1e-3);
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(32).WithSteps(5000).WithCallback(early).Build();
        var summary = trainer.Run();
        summary.StopReason.Should().Be(TrainingStopReason.StoppedByCallback);
        summary.StopMessage.Should().Contain("early stopping");
        summary.CompletedSteps.Should().BeLessThan(5000);
        early.ChecksWithoutImprovement.Should().Be(3);
    }

    [Fact]
    public void Build_validates_the_options_once_with_clear_messages()
    {
        using var data = RegressionData.Create(count: 10);
        using var step = new LinearRegressionStep();
        Trainer.For(step).Invoking(b => b.Build()).Should().Throw<InvalidOperationException>()
            .WithMessage("*WithData*").WithMessage("*WithBatchSize*").WithMessage("*WithSteps*");
        Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(5).Invoking(b => b.Build())
            .Should().Throw<InvalidOperationException>().WithMessage("*batch size 16 exceeds the 10 samples*");
        Trainer.For(step).WithData(data).WithBatchSize(4).WithDuration(TimeSpan.FromSeconds(1)).WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(10))
            .Invoking(b => b.Build()).Should().Throw<InvalidOperationException>().WithMessage("*needs the total step count*");
        Trainer.For(step).WithData(data).WithBatchSize(4).WithSteps(5).WithNonFinitePolicy(NonFinitePolicy.RollBack)
            .Invoking(b => b.Build()).Should().Throw<InvalidOperationException>().WithMessage("*WithCheckpointing*");
        Trainer.For(step).Invoking(b => b.WithBatchSize(0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("batchSize");
        Trainer.For(step).Invoking(b => b.WithGradientClipping(double.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxNorm");
    }

    [Fact]
    public void Learning_rate_schedules_follow_their_formulas()
    {
        LearningRateSchedule.Constant.Factor(123, 1000).Should().Be(1);
        var s = LearningRateSchedule.WarmupCosine(warmupSteps: 10, totalSteps: 110, minFactor: 0.1);
        s.Factor(0, null).Should().BeApproximately(0.1, 1e-12);   // (0+1)/10
        s.Factor(9, null).Should().BeApproximately(1.0, 1e-12);   // (9+1)/10
        s.Factor(10, null).Should().BeApproximately(1.0, 1e-12);  // cos(0)
        // Halfway through the decay: progress (60−10)/99, factor 0.1 + 0.9·½(1 + cos(π·50/99)).
        s.Factor(60, null).Should().BeApproximately(0.1 + (0.45 * (1 + Math.Cos(Math.PI * 50 / 99.0))), 1e-12);
        s.Factor(109, null).Should().BeApproximately(0.1, 1e-12);
        s.Factor(500, null).Should().BeApproximately(0.1, 1e-12);
    }

    [Fact]
    public void The_schedule_sets_the_optimizer_learning_rate_each_step()
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep(learningRate: 0.02);
        var rates = new List<double>();
        var probe = new DelegateCallback(c => rates.Add(c.TrainingStep.Optimizers["regressor"].ParamGroups.First().LearningRate));
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(4)
            .WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(4)).WithCallback(probe).Build();
        trainer.Run();
        rates.Should().Equal(0.005, 0.01, 0.015, 0.02);
    }

    private sealed class DelegateCallback(
        Action<TrainingCallbackContext>? onStep = null,
        Action<TrainingCallbackContext>? onEpoch = null,
        Action<TrainingCallbackContext, TrainingSummary>? onEnd = null) : TrainingCallback
    {
        public override void OnStepEnd(TrainingCallbackContext context) => onStep?.Invoke(context);

        public override void OnEpochEnd(TrainingCallbackContext context) => onEpoch?.Invoke(context);

        public override void OnTrainingEnd(TrainingCallbackContext context, TrainingSummary summary) => onEnd?.Invoke(context, summary);
    }
}

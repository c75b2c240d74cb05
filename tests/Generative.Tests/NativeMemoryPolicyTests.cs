using System.Diagnostics;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Tests.Training;
using Generative.Training;
using static TorchSharp.torch;

namespace Generative.Tests;

/// <summary>
/// The library trims the C heap and forces collections only when the application's <see cref="NativeMemoryPolicy"/>
/// asks, at its cadence. <see cref="NativeHeap.TrimCount"/> counts the trims the library requests (on every platform).
/// </summary>
[Collection(NativeMemoryPolicyCollection.Name)]
public sealed class NativeMemoryPolicyTests : IDisposable
{
    private readonly NativeMemoryPolicy _previous = NativeMemoryPolicy.Current;
    private readonly Func<long> _previousClock = NativeHeap.Clock;
    private readonly Action<TimeSpan> _previousSchedule = NativeHeap.ScheduleIdleCheck;

    public void Dispose()
    {
        NativeMemoryPolicy.Current = _previous;
        NativeHeap.OnIdleCheck(); // disarms the check (the policy no longer asks) before the real timer is back
        NativeHeap.Clock = _previousClock;
        NativeHeap.ScheduleIdleCheck = _previousSchedule;
    }

    [Fact]
    public void The_library_default_is_off_and_sampling_and_training_do_not_trim()
    {
        NativeMemoryPolicy.Off.SamplingTrimInterval.Should().BeNull();
        NativeMemoryPolicy.Off.CollectEveryTrainingSteps.Should().Be(0);
        NativeMemoryPolicy.Current.Should().BeSameAs(NativeMemoryPolicy.Off, "nothing in this test process opts in except these tests, which restore it");

        long before = NativeHeap.TrimCount;
        using (var diffusion = SmallDiffusionModel())
        using (var samples = diffusion.Sample(40, new Generator(1), new SamplingOptions { BatchSize = 4, Steps = 3 }))
        {
            samples.shape.Should().Equal(40, 2);
        }

        using (var gan = SmallGanModel())
        using (var samples = gan.Sample(40, new Generator(1), new SamplingOptions { BatchSize = 4 }))
        {
            samples.shape.Should().Equal(40, 2);
        }

        TrainRegression(steps: 300).StepsRun.Should().Be(300);
        NativeHeap.TrimCount.Should().Be(before, "20 sampled batches and 300 training steps under the default policy trim nothing");
    }

    [Fact]
    public void A_zero_interval_trims_after_every_sampled_batch_of_either_family()
    {
        NativeMemoryPolicy.Current = new NativeMemoryPolicy { SamplingTrimInterval = TimeSpan.Zero };
        long before = NativeHeap.TrimCount;
        using (var diffusion = SmallDiffusionModel())
        {
            foreach (var batch in diffusion.SampleBatches(10, new Generator(1), new SamplingOptions { BatchSize = 3, Steps = 2 }))
            {
                batch.Dispose();
            }
        }

        NativeHeap.TrimCount.Should().Be(before + 4, "10 samples in batches of 3 are 4 batches");
        using (var gan = SmallGanModel())
        using (var samples = gan.Sample(10, new Generator(1), new SamplingOptions { BatchSize = 5 }))
        {
        }

        NativeHeap.TrimCount.Should().Be(before + 6, "and 10 GAN samples in batches of 5 are 2 more");
    }

    [Fact]
    public void An_interval_trims_once_per_interval_of_sampling_not_per_batch()
    {
        // A clock that advances 0.25 s each time it is read: setting the policy reads it once, each batch once.
        long ticks = 0;
        long quarter = Stopwatch.Frequency / 4;
        NativeHeap.Clock = () => ticks += quarter;
        NativeMemoryPolicy.Current = new NativeMemoryPolicy { SamplingTrimInterval = TimeSpan.FromSeconds(1) };
        long before = NativeHeap.TrimCount;
        var trimmedAfter = new List<int>();
        using var diffusion = SmallDiffusionModel();
        int index = 0;
        foreach (var batch in diffusion.SampleBatches(26, new Generator(1), new SamplingOptions { BatchSize = 2, Steps = 2 }))
        {
            batch.Dispose();
            index++;
            if (NativeHeap.TrimCount - before > trimmedAfter.Count)
            {
                trimmedAfter.Add(index);
            }
        }

        index.Should().Be(13);
        trimmedAfter.Should().Equal([4, 8, 12], "a second of (simulated) sampling is four batches here");
    }

    [Fact]
    public void Concurrent_sampling_threads_that_find_the_trim_due_trim_once()
    {
        long now = 0;
        NativeHeap.Clock = () => Volatile.Read(ref now);
        NativeMemoryPolicy.Current = new NativeMemoryPolicy { SamplingTrimInterval = TimeSpan.FromMilliseconds(100) };
        Volatile.Write(ref now, Stopwatch.Frequency); // one second later: due, and stays due until someone trims
        long before = NativeHeap.TrimCount;
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < 1000; i++)
            {
                NativeHeap.AfterSampledBatch();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        NativeHeap.TrimCount.Should().Be(before + 1, "8,000 batch ends within one instant of the clock are one interval");
    }

    [Fact]
    public void An_idle_delay_trims_once_after_sampling_pauses_and_never_during_a_burst()
    {
        // A clock the test moves, and the timer replaced by a list of the checks it would schedule.
        long now = 0;
        long second = Stopwatch.Frequency;
        NativeHeap.Clock = () => Volatile.Read(ref now);
        var scheduled = new List<TimeSpan>();
        NativeHeap.ScheduleIdleCheck = scheduled.Add;
        NativeMemoryPolicy.Current = new NativeMemoryPolicy { IdleTrimDelay = TimeSpan.FromSeconds(2) };
        NativeHeap.OnIdleCheck(); // a check armed before this test (by another test's policy) is settled first
        scheduled.Clear();
        long before = NativeHeap.TrimCount;

        // A burst: 8 batches, one every 0.5 s. One check is armed, by the first batch; no batch trims.
        using var diffusion = SmallDiffusionModel();
        int batches = 0;
        foreach (var batch in diffusion.SampleBatches(16, new Generator(1), new SamplingOptions { BatchSize = 2, Steps = 2 }))
        {
            batch.Dispose();
            batches++;
            NativeHeap.TrimCount.Should().Be(before, "nothing trims on the sampling path");
            Volatile.Write(ref now, now + (second / 2));
        }

        batches.Should().Be(8);
        scheduled.Should().Equal([TimeSpan.FromSeconds(2)], "the first batch arms one check, two seconds ahead");

        // The armed check runs: the clock reads 4 s and the last batch stamped 3.5 s, so the pause is 0.5 s; it looks
        // again in 1.5 s, without trimming.
        NativeHeap.OnIdleCheck();
        NativeHeap.TrimCount.Should().Be(before);
        scheduled.Should().Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5)]);

        // Two seconds after the last batch: one trim, and no further check until sampling resumes.
        Volatile.Write(ref now, now + (second * 3 / 2));
        NativeHeap.OnIdleCheck();
        NativeHeap.TrimCount.Should().Be(before + 1, "the pause reached the delay");
        NativeHeap.OnIdleCheck();
        NativeHeap.TrimCount.Should().Be(before + 1, "one trim per pause: nothing was sampled since");
        scheduled.Should().HaveCount(2);

        // Sampling resumes: the next batch arms a check again.
        using (diffusion.Sample(2, new Generator(2), new SamplingOptions { BatchSize = 2, Steps = 2 }))
        {
        }

        scheduled.Should().HaveCount(3).And.EndWith(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void The_idle_timer_trims_by_itself_after_a_pause()
    {
        // The real timer and clock: 50 ms after the last batch the timer trims, without any further call.
        NativeMemoryPolicy.Current = new NativeMemoryPolicy { IdleTrimDelay = TimeSpan.FromMilliseconds(50) };
        long before = NativeHeap.TrimCount;
        using (var diffusion = SmallDiffusionModel())
        using (diffusion.Sample(4, new Generator(1), new SamplingOptions { BatchSize = 2, Steps = 2 }))
        {
        }

        var waited = Stopwatch.StartNew();
        while (NativeHeap.TrimCount == before && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(10);
        }

        NativeHeap.TrimCount.Should().Be(before + 1, "the timer fires after the pause and trims once");
    }

    [Fact]
    public void The_trainer_collects_and_trims_every_n_steps_when_asked()
    {
        NativeMemoryPolicy.Current = new NativeMemoryPolicy { CollectEveryTrainingSteps = 25 };
        long trims = NativeHeap.TrimCount;
        int collections = GC.CollectionCount(2);
        TrainRegression(steps: 110).StepsRun.Should().Be(110);
        NativeHeap.TrimCount.Should().Be(trims + 4, "steps 25, 50, 75 and 100 of 110");
        GC.CollectionCount(2).Should().BeGreaterThanOrEqualTo(collections + 4, "each is a full, forced collection");
    }

    [Fact]
    public void Invalid_settings_are_rejected_with_the_setting_named()
    {
        var negative = () => new NativeMemoryPolicy { SamplingTrimInterval = TimeSpan.FromSeconds(-1) };
        negative.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("SamplingTrimInterval")
            .WithMessage("SamplingTrimInterval must be between zero (trim after every batch) and one day, or null (never trim).*");
        var tooLong = () => new NativeMemoryPolicy { SamplingTrimInterval = TimeSpan.FromDays(2) };
        tooLong.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("SamplingTrimInterval");
        var steps = () => new NativeMemoryPolicy { CollectEveryTrainingSteps = -1 };
        steps.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CollectEveryTrainingSteps")
            .WithMessage("CollectEveryTrainingSteps must be 0 (never) or a positive number of steps.*");
        var none = () => NativeMemoryPolicy.Current = null!;
        none.Should().Throw<ArgumentNullException>();
        NativeMemoryPolicy.Current.Should().BeSameAs(_previous, "a rejected value leaves the policy as it was");
        var zero = () => new NativeMemoryPolicy { IdleTrimDelay = TimeSpan.Zero };
        zero.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("IdleTrimDelay")
            .WithMessage("IdleTrimDelay must be more than zero and at most one day, or null (never trim when idle).*");
        var idleTooLong = () => new NativeMemoryPolicy { IdleTrimDelay = TimeSpan.FromDays(1.5) };
        idleTooLong.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("IdleTrimDelay");
        new NativeMemoryPolicy { SamplingTrimInterval = TimeSpan.FromDays(1), CollectEveryTrainingSteps = 1 }.ToString()
            .Should().Be("SamplingTrimInterval = 1.00:00:00, IdleTrimDelay = never, CollectEveryTrainingSteps = 1");
        new NativeMemoryPolicy { IdleTrimDelay = TimeSpan.FromSeconds(2) }.ToString()
            .Should().Be("SamplingTrimInterval = never, IdleTrimDelay = 00:00:02, CollectEveryTrainingSteps = never");
    }

    private static DiffusionModel SmallDiffusionModel() =>
        new(new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4 }, new Generator(1)),
            new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 10 }));

    private static GanModel SmallGanModel() =>
        new(new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 4, HiddenLayers = 1 }, new Generator(1)));

    private static TrainingSummary TrainRegression(int steps)
    {
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep();
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(steps).Build();
        return trainer.Run();
    }
}

/// <summary>The policy and the trim counter are process-wide: these tests run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryPolicyCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "NativeMemoryPolicy";
}

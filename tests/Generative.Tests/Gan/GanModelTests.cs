using Generative.Data;
using Generative.Gan;
using Generative.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>Sampling contract of GanModel: batching, determinism, threads, standardisation, labels, save/load.</summary>
[Collection("Sequential")]
public sealed class GanModelTests
{
    private static MlpGenerator SmallGenerator(int classes = 0) =>
        new(new MlpGeneratorOptions { SampleShape = new TensorShape(3), LatentDimension = 4, HiddenWidth = 16, ClassCount = classes }, new Generator(1));

    [Fact]
    public void SamplesAreBatchedDeterministicAndIndependentOfTheBatchSize()
    {
        using var scope = NewDisposeScope();
        using var model = new GanModel(SmallGenerator());
        var a = model.Sample(1000, new Generator(9), new SamplingOptions { BatchSize = 1000 });
        var b = model.Sample(1000, new Generator(9), new SamplingOptions { BatchSize = 1000 });
        a.shape.Should().Equal(1000, 3);
        a.dtype.Should().Be(ScalarType.Float32);
        a.device_type.Should().Be(DeviceType.CPU);
        a.Same(b).Should().BeTrue("the same seed gives the same samples");
        var batches = model.SampleBatches(1000, new Generator(9), new SamplingOptions { BatchSize = 300 }).ToList();
        batches.Select(t => t.shape[0]).Should().Equal(300, 300, 300, 100);
        model.Sample(10, new Generator(10)).Same(a[..10]).Should().BeFalse("another seed gives other samples");
    }

    [Fact]
    public void ManyThreadsCanSampleAtOnceAndGetWhatOneThreadGets()
    {
        using var scope = NewDisposeScope();
        using var model = new GanModel(SmallGenerator());
        var expected = Enumerable.Range(0, 8).Select(i => model.Sample(200, new Generator((ulong)i), new SamplingOptions { BatchSize = 64 })).ToArray();
        var actual = new Tensor[8];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            for (int repeat = 0; repeat < 5; repeat++)
            {
                var t = model.Sample(200, new Generator((ulong)i), new SamplingOptions { BatchSize = 64 });
                if (repeat == 4)
                {
                    actual[i] = t;
                }
                else
                {
                    t.Dispose();
                }
            }
        });
        for (int i = 0; i < 8; i++)
        {
            actual[i].Same(expected[i]).Should().BeTrue($"thread {i} must get the single-threaded samples");
            actual[i].Dispose();
        }
    }

    [Fact]
    public void SamplesComeBackInDataUnits()
    {
        using var scope = NewDisposeScope();
        var standardization = new DataStandardization([10, -5, 0], [2, 0.5, 1], ["a", "b", "c"]);
        using var plain = new GanModel(SmallGenerator());
        using var model = new GanModel(SmallGenerator(), standardization);
        model.FeatureNames.Should().Equal("a", "b", "c");
        var z = plain.Sample(50, new Generator(4));
        var x = model.Sample(50, new Generator(4));
        Tolerance.AssertClose(x, z * tensor(new[] { 2f, 0.5f, 1f }) + tensor(new[] { 10f, -5f, 0f }), 1e-5);
    }

    [Fact]
    public void ConditionalModelsTakeOrDrawLabels()
    {
        using var scope = NewDisposeScope();
        using var model = new GanModel(SmallGenerator(classes: 3));
        var labels = tensor(Enumerable.Range(0, 10).Select(i => (long)(i % 3)).ToArray());
        var a = model.Sample(10, new Generator(1), new SamplingOptions { ClassLabels = labels, BatchSize = 4 });
        var direct = model.Generator.Generate(randn(10, 4, generator: new Generator(1)), labels);
        a.shape.Should().Equal(10, 3);
        model.Sample(10, new Generator(1)).shape.Should().Equal(10, 3);
        FluentActions.Invoking(() => model.Sample(10, null, new SamplingOptions { ClassLabels = tensor(new long[] { 5, 0, 0, 0, 0, 0, 0, 0, 0, 0 }) }))
            .Should().Throw<ArgumentOutOfRangeException>();
        using var unconditional = new GanModel(SmallGenerator());
        FluentActions.Invoking(() => unconditional.Sample(10, null, new SamplingOptions { ClassLabels = labels })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => unconditional.Sample(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void SaveAndLoadRoundTripTheSamples()
    {
        using var scope = NewDisposeScope();
        string dir = Path.Combine(Path.GetTempPath(), "gan-model-" + Guid.NewGuid().ToString("N"));
        try
        {
            var standardization = new DataStandardization([1, 2, 3], [4, 5, 6], ["x", "y", "z"]);
            using var model = new GanModel(SmallGenerator(classes: 2), standardization);
            model.Save(dir);
            File.Exists(Path.Combine(dir, "config.json")).Should().BeTrue();
            File.ReadAllText(Path.Combine(dir, "config.json")).Should().Contain("\"gan\"").And.Contain("\"mlp\"");
            using var loaded = GanModel.Load(dir);
            loaded.ClassCount.Should().Be(2);
            loaded.FeatureNames.Should().Equal("x", "y", "z");
            loaded.Sample(64, new Generator(3)).Same(model.Sample(64, new Generator(3))).Should().BeTrue();
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void TrainStopsBetweenStepsWhenCancelled()
    {
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([64, 2], generator: new Generator(1)));
        using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 4, HiddenWidth = 8, HiddenLayers = 1 }, new Generator(2));
        using var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 8, HiddenLayers = 1 }, new Generator(3));
        using var cancellation = new CancellationTokenSource();
        var (model, summary) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 1000, BatchSize = 16 },
            configure: b => b.WithCallback(new CancelAfter(cancellation, 3)), cancellationToken: cancellation.Token);
        using (model)
        {
            summary.StopReason.Should().Be(Generative.Training.TrainingStopReason.Cancelled);
            summary.CompletedSteps.Should().Be(3);
        }
    }

    [Fact]
    public void SamplingDoesNotLeakTensors()
    {
        using var model = new GanModel(SmallGenerator());
        model.Sample(10, new Generator(1)).Dispose();
        long baseline = LiveTensors.Count;
        for (int i = 0; i < 50; i++)
        {
            model.Sample(100, new Generator((ulong)i), new SamplingOptions { BatchSize = 32 }).Dispose();
        }

        LiveTensors.Count.Should().Be(baseline);
    }

    private sealed class CancelAfter(CancellationTokenSource cancellation, int steps) : Generative.Training.TrainingCallback
    {
        private int _seen;

        public override void OnStepEnd(Generative.Training.TrainingCallbackContext context)
        {
            if (++_seen == steps)
            {
                cancellation.Cancel();
            }
        }
    }
}

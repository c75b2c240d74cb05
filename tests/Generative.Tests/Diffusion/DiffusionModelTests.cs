using Generative.Data;
using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusionTrainingTests;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>DiffusionModel's sampling contract: shapes, batching, seeds, threads, cancellation, progress, EMA, units, guidance.</summary>
[Collection("Sequential")]
public sealed class DiffusionModelTests
{
    private static readonly NoiseSchedule Schedule = new(new NoiseScheduleOptions { TrainTimesteps = 100, BetaEnd = 0.1 });

    private static MlpDenoiser Perturbed(int seed, int classes = 0)
    {
        var net = SmallMlp(seed, classes);
        using (no_grad())
        {
            foreach (var p in net.parameters())
            {
                p.add_(randn(p.shape, generator: new Generator((ulong)seed)) * 0.1f);
            }
        }

        return net;
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && (a - b).abs().max().item<float>() == 0f;

    [Fact]
    public void SamplesHaveTheContractShapeAndBatchesAgreeWithOneCall()
    {
        using var scope = NewDisposeScope();
        using var model = new DiffusionModel(Perturbed(1), Schedule);
        model.Family.Should().Be(ModelFamily.Diffusion);
        var options = new SamplingOptions { BatchSize = 4, Sampler = "ddim", Steps = 10 };
        var all = model.Sample(10, new Generator(5), options);
        all.shape.Should().Equal(10, 2);
        all.dtype.Should().Be(ScalarType.Float32);
        all.device_type.Should().Be(DeviceType.CPU);
        var batches = model.SampleBatches(10, new Generator(5), options).ToList();
        batches.Select(b => b.shape[0]).Should().Equal(4, 4, 2);
        Same(cat(batches, 0), all).Should().BeTrue();
        Same(model.Sample(10, new Generator(5), options), all).Should().BeTrue();
        Same(model.Sample(10, new Generator(6), options), all).Should().BeFalse();
    }

    [Fact]
    public void ConcurrentCallsWithTheSameSeedGiveTheSameSamples()
    {
        using var model = new DiffusionModel(Perturbed(2), Schedule);
        var results = new Tensor[4];
        Parallel.For(0, 4, i =>
        {
            using var g = new Generator(9);
            results[i] = model.Sample(64, g, new SamplingOptions { Sampler = "ddpm", BatchSize = 16 });
        });
        for (int i = 1; i < 4; i++)
        {
            Same(results[i], results[0]).Should().BeTrue();
        }

        foreach (var r in results)
        {
            r.Dispose();
        }
    }

    [Fact]
    public void CancellationStopsBetweenStepsAndProgressIsReported()
    {
        using var model = new DiffusionModel(Perturbed(3), Schedule);
        var reports = new List<SamplingProgress>();
        var progress = new SyncProgress(reports.Add);
        using (var x = model.Sample(6, new Generator(1), new SamplingOptions { BatchSize = 4, Sampler = "ddim", Steps = 5, Progress = progress }))
        {
        }

        reports.Should().HaveCount(10);
        reports[0].Should().Be(new SamplingProgress(0, 6, 1, 5));
        reports[4].Should().Be(new SamplingProgress(4, 6, 5, 5));
        reports[^1].Should().Be(new SamplingProgress(6, 6, 5, 5));

        using var cts = new CancellationTokenSource();
        var cancelling = new SyncProgress(p =>
        {
            if (p.Step == 3)
            {
                cts.Cancel();
            }
        });
        FluentActions.Invoking(() => model.Sample(4, new Generator(1), new SamplingOptions { Sampler = "ddpm", Progress = cancelling }, cts.Token))
            .Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void UsesTheEmaNetworkByDefault()
    {
        using var scope = NewDisposeScope();
        using var live = Perturbed(4);
        using var ema = Perturbed(5);
        var options = new SamplingOptions { Sampler = "ddim", Steps = 8 };
        using var withEma = new DiffusionModel(live, Schedule, emaDenoiser: ema, ownsNetworks: false);
        using var onlyEma = new DiffusionModel(ema, Schedule, ownsNetworks: false);
        using var onlyLive = new DiffusionModel(live, Schedule, ownsNetworks: false);
        using var emaOff = new DiffusionModel(live, Schedule, new DiffusionModelOptions { UseEma = false }, emaDenoiser: ema, ownsNetworks: false);
        var a = withEma.Sample(32, new Generator(3), options);
        Same(a, onlyEma.Sample(32, new Generator(3), options)).Should().BeTrue();
        Same(a, onlyLive.Sample(32, new Generator(3), options)).Should().BeFalse();
        Same(emaOff.Sample(32, new Generator(3), options), onlyLive.Sample(32, new Generator(3), options)).Should().BeTrue();
    }

    [Fact]
    public void ReturnsSamplesInDataUnits()
    {
        using var scope = NewDisposeScope();
        using var net = Perturbed(6);
        using var raw = new DiffusionModel(net, Schedule, ownsNetworks: false);
        var standardization = new DataStandardization([3.0, 3.0], [10.0, 10.0], ["a", "b"]);
        using var scaled = new DiffusionModel(net, Schedule, standardization: standardization, ownsNetworks: false);
        var options = new SamplingOptions { Sampler = "ddim", Steps = 5 };
        Tolerance.AssertClose(scaled.Sample(16, new Generator(2), options), (raw.Sample(16, new Generator(2), options) * 10) + 3, 1e-5);
        scaled.FeatureNames.Should().Equal("a", "b");
    }

    [Fact]
    public void GuidanceAndLabelsFollowTheConditioning()
    {
        using var scope = NewDisposeScope();
        using var model = new DiffusionModel(Perturbed(7, classes: 3), Schedule);
        var labels = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        var options = new SamplingOptions { Sampler = "ddim", Steps = 5, ClassLabels = labels };
        var plain = model.Sample(6, new Generator(1), options);
        var guided = model.Sample(6, new Generator(1), options with { GuidanceScale = 3 });
        Same(plain, guided).Should().BeFalse();
        Same(plain, model.Sample(6, new Generator(1), options with { GuidanceScale = 1 })).Should().BeTrue();
        model.Invoking(m => m.Sample(5, null, options)).Should().Throw<ArgumentException>().WithMessage("*[5]*[6]*");

        using var unconditional = new DiffusionModel(Perturbed(8), Schedule);
        unconditional.Invoking(m => m.Sample(6, null, new SamplingOptions { GuidanceScale = 2 })).Should().Throw<ArgumentException>().WithMessage("*conditional*");
        unconditional.Invoking(m => m.Sample(6, null, options)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void RejectsBadArguments()
    {
        using var model = new DiffusionModel(Perturbed(9), Schedule);
        model.Invoking(m => m.Sample(0)).Should().Throw<ArgumentOutOfRangeException>();
        model.Invoking(m => m.Sample(1, null, new SamplingOptions { Sampler = "no-such-sampler" })).Should().Throw<ArgumentException>()
            .WithMessage("No sampler is registered under the name 'no-such-sampler'; registered: *ddim, ddpm*SamplerRegistry.Default.Add*");
        model.Invoking(m => m.Sample(1, null, new SamplingOptions { Steps = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        model.Invoking(m => m.Sample(1, null, new SamplingOptions { Steps = 101 })).Should().Throw<ArgumentOutOfRangeException>();
        model.Invoking(m => m.Sample(1, null, new SamplingOptions { Eta = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        model.Invoking(m => m.Sample(1, null, new SamplingOptions { BatchSize = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        model.Invoking(m => m.Sample(1, null, new SamplingOptions { Eta = 1.5 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Eta must be in [0, 1], but is 1.5.*");
        model.Invoking(m => m.Sample(1, null, new SamplingOptions { GuidanceScale = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new DiffusionModel(Perturbed(1), Schedule, new DiffusionModelOptions { Eta = 2 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Eta");
        using (var plms = new DiffusionModel(Perturbed(1), Schedule, new DiffusionModelOptions { Sampler = "plms" }))
        {
            // A default sampler is resolved when sampling (it may be registered later, or in a host's registry).
            plms.Invoking(m => m.Sample(1)).Should().Throw<ArgumentException>().WithMessage("*'plms'*");
        }

        model.Dispose();
        model.Invoking(m => m.Sample(1)).Should().Throw<ObjectDisposedException>();
    }

    /// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<SamplingProgress> report) : IProgress<SamplingProgress>
    {
        public void Report(SamplingProgress value) => report(value);
    }
}

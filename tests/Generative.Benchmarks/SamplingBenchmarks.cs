using BenchmarkDotNet.Attributes;
using Generative.Diffusion;
using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// GAN sampling: <see cref="GanModel.Sample"/> of <see cref="Count"/> 2-D vectors (one batch, and the default batches
/// of 512) against one plain forward pass of the same generator on the same number of latent vectors.
/// </summary>
[BenchmarkCategory("Sample", "GanSample")]
public class GanSampling : LeakGuard
{
    public const int Count = 10_000;

    private MlpGenerator _generator = null!;
    private GanModel _model = null!;
    private Generator _rng = null!;
    private SamplingOptions _oneBatch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _generator = Fixtures.Generator2D();
        _generator.eval();
        _model = new GanModel(_generator, ownsGenerator: false);
        _rng = new Generator(0);
        _oneBatch = new SamplingOptions { BatchSize = Count };
        MarkBaseline();
    }

    [Benchmark(Baseline = true, Description = "plain generator forward")]
    public long Forward()
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        return _generator.Generate(randn([Count, 64], generator: _rng)).shape[0];
    }

    [Benchmark(Description = "GanModel.Sample, one batch")]
    public long SampleOneBatch()
    {
        using var scope = NewDisposeScope();
        return _model.Sample(Count, _rng, _oneBatch).shape[0];
    }

    [Benchmark(Description = "GanModel.Sample, batches of 512")]
    public long SampleDefaultBatches()
    {
        using var scope = NewDisposeScope();
        return _model.Sample(Count, _rng).shape[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CheckNoLeak();
        _model.Dispose();
        _generator.Dispose();
        _rng.Dispose();
    }
}

/// <summary>
/// Diffusion sampling of <see cref="Count"/> 2-D vectors (one batch) from the comparison's 2-D MLP (untrained: the
/// speed does not depend on the weights) with DDPM-1000, DDIM-50 and DDIM-10, against 1000 plain network calls on the
/// same batch (what DDPM-1000 costs without the sampler's arithmetic). Samples/s = Count / time.
/// </summary>
[SlowJob]
[BenchmarkCategory("Sample", "DiffusionSample")]
public class DiffusionSampling : LeakGuard
{
    public const int Count = 250;

    private MlpDenoiser _net = null!;
    private DiffusionModel _model = null!;
    private Generator _rng = null!;

    [GlobalSetup]
    public void Setup()
    {
        _net = Fixtures.Mlp2D();
        _net.eval();
        _model = new DiffusionModel(_net, new NoiseSchedule(), new DiffusionModelOptions { BatchSize = Count }, ownsNetworks: false);
        _rng = new Generator(0);
        using (_model.Sample(2, _rng, new SamplingOptions { Sampler = "ddpm", Steps = 2 }))
        {
            // The schedule's coefficients are created on first use.
        }

        MarkBaseline();
    }

    [Benchmark(Baseline = true, Description = "1000 plain network calls")]
    public double NetworkCalls()
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = randn([Count, 2], generator: _rng);
        for (long t = 999; t >= 0; t--)
        {
            using var callScope = NewDisposeScope();
            using var value = t.ToScalar();
            using var tt = full([Count], value, ScalarType.Int64);
            var next = _net.Predict(x, tt).MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
        }

        return x.shape[0];
    }

    [Benchmark(Description = "DDPM-1000")]
    public long Ddpm1000() => Sample("ddpm", 1000);

    [Benchmark(Description = "DDIM-50")]
    public long Ddim50() => Sample("ddim", 50);

    [Benchmark(Description = "DDIM-10")]
    public long Ddim10() => Sample("ddim", 10);

    [GlobalCleanup]
    public void Cleanup()
    {
        CheckNoLeak();
        _model.Dispose();
        _net.Dispose();
        _rng.Dispose();
    }

    private long Sample(string sampler, int steps)
    {
        using var scope = NewDisposeScope();
        return _model.Sample(Count, _rng, new SamplingOptions { Sampler = sampler, Steps = steps }).shape[0];
    }
}

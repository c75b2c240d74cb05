using BenchmarkDotNet.Attributes;
using Generative.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>Fréchet distance and precision/recall (k = 3) on 10,000 × 64 features (N(0, I) against N(0.1, I)).</summary>
[SlowJob]
[BenchmarkCategory("Metrics")]
public class Metrics : LeakGuard
{
    public const int Count = 10_000;

    private Tensor _real = null!;
    private Tensor _generated = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var g = new Generator(3);
        _real = randn([Count, 64], generator: g);
        _generated = randn([Count, 64], generator: g);
        using var shift = 0.1f.ToScalar();
        _generated.add_(shift);
        MarkBaseline();
    }

    [Benchmark(Description = "Fréchet distance 10,000 × 64")]
    public double Frechet()
    {
        using var scope = NewDisposeScope();
        return FrechetDistance.Compute(_real, _generated);
    }

    [Benchmark(Description = "precision/recall 10,000 × 64")]
    public double PrecisionAndRecall()
    {
        using var scope = NewDisposeScope();
        return PrecisionRecall.Compute(_real, _generated).Precision;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CheckNoLeak();
        _real.Dispose();
        _generated.Dispose();
    }
}

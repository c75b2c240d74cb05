using System.Diagnostics;
using Generative.Evaluation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>
/// Figures for the report, not a test: runs only with GENERATIVE_BENCH=1 and asserts nothing about speed.
/// <c>GENERATIVE_BENCH=1 OMP_NUM_THREADS=1 dotnet test tests/Generative.Tests -c Release --filter "FullyQualifiedName~NearestNeighbourBenchmarks" --logger "console;verbosity=detailed"</c>
/// Features: <c>torch.randn(n, d)</c> (seed 1) as real, <c>randn(n, d) + 0.1</c> (seed 2) as generated, float32, at
/// 10,000 and 50,000 × 64 and at 5,000 × 2048 (high-dimensional features, where distances concentrate);
/// <see cref="FusedKernels"/> times the fused kernels alone on the first set against itself.
/// </summary>
[Collection("Sequential")]
[Trait("Category", "Benchmark")]
public sealed class NearestNeighbourBenchmarks(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(10_000, 64)]
    [InlineData(50_000, 64)]
    [InlineData(5_000, 2048)]
    public void PrecisionRecallAndDensityCoverage(int n, int dimension)
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("GENERATIVE_BENCH") == "1", "A benchmark, not a test: set GENERATIVE_BENCH=1 to run it.");
        using var scope = NewDisposeScope();
        var real = torch.randn(n, dimension, generator: new Generator(1));
        var generated = torch.randn(n, dimension, generator: new Generator(2)) + 0.1;
        output.WriteLine($"threads: {torch.get_num_threads()}, n = {n} × {dimension}, float32");

        var watch = Stopwatch.StartNew();
        var pr = PrecisionRecall.Compute(real, generated);
        output.WriteLine($"precision/recall (k = 3): {watch.Elapsed.TotalSeconds:F2} s → {pr}");
        watch.Restart();
        var dc = DensityCoverage.Compute(real, generated);
        output.WriteLine($"density/coverage (k = 5): {watch.Elapsed.TotalSeconds:F2} s → {dc}");
        watch.Restart();
        var all = NearestNeighbourMetrics.Compute(real, generated);
        output.WriteLine($"all four at once (NearestNeighbourMetrics): {watch.Elapsed.TotalSeconds:F2} s → {all}");
    }

    /// <summary>The fused kernels alone on 50,000 × 64 features: time per distance and floating-point rate (two runs each).</summary>
    [SkippableFact]
    public void FusedKernels()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("GENERATIVE_BENCH") == "1", "A benchmark, not a test: set GENERATIVE_BENCH=1 to run it.");
        Skip.IfNot(DistanceKernels.IsSupported, "This CPU has no AVX2/FMA.");
        const int n = 50_000, width = 66;
        using var scope = NewDisposeScope();
        var x = torch.randn(n, width - 2, generator: new Generator(1));
        var norms = x.square().sum([1], keepdim: true);
        var ones = torch.ones(n, 1);
        var strips = DistanceKernels.PackStrips(torch.cat([x, norms, ones], 1));
        var panels = DistanceKernels.PackPanels(torch.cat([x * -2, ones, norms], 1));
        int threads = torch.get_num_threads();
        output.WriteLine($"threads: {threads}, n = {n} × {width - 2}, augmented width {width}");
        for (int run = 0; run < 2; run++)
        {
            var watch = Stopwatch.StartNew();
            DistanceKernels.SmallestPerRow(strips, panels, n, width, 8, threads);
            double radii = watch.Elapsed.TotalSeconds;
            watch.Restart();
            DistanceKernels.Cross(strips, n, panels, n, width, new float[n], true, new float[n], new float[n], threads);
            double cross = watch.Elapsed.TotalSeconds;
            double half = ((double)n * n / 2) + (n * 8.0); // the upper triangle and the diagonal panels
            output.WriteLine(
                $"radii kernel (k + 3 = 8 smallest): {radii:F2} s = {radii / half * 1e9:F2} ns per distance; " +
                $"cross kernel (all reductions): {cross:F2} s = {cross / ((double)n * n) * 1e9:F2} ns per distance, {2.0 * width * n * n / cross / 1e9:F1} GFLOP/s");
        }
    }
}

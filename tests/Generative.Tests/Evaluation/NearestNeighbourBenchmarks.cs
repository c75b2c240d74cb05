using System.Diagnostics;
using Generative.Evaluation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>
/// Figures for the report, not a test: runs only with GENERATIVE_BENCH=1 and asserts nothing about speed.
/// <c>GENERATIVE_BENCH=1 OMP_NUM_THREADS=1 dotnet test tests/Generative.Tests -c Release --filter "FullyQualifiedName~NearestNeighbourBenchmarks" --logger "console;verbosity=detailed"</c>
/// Features: <c>torch.randn(n, 64)</c> (seed 1) as real, <c>randn(n, 64) + 0.1</c> (seed 2) as generated, float32.
/// </summary>
[Collection("Sequential")]
[Trait("Category", "Benchmark")]
public sealed class NearestNeighbourBenchmarks(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(10_000)]
    [InlineData(50_000)]
    public void PrecisionRecallAndDensityCoverage(int n)
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("GENERATIVE_BENCH") == "1", "A benchmark, not a test: set GENERATIVE_BENCH=1 to run it.");
        using var scope = NewDisposeScope();
        var real = torch.randn(n, 64, generator: new Generator(1));
        var generated = torch.randn(n, 64, generator: new Generator(2)) + 0.1;
        output.WriteLine($"threads: {torch.get_num_threads()}, n = {n} × 64, float32");

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
}

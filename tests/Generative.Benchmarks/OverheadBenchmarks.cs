using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// The machine and the binding, without the library: the cost of one tiny tensor operation (<c>a + b</c> on 2 × 2
/// float32, result disposed at once; time per operation) and a 2048² float32 matrix product (2·2048³ ≈ 17.18 GFLOP per
/// call; GFLOP/s = 17.18 / seconds). pytorch/train_steps.py measures the same two in PyTorch.
/// </summary>
[BenchmarkCategory("Overhead")]
public class Overhead : LeakGuard
{
    private const int TinyOps = 10_000;

    private Tensor _a = null!;
    private Tensor _b = null!;
    private Tensor _m1 = null!;
    private Tensor _m2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var g = new Generator(5);
        _a = randn([2, 2], generator: g);
        _b = randn([2, 2], generator: g);
        _m1 = randn([2048, 2048], generator: g);
        _m2 = randn([2048, 2048], generator: g);
        MarkBaseline();
    }

    [Benchmark(OperationsPerInvoke = TinyOps, Description = "tiny op: a + b on 2×2")]
    public void TinyAdd()
    {
        for (int i = 0; i < TinyOps; i++)
        {
            using var c = _a + _b;
        }
    }

    [Benchmark(Description = "matmul 2048² fp32 (17.18 GFLOP)")]
    public long MatMul()
    {
        using var c = _m1.matmul(_m2);
        return c.shape[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CheckNoLeak();
        _a.Dispose();
        _b.Dispose();
        _m1.Dispose();
        _m2.Dispose();
    }
}

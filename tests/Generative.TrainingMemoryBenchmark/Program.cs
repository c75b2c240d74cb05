using System.Diagnostics;
using System.Globalization;
using Generative;
using Generative.Data;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

// Usage: dotnet run -c Release --project tests/Generative.TrainingMemoryBenchmark -- [steps] [collectEverySteps ...]
// Trains a tiny 2-D MLP (2→64→64→2, Adam, batch 256, ε-prediction of noised 2-D points) for `steps` steps once per
// NativeMemoryPolicy.CollectEveryTrainingSteps setting (0 = the library's default, no forced collection) and prints
// the process's resident memory every 2,000 steps.
long steps = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
int[] settings = args.Length > 1 ? [.. args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [0, 1000, 100];
Console.WriteLine($"steps {steps}; OMP_NUM_THREADS={Environment.GetEnvironmentVariable("OMP_NUM_THREADS")}; torch threads {get_num_threads()}");
foreach (int gcEvery in settings)
{
    NativeMemoryPolicy.Current = new NativeMemoryPolicy { CollectEveryTrainingSteps = gcEvery };
    using var scope = NewDisposeScope();
    using var g = new Generator(1);
    var points = randn([4096, 2], generator: g) * tensor(new float[] { 1, 0.3f });
    using var data = new TensorDataSource(points);
    scope.Dispose();
    using var step = new TinyDenoisingStep();
    var samples = new List<(long Step, double RssMb)>();
    var probe = new RssProbe(samples, 2000);
    using var trainer = Trainer.For(step).WithData(data).WithBatchSize(256).WithSteps(steps).WithSeed(1).WithCallback(probe).Build();
    var clock = Stopwatch.StartNew();
    var summary = trainer.Run();
    string rss = string.Join(" ", samples.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Step / 1000}k:{s.RssMb:F0}")));
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"CollectEveryTrainingSteps={gcEvery,5}: {summary.CompletedSteps / clock.Elapsed.TotalSeconds,6:F0} steps/s, final loss {summary.MeanOfLast("loss", 500):F4}, RSS MB {rss}, live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount}"));
}

return 0;

internal sealed class RssProbe(List<(long Step, double RssMb)> samples, int every) : TrainingCallback
{
    public override void OnStepEnd(TrainingCallbackContext context)
    {
        if (context.CompletedSteps % every == 0 || context.CompletedSteps == 1)
        {
            using var process = Process.GetCurrentProcess();
            samples.Add((context.CompletedSteps, process.WorkingSet64 / 1048576.0));
        }
    }
}

/// <summary>x_t = √ᾱ x0 + √(1−ᾱ) ε with ᾱ uniform in (0, 1); the MLP predicts ε from (x_t, ᾱ).</summary>
internal sealed class TinyDenoisingStep : ITrainingStep
{
    private readonly TorchSharp.Modules.Sequential _net = nn.Sequential(nn.Linear(3, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 2));
    private readonly optim.Optimizer _adam;

    public TinyDenoisingStep()
    {
        _adam = OptimizerFactory.Adam(_net.parameters(), 1e-3);
        Modules = new Dictionary<string, nn.Module> { ["net"] = _net };
        Optimizers = new Dictionary<string, optim.Optimizer> { ["net"] = _adam };
    }

    public string Family => "benchmark";

    public IReadOnlyDictionary<string, nn.Module> Modules { get; }

    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    public IReadOnlyDictionary<string, double> Step(TrainingBatch batch, TrainingStepContext context)
    {
        var x0 = batch.Samples;
        var alphaBar = rand([x0.shape[0], 1], dtype: x0.dtype, device: x0.device, generator: context.Generator);
        var noise = randn(x0.shape, dtype: x0.dtype, device: x0.device, generator: context.Generator);
        var xt = (alphaBar.sqrt() * x0) + ((1 - alphaBar).sqrt() * noise);
        var loss = (_net.forward(cat([xt, alphaBar], 1)) - noise).square().mean();
        context.Optimize("net", loss);
        return new Dictionary<string, double> { ["loss"] = loss.detach().cpu().item<float>() };
    }

    public void Dispose()
    {
        _adam.Dispose();
        _net.Dispose();
    }
}

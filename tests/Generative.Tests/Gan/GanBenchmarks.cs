using System.Diagnostics;
using Generative.Gan;
using Generative.Data;
using Generative.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>
/// Figures for the report, not a test: runs only with GENERATIVE_BENCH=1 and asserts nothing about speed.
/// <c>GENERATIVE_BENCH=1 OMP_NUM_THREADS=1 dotnet test tests/Generative.Tests -c Release --filter "FullyQualifiedName~GanBenchmarks" --logger "console;verbosity=detailed"</c>
/// </summary>
[Collection("Sequential")]
[Trait("Category", "Benchmark")]
public sealed class GanBenchmarks(ITestOutputHelper output)
{
    [SkippableFact]
    public void SamplingThroughputAndStepTimes()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("GENERATIVE_BENCH") == "1", "A benchmark, not a test: set GENERATIVE_BENCH=1 to run it.");

        var (generator, critic) = GanTrainingTests.RingNetworks(1);
        using var c = critic;
        using var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { CriticLearningRate = 2e-4, GeneratorLearningRate = 2e-4 });
        var rng = new Generator(2);
        output.WriteLine($"threads: {torch.get_num_threads()}, generator width {generator.Options.HiddenWidth} × {generator.Options.HiddenLayers}, latent {generator.Options.LatentDimension}, batch 256");

        // Step times: every 5th step also updates the generator; the difference is the generator step.
        foreach (var m in step.Modules.Values)
        {
            m.train();
        }

        var criticOnly = new List<double>();
        var withGenerator = new List<double>();
        for (long i = 0; i < 1000; i++)
        {
            using var scope = NewDisposeScope();
            var batch = RingData.Batch(256, rng);
            var watch = Stopwatch.StartNew();
            var losses = step.Step(new TrainingBatch(batch), new TrainingStepContext(i, 0, rng, step.Optimizers));
            double ms = watch.Elapsed.TotalMilliseconds;
            if (i >= 100)
            {
                (losses.ContainsKey("generator") ? withGenerator : criticOnly).Add(ms);
            }
        }

        double critic1 = Median(criticOnly);
        double both = Median(withGenerator);
        output.WriteLine($"critic step (WGAN-GP, batch 256): median {critic1:F3} ms over {criticOnly.Count} steps");
        output.WriteLine($"critic + generator step: median {both:F3} ms over {withGenerator.Count} steps → generator step ≈ {both - critic1:F3} ms");

        using var model = new GanModel(generator);
        foreach (int batchSize in new[] { 512, 4096 })
        {
            var options = new SamplingOptions { BatchSize = batchSize };
            model.Sample(10_000, new Generator(1), options).Dispose();
            var rates = new List<double>();
            for (int r = 0; r < 5; r++)
            {
                var watch = Stopwatch.StartNew();
                model.Sample(100_000, new Generator((ulong)r), options).Dispose();
                rates.Add(100_000 / watch.Elapsed.TotalSeconds);
            }

            output.WriteLine($"sampling, batch {batchSize}: median {Median(rates):N0} samples/s (100 000 samples × 5 runs)");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}

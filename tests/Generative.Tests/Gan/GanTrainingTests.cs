using System.Diagnostics;
using Generative.Gan;
using Generative.TestSupport;
using Generative.Data;
using Generative.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>Seeded, small end-to-end training runs with a plain loop (the trainer lives on another branch).</summary>
[Collection("Sequential")]
public sealed class GanTrainingTests(ITestOutputHelper output)
{
    internal static (MlpGenerator Generator, MlpCritic Critic) RingNetworks(int seed)
    {
        var g = new Generator((ulong)seed);
        var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 8, HiddenWidth = 128, HiddenLayers = 3 }, g);
        var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 128, HiddenLayers = 3 }, g);
        return (generator, critic);
    }

    internal static void Train(GanTrainingStep step, int steps, int batchSize, Generator g, Action<long, IReadOnlyDictionary<string, double>>? onStep = null)
    {
        foreach (var m in step.Modules.Values)
        {
            m.train();
        }

        for (long i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var batch = RingData.Batch(batchSize, g);
            var losses = step.Step(new TrainingBatch(batch), new TrainingStepContext(i, 0, g, step.Optimizers));
            onStep?.Invoke(i, losses);
        }
    }

    /// <summary>
    /// WGAN-GP (Wasserstein loss, λ = 10, 5 critic steps per generator step, Adam β = (0.5, 0.9)) with lr 2e-4 and a
    /// generator EMA of 0.99, 4000 critic steps (800 generator steps) of batch 256: every one of the 8 modes receives
    /// samples within 3σ (0.03) of its centre among 50 000 samples. Settings chosen with
    /// reference/wgan_gp_ring_reference.py (PyTorch shows the same oscillating critic estimate at this budget): at
    /// lr 5e-4–1e-3 or width 64 some modes stay empty after 3000–4000 steps; at lr 2e-4, width 128, every mode is
    /// reached from step 2500 on.
    /// </summary>
    [Fact]
    public void WganGpReachesAllEightModesOfTheRing()
    {
        var (generator, critic) = RingNetworks(1);
        using var gen = generator;
        using var c = critic;
        var options = GanTrainingOptions.WganGp() with { CriticLearningRate = 2e-4, GeneratorLearningRate = 2e-4, EmaDecay = 0.99 };
        using var step = new GanTrainingStep(generator, critic, options);
        var rng = new Generator(2);
        var watch = Stopwatch.StartNew();
        Train(step, 4000, 256, rng, (i, l) =>
        {
            if (i % 1000 == 999)
            {
                output.WriteLine($"step {i + 1} ({watch.Elapsed.TotalSeconds:F1} s): critic {l["critic"]:F4}, gp {l["gradient_penalty"]:F4}, W estimate {l["real_score"] - l["fake_score"]:F4}");
            }
        });

        using var model = new GanModel(step.SamplingGenerator, ownsGenerator: false);
        using var samples = model.Sample(50_000, new Generator(3));
        var near = RingData.SamplesNearEachMode(samples);
        output.WriteLine("samples within 3σ of each mode: " + string.Join(", ", near));
        near.Should().OnlyContain(n => n > 0, "every mode of the ring must be reached");
    }
}

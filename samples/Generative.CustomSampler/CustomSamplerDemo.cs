using Generative;
using Generative.Data;
using Generative.Diffusion;
using Generative.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.CustomSampler;

/// <summary>Settings of the demonstration.</summary>
/// <param name="TrainingSteps">Training steps of the 2-D denoiser.</param>
/// <param name="SamplingSteps">Denoising steps of both samplers.</param>
/// <param name="SampleCount">Samples drawn with each sampler.</param>
/// <param name="Seed">Seed of the data, the training run and the sampling noise.</param>
public sealed record CustomSamplerSettings(long TrainingSteps = 1500, int SamplingSteps = 10, int SampleCount = 2000, long Seed = 0);

/// <summary>What one sampler achieved on the grid mixture.</summary>
/// <param name="Name">The sampler.</param>
/// <param name="Coverage">PacGAN's mode coverage (within 3σ of one of the 4 modes).</param>
/// <param name="MeanDistanceToMode">Mean Euclidean distance from a sample to its nearest mode centre.</param>
public sealed record SamplerScore(string Name, ModeCoverageResult Coverage, double MeanDistanceToMode);

/// <summary>
/// Trains a small diffusion model on a 4-mode Gaussian mixture (centres (±2, ±2), σ = 0.15) and samples it with the
/// library's DDIM and with the <see cref="EulerSampler"/> defined in this sample, at the same number of network calls.
/// </summary>
public static class CustomSamplerDemo
{
    /// <summary>σ of each mode of the mixture.</summary>
    public const double ModeStandardDeviation = 0.15;

    /// <summary>The mixture's mode centres, <c>[4, 2]</c>; the caller owns the result.</summary>
    public static Tensor ModeCentres() => torch.tensor(new float[] { 2, 2, 2, -2, -2, 2, -2, -2 }, [4, 2]);

    /// <summary>Draws <paramref name="count"/> points of the mixture, each mode with probability 1/4.</summary>
    public static Tensor Mixture(long count, Generator generator)
    {
        using var scope = NewDisposeScope();
        var centres = ModeCentres();
        var mode = torch.randint(0, 4, [count], dtype: ScalarType.Int64, generator: generator);
        var noise = torch.randn([count, 2], generator: generator);
        using var sd = ModeStandardDeviation.ToScalar();
        return (centres.index_select(0, mode) + (noise * sd)).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the comparison.</summary>
    public static IReadOnlyList<SamplerScore> Run(CustomSamplerSettings settings, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var dataGenerator = new Generator((ulong)settings.Seed);
        using var points = Mixture(8000, dataGenerator);
        using var centres = ModeCentres();
        string[] names = ["x", "y"];
        var standardization = DataStandardization.Fit(points, names);
        using var standardized = standardization.Standardize(points);
        using var data = new TensorDataSource(standardized, standardization: standardization, featureNames: names);

        var result = DiffusionTrainer.Train(
            new MlpDenoiser(2, generator: new Generator((ulong)settings.Seed + 1)),
            data,
            new DiffusionTrainerOptions { Steps = settings.TrainingSteps, BatchSize = 256, Seed = settings.Seed });
        using var model = result.Model;
        log?.WriteLine($"trained {settings.TrainingSteps} steps, mean loss of the last 200 steps {result.Summary.MeanOfLast("loss", 200):F4}");

        Register();
        var scores = new List<SamplerScore>();
        foreach (string name in new[] { "ddim", EulerName })
        {
            using var g = new Generator((ulong)settings.Seed + 100);
            // One batch of all the samples, as this demonstration has always drawn them (the batch size fixes the noise draws).
            using var samples = model.Sample(settings.SampleCount, g, new SamplingOptions { Sampler = name, Steps = settings.SamplingSteps, BatchSize = settings.SampleCount });
            var coverage = ModeCoverage.Compute(samples, centres, ModeStandardDeviation);
            double distance = MeanDistanceToNearest(samples, centres);
            scores.Add(new SamplerScore(name, coverage, distance));
            log?.WriteLine($"{name,-6} {settings.SamplingSteps} steps: {coverage.ModesCaptured}/{coverage.ModeCount} modes, " +
                $"{coverage.HighQualityFraction:P1} within 3σ, mean distance to nearest mode {distance:F4}");
        }

        return scores;
    }

    /// <summary>The name the Euler sampler is registered under.</summary>
    public const string EulerName = "euler";

    /// <summary>
    /// Registers <see cref="EulerSampler"/> as <c>"euler"</c> in <paramref name="registry"/> (by default the process-wide
    /// <see cref="SamplerRegistry.Default"/>), so that any <see cref="DiffusionModel"/> samples with it by name. Safe to
    /// call more than once and from many threads.
    /// </summary>
    /// <param name="registry">The registry; <see langword="null"/> for <see cref="SamplerRegistry.Default"/>.</param>
    public static void Register(SamplerRegistry? registry = null) =>
        (registry ?? SamplerRegistry.Default).TryAdd(EulerName, context => new EulerSampler(context.Schedule, context.PredictionType));

    /// <summary>
    /// Samples with an Euler sampler without registering it: the model's own sampling loop (batches, EMA choice,
    /// cancellation, data units) with a sampler this call builds.
    /// </summary>
    /// <param name="model">A trained model.</param>
    /// <param name="count">Samples to draw.</param>
    /// <param name="steps">Denoising steps.</param>
    /// <param name="generator">The initial noise (and any step noise).</param>
    /// <returns><c>[count, ..SampleShape]</c>, float32, CPU; the caller owns it.</returns>
    public static Tensor SampleWithEuler(DiffusionModel model, int count, int steps, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.SampleWith(
            context => new EulerSampler(context.Schedule, context.PredictionType),
            count, generator, new SamplingOptions { Steps = steps, BatchSize = count });
    }

    private static double MeanDistanceToNearest(Tensor samples, Tensor centres)
    {
        using var scope = NewDisposeScope();
        return torch.cdist(samples, centres).min(1).values.mean().item<float>();
    }
}

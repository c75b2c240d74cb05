using Generative;
using Generative.Data;
using Generative.Data.BuiltIn;
using Generative.Diffusion;
using Generative.Evaluation;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.Digits;

/// <summary>Settings of the run.</summary>
/// <param name="DiffusionSteps">Training steps of the UNet denoiser.</param>
/// <param name="GanSteps">Training steps of the GAN (one critic and one generator update each).</param>
/// <param name="Sampler">The diffusion sampler, "ddpm" or "ddim".</param>
/// <param name="SamplerSteps">Denoising steps.</param>
/// <param name="ImagesPerModel">Images drawn from each model (the grids show the first 10 per model side by side; all go to the per-model grids).</param>
/// <param name="ClassifierEpochs">Epochs of the digit classifier that labels the samples (0 skips the evaluation).</param>
/// <param name="OutputDirectory">Where the PNG files go.</param>
/// <param name="Seed">Seed of everything.</param>
public sealed record DigitsSettings(
    long DiffusionSteps = 500,
    long GanSteps = 1000,
    string Sampler = "ddpm",
    int SamplerSteps = 250,
    int ImagesPerModel = 100,
    int ClassifierEpochs = 30,
    string OutputDirectory = "digits-output",
    long Seed = 0);

/// <summary>What one model produced.</summary>
/// <param name="Model">"ddpm" or "gan".</param>
/// <param name="GridPath">Its PNG grid.</param>
/// <param name="Coverage">Digits recognised by the classifier among its images (null when the evaluation is skipped).</param>
/// <param name="TrainingSeconds">Wall time of training.</param>
public sealed record DigitsModelResult(string Model, string GridPath, ModeCoverageResult? Coverage, double TrainingSeconds);

/// <summary>The run's outcome.</summary>
/// <param name="Models">One entry per model.</param>
/// <param name="SideBySidePath">The comparison grid: a row of real digits, then DDPM's, then the GAN's.</param>
public sealed record DigitsResult(IReadOnlyList<DigitsModelResult> Models, string SideBySidePath);

/// <summary>Trains a DDPM (<see cref="UNetDenoiser"/>) and a hinge-loss GAN with a spectrally normalised critic (<see cref="ConvGenerator"/>/<see cref="ConvCritic"/>) on the 1797 8×8 digits.</summary>
public static class DigitsDemo
{
    /// <summary>Runs both models and writes the grids.</summary>
    public static DigitsResult Run(DigitsSettings settings, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(settings.OutputDirectory);
        using var digits = Generative.Data.BuiltIn.Digits.Load();               // [1797, 1, 8, 8] in [−1, 1], labels 0..9
        using var data = new TensorDataSource(digits.Samples, digits.Labels);     // already on the model scale: no standardisation
        using var classifier = settings.ClassifierEpochs > 0 ? DigitsClassifier.Train(settings.Seed, settings.ClassifierEpochs) : null;
        if (classifier is not null)
        {
            log?.WriteLine($"digit classifier: {classifier.HeldOutAccuracy:P1} held-out accuracy");
        }

        var results = new List<DigitsModelResult>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // DDPM: a small UNet (32 → 64 channels, attention at 4×4), ε-prediction, linear β schedule, EMA.
        var unet = new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 32, ChannelMultipliers = [1, 2] }, new Generator((ulong)settings.Seed + 1));
        var trained = DiffusionTrainer.Train(unet, data, new DiffusionTrainerOptions
        {
            Steps = settings.DiffusionSteps,
            BatchSize = 64,
            Seed = settings.Seed,
            Training = new DiffusionTrainingOptions { LearningRate = 2e-4 },
        });
        double diffusionSeconds = clock.Elapsed.TotalSeconds;
        using var diffusion = trained.Model;
        using var g1 = new Generator((ulong)settings.Seed + 2);
        using var ddpmImages = diffusion.Sample(settings.ImagesPerModel, g1, new SamplingOptions { Sampler = settings.Sampler, Steps = settings.SamplerSteps });
        results.Add(Save("ddpm", ddpmImages, diffusionSeconds, classifier, settings, log));

        // GAN: DCGAN-style generator and critic at 8×8, hinge loss with a spectrally normalised critic (Miyato et al. 2018;
        // one generator update per critic update, so short runs give the generator 5× the updates WGAN-GP would), generator EMA.
        clock.Restart();
        using var generator = new ConvGenerator(new ConvGeneratorOptions { ImageSize = 8, LatentDimension = 32, Width = 32 }, new Generator((ulong)settings.Seed + 3));
        using var critic = new ConvCritic(new ConvCriticOptions { ImageSize = 8, Width = 32, SpectralNormalization = true }, new Generator((ulong)settings.Seed + 4));
        var (gan, _) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions
        {
            Steps = settings.GanSteps, BatchSize = 64, Training = GanTrainingOptions.SpectralNormHinge(), Seed = settings.Seed,
        });
        double ganSeconds = clock.Elapsed.TotalSeconds;
        using (gan)
        {
            using var g2 = new Generator((ulong)settings.Seed + 2);
            using var ganImages = gan.Sample(settings.ImagesPerModel, g2);
            results.Add(Save("gan", ganImages, ganSeconds, classifier, settings, log));

            // Side by side: real digits 0..9, then ten DDPM samples, then ten GAN samples, one row each.
            int k = Math.Min(10, settings.ImagesPerModel);
            using var scope = NewDisposeScope();
            var real = digits.Samples[..10];
            var rows = cat([real, ddpmImages[..k], ganImages[..k]], 0);
            string sideBySide = Path.Combine(settings.OutputDirectory, "digits-real-ddpm-gan.png");
            SampleImages.SaveGrid(Enlarge(rows), sideBySide, columns: k);
            log?.WriteLine($"side by side (rows: real, DDPM, GAN) → {sideBySide}");
            return new DigitsResult(results, sideBySide);
        }
    }

    private static DigitsModelResult Save(string name, Tensor images, double seconds, DigitsClassifier? classifier, DigitsSettings settings, TextWriter? log)
    {
        string path = Path.Combine(settings.OutputDirectory, $"digits-{name}.png");
        using (var scope = NewDisposeScope())
        {
            SampleImages.SaveGrid(Enlarge(images), path, columns: 10);
        }

        ModeCoverageResult? coverage = null;
        if (classifier is not null)
        {
            using var predicted = classifier.Predict(images);
            coverage = ModeCoverage.FromLabels(predicted, 10);
        }

        log?.WriteLine($"{name,-4}: trained in {seconds:F0} s; {images.shape[0]} images → {path}" +
            (coverage is null ? "" : $"; digits recognised: {coverage.ModesCaptured}/10, KL to uniform {coverage.KlToUniform:F3} nats, counts [{string.Join(' ', coverage.ModeCounts)}]"));
        return new DigitsModelResult(name, path, coverage, seconds);
    }

    /// <summary>Nearest-neighbour ×4 upscaling, so that 8×8 digits are visible in the PNG.</summary>
    private static Tensor Enlarge(Tensor images) =>
        nn.functional.interpolate(images.clamp(-1, 1), scale_factor: [4.0, 4.0], mode: InterpolationMode.Nearest);
}

using System.Diagnostics;
using System.Globalization;
using Generative.Comparison;
using Generative.Evaluation;
using Generative.Gan;
using Generative.Training;
using TorchSharp;

namespace Generative.Compare;

/// <summary>
/// <c>--curve N</c>: trains each GAN contender once per seed and scores its sampling generator every N steps with the
/// mode metric of the data (PacGAN's modes / high-quality fraction / KL on a Gaussian mixture), reporting the training
/// time of each N steps without the scoring. Each run checkpoints every N steps under <c>--output</c>/checkpoints, so the
/// same command with a larger <c>--budget</c> continues the runs (each row is appended to learning-curve.csv as it is
/// scored, and learning-curve.png is drawn from all of them at the end). Contenders that are not GANs are refused.
/// </summary>
internal static class LearningCurve
{
    public static int Run(CommandLine options, ComparisonData data, ComparisonBudget budget, long every, CancellationToken cancellationToken)
    {
        if (data.ModeCentres is null || data.ModeStandardDeviation is not double sigma)
        {
            Console.Error.WriteLine($"error: --curve needs a Gaussian mixture data set (grid, ring); '{data.Name}' has no modes.");
            return 2;
        }

        var contenders = options.Contenders is null ? ComparisonContenders.Default(data) : ContenderRegistry.Default.Create(options.Contenders);
        if (contenders.FirstOrDefault(c => c is not GanContender) is { } other)
        {
            Console.Error.WriteLine($"error: --curve scores GAN contenders; '{other.Name}' is not one.");
            return 2;
        }

        Directory.CreateDirectory(options.Output);
        string path = Path.GetFullPath(Path.Combine(options.Output, "learning-curve.csv"));
        string picture = Path.ChangeExtension(path, ".png");
        if (!File.Exists(path))
        {
            File.WriteAllLines(path, ["contender,seed,step,modes,high_quality,kl,train_seconds"]);
        }

        Console.WriteLine($"Learning curve on {data.Name} ({data.Count} points, data seed {options.DataSeed}), every {every} steps, budget {budget}, {options.Samples} samples per point.");
        Console.WriteLine("| contender | seed | step | modes | high quality | KL | training s (this interval) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var gan in contenders.Cast<GanContender>())
        {
            foreach (long seed in options.Seeds)
            {
                var callback = new CurveCallback(gan, data, seed, every, options.Samples, sigma, path);
                // Checkpoints every interval under --output: running the same command again continues each run where it stopped.
                string checkpoints = Path.GetFullPath(Path.Combine(options.Output, "checkpoints", $"{gan.Name}-seed{seed}"));
                using var trained = gan.WithCallbacks([callback], checkpoints, (int)Math.Min(every, int.MaxValue))
                    .Train(new ContenderTrainingRequest(data, budget.For(gan, data), seed, null, cancellationToken));
            }
        }

        LearningCurvePicture.Write(path, picture, (int)data.ModeCentres.shape[0]);
        Console.WriteLine($"CSV: {path}");
        Console.WriteLine($"Picture: {picture}");
        return 0;
    }

    // Appends each row to the CSV as it is scored, so a run stopped part-way keeps the rows it made.
    // Scores as the contender's final model would be scored: with the batch-norm statistics it recomputes after training
    // (GanContender.BatchNormRecomputeBatches), on the sampling generator's weights of this step; the running averages
    // training keeps are put back afterwards, so the run goes on as it would unscored.
    private sealed class CurveCallback(GanContender gan, ComparisonData data, long seed, long every, int samples, double sigma, string csvPath) : TrainingCallback
    {
        private readonly string _name = gan.Name;
        private readonly torch.Tensor _centres = data.ModeCentres!;

        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public override void OnStepEnd(TrainingCallbackContext context)
        {
            if (context.CompletedSteps % every != 0)
            {
                return;
            }

            double seconds = _clock.Elapsed.TotalSeconds;
            var generator = ((GanTrainingStep)context.TrainingStep).SamplingGenerator;
            var module = generator.Module;
            bool training = module.training;
            ModeCoverageResult result;
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var buffers = module.named_buffers().Select(b => (b.buffer, saved: b.buffer.clone())).ToList();
                gan.RecomputeBatchNormStatistics(generator, data, seed);
                module.eval();
                var z = torch.randn(generator.LatentShape.WithBatch(samples), generator: new torch.Generator((ulong)(seed + 7_919)));
                result = ModeCoverage.Compute(generator.Generate(z), _centres, sigma);
                foreach (var (buffer, saved) in buffers)
                {
                    buffer.copy_(saved);
                }

                module.train(training);
            }

            string line = string.Create(CultureInfo.InvariantCulture,
                $"| {_name} | {seed} | {context.CompletedSteps} | {result.ModesCaptured} | {result.HighQualityFraction:P1} | {result.KlToUniform:F3} | {seconds:F1} |");
            Console.WriteLine(line);
            File.AppendAllLines(csvPath, [string.Create(CultureInfo.InvariantCulture,
                $"{_name},{seed},{context.CompletedSteps},{result.ModesCaptured},{result.HighQualityFraction:R},{result.KlToUniform:R},{seconds:F2}")]);
            _clock.Restart();
        }
    }
}

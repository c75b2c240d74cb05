// The code of docs/getting-started.md, kept here so that it compiles and runs in the test suite. When you change one,
// change the other. Only the step counts and paths are parameters (the tests use tiny runs).
using Generative;
using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.Tests;

public static class GettingStarted
{
    /// <summary>"Train a diffusion model on your own CSV".</summary>
    public static Tensor DiffusionOnCsv(string csvPath, string modelDirectory, long steps = 3000)
    {
        // 1. Data: numeric columns, z-scored on load (the standardisation travels with the model).
        using var data = CsvDataSource.Load(csvPath, new CsvDataOptions { LabelColumn = "class" });

        // 2. A denoiser for rows of data.FeatureNames.Count numbers, conditional on the class.
        var denoiser = new MlpDenoiser(
            (int)data.SampleShape[0],
            new MlpDenoiserOptions { ClassCount = data.ClassCount },
            new Generator(1));                                    // seeded initial weights

        // 3. Train (Adam, EMA 0.999, linear β schedule, ε-prediction by default).
        var (model, summary) = DiffusionTrainer.Train(denoiser, data, new DiffusionTrainerOptions { Steps = steps, BatchSize = 64, Seed = 42 });
        Console.WriteLine($"{summary.CompletedSteps} steps in {summary.WallTime}, last loss {summary.MeanOfLast("loss", 100):F3}");

        // 4. Sample 500 rows in the CSV's units (DDIM, 50 steps by default), save, load.
        using (model)
        {
            using var rows = model.Sample(500, new Generator(7));
            model.Save(modelDirectory);                            // config.json + model.safetensors
        }

        using var loaded = DiffusionModel.Load(modelDirectory);
        return loaded.Sample(500, new Generator(7));              // the same rows as before saving
    }

    /// <summary>"The same with a GAN".</summary>
    public static Tensor GanOnCsv(string csvPath, string modelDirectory, long steps = 5000)
    {
        using var data = CsvDataSource.Load(csvPath, new CsvDataOptions { LabelColumn = "class" });
        var shape = data.SampleShape;
        using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = shape, ClassCount = data.ClassCount }, new Generator(1));
        using var critic = new MlpCritic(new MlpCriticOptions { SampleShape = shape, ClassCount = data.ClassCount }, new Generator(2));

        // WGAN-GP (5 critic steps per generator step); EMA of the generator's weights for sampling.
        var (model, summary) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions
        {
            Steps = steps, BatchSize = 64, Seed = 42,
        });
        using (model)
        {
            model.Save(modelDirectory);
        }

        using var loaded = GanModel.Load(modelDirectory);
        return loaded.Sample(500, new Generator(7));
    }

    /// <summary>"Sampling options".</summary>
    public static Tensor[] SamplingOptionsTour(DiffusionModel model)
    {
        // Deterministic DDIM with 20 steps; DDPM with all 1000; 200 rows of class 1 with classifier-free guidance 2.
        var fast = model.Sample(200, new Generator(1), new SamplingOptions { Sampler = "ddim", Steps = 20, Eta = 0 });
        var ddpm = model.Sample(200, new Generator(1), new SamplingOptions { Sampler = "ddpm", Steps = 1000 });
        using var labels = torch.full([200], 1L, dtype: ScalarType.Int64);
        var classOne = model.Sample(200, new Generator(1), new SamplingOptions { ClassLabels = labels, GuidanceScale = 2.0, Steps = 20 });

        // Large requests in batches, with progress and cancellation.
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var options = new SamplingOptions { BatchSize = 256, Progress = new Progress<SamplingProgress>(p => Console.Write($"\r{p.SamplesDone}/{p.SamplesTotal}")) };
        long total = 0;
        foreach (var batch in model.SampleBatches(1000, new Generator(2), options, cts.Token))
        {
            using (batch)
            {
                total += batch.shape[0];                           // write each batch out here
            }
        }

        return [fast, ddpm, classOne];
    }

    /// <summary>"Rows out, as CSV".</summary>
    public static void RowsOutAsCsv(DiffusionModel model, CsvDataSource data, string csvPath)
    {
        using var classes = torch.randint(data.ClassCount, [1_000], generator: new Generator(42));
        using var rows = model.Sample(1_000, new Generator(42), new SamplingOptions { ClassLabels = classes });
        File.WriteAllText(csvPath, SyntheticTable.FromSamples(rows, data.FeatureNames!, classes, data.ClassNames).ToCsv());
    }
}

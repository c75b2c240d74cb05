using Generative.Data;
using Generative.Data.BuiltIn;
using Generative.Diffusion;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.SyntheticDataService;

/// <summary>
/// The model the sample serves out of the box ("SyntheticDataService:ReadyModel" in appsettings.json): a diffusion model
/// of the wine table, trained on first start when its checkpoint directory is missing.
/// </summary>
internal sealed class ReadyModel
{
    private readonly string _message;
    private readonly bool _warning;

    private ReadyModel(string message, bool warning)
    {
        _message = message;
        _warning = warning;
    }

    /// <summary>Registers the ready model if it is enabled, not configured otherwise and its checkpoint exists (or can be made).</summary>
    public static ReadyModel Register(WebApplicationBuilder builder, GenerativeBuilder generative)
    {
        var section = builder.Configuration.GetSection("SyntheticDataService:ReadyModel");
        if (!section.GetValue("Enabled", false))
        {
            return new ReadyModel("The ready model is disabled (SyntheticDataService:ReadyModel:Enabled).", warning: false);
        }

        string name = section["Name"] ?? "wine";
        if (builder.Configuration.GetSection($"Generative:Models:{name}").Exists())
        {
            return new ReadyModel($"The ready model '{name}' is configured under Generative:Models; using that.", warning: false);
        }

        string directory = Path.GetFullPath(section["Path"] ?? Path.Combine("models", name), builder.Environment.ContentRootPath);
        string trained = string.Empty;
        if (!File.Exists(Path.Combine(directory, "config.json")))
        {
            long steps = section.GetValue("TrainingSteps", 3000L);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            if (!TryTrainWineCheckpoint(directory, steps))
            {
                return new ReadyModel($"No ready model: '{directory}' holds no checkpoint and none could be trained.", warning: true);
            }

            trained = $" (trained on first start: {steps} steps in {stopwatch.Elapsed.TotalSeconds:F1} s)";
        }

        generative.AddModel(name, directory, options =>
        {
            options.Sampler = "ddim";
            options.Steps = 50;
            options.Eta = 0;
            options.MaxCount = 5_000;
        });
        return new ReadyModel($"Serving the ready model '{name}' from '{directory}'{trained}.", warning: false);
    }

    /// <summary>
    /// Trains a small diffusion model on the built-in wine table (178 rows × 13 columns, standardised; samples come back
    /// in the table's units) and saves its checkpoint in <paramref name="directory"/>. Seeded: the same steps give the
    /// same model.
    /// </summary>
    /// <param name="directory">Where to write the checkpoint.</param>
    /// <param name="trainingSteps">Optimisation steps ("SyntheticDataService:ReadyModel:TrainingSteps").</param>
    /// <returns>Whether a checkpoint was written.</returns>
    private static bool TryTrainWineCheckpoint(string directory, long trainingSteps)
    {
        using var wine = BuiltInDatasets.Load("wine");
        var standardization = DataStandardization.Fit(wine.Samples, wine.FeatureNames);
        using var standardized = standardization.Standardize(wine.Samples);
        using var data = new TensorDataSource(standardized, standardization: standardization, featureNames: wine.FeatureNames);
        torch.manual_seed(0); // the network's initial weights
        var denoiser = new MlpDenoiser(wine.FeatureNames.Count, new MlpDenoiserOptions { Width = 128, Depth = 3, TimeEmbeddingDimension = 64 });
        var result = DiffusionTrainer.Train(
            denoiser,
            data,
            new DiffusionTrainerOptions
            {
                Steps = trainingSteps,
                BatchSize = 128,
                Seed = 0,
                Sampling = new DiffusionModelOptions { Sampler = "ddim", Steps = 50 },
            });
        using var model = result.Model;
        model.Save(directory);
        return true;
    }

    public void Log(ILogger logger)
    {
        if (_warning)
        {
            logger.LogWarning("{Message}", _message);
        }
        else
        {
            logger.LogInformation("{Message}", _message);
        }
    }
}

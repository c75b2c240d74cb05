using Microsoft.Extensions.DependencyInjection;

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
        if (!File.Exists(Path.Combine(directory, "config.json")) && !TryTrainWineCheckpoint(directory))
        {
            return new ReadyModel(
                $"No ready model: '{directory}' holds no checkpoint and this build cannot train one yet (the core " +
                "library's training and checkpoint APIs are missing). Configure models under Generative:Models.",
                warning: true);
        }

        generative.AddModel(name, directory, options =>
        {
            options.Sampler = "ddim";
            options.Steps = 50;
            options.Eta = 0;
            options.MaxCount = 5_000;
        });
        return new ReadyModel($"Serving the ready model '{name}' from '{directory}'.", warning: false);
    }

    /// <summary>
    /// Trains a small diffusion model on the built-in wine table and saves its checkpoint in <paramref name="directory"/>.
    /// </summary>
    /// <returns>Whether a checkpoint was written.</returns>
    /// <remarks>
    /// The one function to fill in once the core library has training and checkpoints (issue 7): load the wine data
    /// set, train a tabular diffusion model for a minute on the CPU with a fixed seed, and save it with
    /// <c>Generative.Checkpoints.ModelCheckpoint.Save(model, directory)</c>. Until then no checkpoint can be made.
    /// </remarks>
    private static bool TryTrainWineCheckpoint(string directory)
    {
        _ = directory;
        return false;
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

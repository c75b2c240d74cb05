using System.Globalization;
using System.Text.Json.Nodes;
using Generative.Data;
using Generative.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.CustomSampler;

/// <summary>
/// A model built only from a plugin's parts, across processes: <c>train</c> loads the plugin assembly, trains its denoiser
/// network on two Gaussian blobs (with the trainer's EMA copy), saves the model and prints samples drawn with the plugin's
/// sampler by name; <c>load</c>, in a fresh process, loads the plugin and the saved model and prints the same draw.
/// Nothing here references the plugin: it is loaded from its path.
/// </summary>
public static class PluginRoundTrip
{
    /// <summary>Runs one side: <c>plugin train|load PLUGIN.dll MODEL_DIR</c>.</summary>
    /// <param name="mode"><c>train</c> or <c>load</c>.</param>
    /// <param name="pluginPath">The plugin assembly.</param>
    /// <param name="directory">Where the model is saved / loaded.</param>
    /// <param name="output">Where the samples are printed.</param>
    public static void Run(string mode, string pluginPath, string directory, TextWriter output)
    {
        foreach (string plugin in GenerativePlugins.LoadFrom(pluginPath))
        {
            output.WriteLine($"loaded {plugin}");
        }

        DiffusionModel model;
        if (mode == "train")
        {
            // A registered type is built from its description; its initial weights come from the generator given, so the run
            // is the same every time.
            using var g = new Generator(0);
            var network = DenoiserRegistry.Default.Create(new JsonObject { ["type"] = "example-mlp", ["features"] = 2, ["hidden"] = 32 }, g);
            using var points = cat([randn([256, 2], generator: g) * 0.1 + 2, randn([256, 2], generator: g) * 0.1 - 2], 0);
            var standardization = DataStandardization.Fit(points);
            using var standardized = standardization.Standardize(points);
            using var data = new TensorDataSource(standardized, standardization: standardization);
            model = DiffusionTrainer.Train(network, data, new DiffusionTrainerOptions { Steps = 1000, BatchSize = 64, Seed = 1 }).Model;
            model.Save(directory);
        }
        else
        {
            model = DiffusionModel.Load(directory);
        }

        using (model)
        {
            using var samples = model.Sample(8, new Generator(5), new SamplingOptions { Sampler = "euler", Steps = 10 });
            output.WriteLine($"network {model.Denoiser.GetType().FullName}, EMA {model.EmaDenoiser?.GetType().Name ?? "none"}");
            output.WriteLine("samples " + string.Join(" ", samples.data<float>().ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
    }
}

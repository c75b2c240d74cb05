using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Generative.Samples.Tests;

/// <summary>
/// A model made only of a plugin's parts, across processes, with no edit in src/: one process loads
/// samples/Generative.PluginExample by its path, trains the plugin's denoiser network (the trainer makes its EMA copy
/// through the network registry), saves the model and samples it with the plugin's sampler by name; a fresh process
/// loads the plugin and the saved model and draws the same samples to the last digit.
/// </summary>
public sealed class PluginRoundTripTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "plugin-roundtrip-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_plugin_network_trained_and_saved_in_one_process_samples_the_same_in_a_fresh_one()
    {
        string plugin = Built("Generative.PluginExample", "Generative.PluginExample.dll");
        string trained = Run("train", plugin);
        string loaded = Run("load", plugin);

        File.ReadAllText(Path.Combine(_dir, "config.json")).Should().Contain("\"type\": \"example-mlp\"");
        string Samples(string output) => output.Split('\n').Single(l => l.StartsWith("samples ", StringComparison.Ordinal)).Trim();
        trained.Should().Contain("network Generative.Samples.PluginExample.ExampleDenoiser, EMA ExampleDenoiser");
        loaded.Should().Contain("network Generative.Samples.PluginExample.ExampleDenoiser, EMA ExampleDenoiser");
        Samples(loaded).Should().Be(Samples(trained));
        // Two blobs at ±2: the draw lies around them on average, so the model was trained, not just copied.
        Samples(trained)["samples ".Length..].Split(' ').Select(v => Math.Abs(float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)))
            .Average().Should().BeInRange(1f, 3f);
    }

    private string Run(string mode, string plugin)
    {
        string exe = Built("Generative.CustomSampler", "Generative.CustomSampler.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { exe, "plugin", mode, plugin, _dir })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, error);
        return output.Result;
    }

    private static string Built(string project, string file, [CallerFilePath] string path = "")
    {
        string framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
        string built = Path.Combine(root, "samples", project, "bin", configuration, framework, file);
        File.Exists(built).Should().BeTrue($"{built} is built by the solution before this project's tests (dotnet build Generative.sln)");
        return built;
    }
}

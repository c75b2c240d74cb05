using System.CommandLine;
using static Generative.Samples.SampleCommandLine;

namespace Generative.Samples.TabularSynthesis;

/// <summary>The sample's command line: <c>dotnet run -c Release --project samples/Generative.TabularSynthesis -- [options]</c>.</summary>
public static class TabularCommand
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs the sample: exit code 0 after a run or <c>--help</c>, 2 on a bad command line
    /// (the error, naming the option, goes to <paramref name="error"/>). The positional form of earlier versions,
    /// <c>[diffusionSteps] [ganSteps] [outputDirectory]</c>, still works.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the help and the run's log go.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="run">What to do with the settings; by default <see cref="TabularSynthesis.Run"/>, logging to <paramref name="output"/>.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<TabularSettings>? run = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var defaults = new TabularSettings();
        var diffusionSteps = WholeNumber("--diffusion-steps", "training steps of the conditional diffusion model (0 skips it)", defaults.DiffusionSteps, 0, 10_000_000);
        var ganSteps = WholeNumber("--gan-steps", "training steps of the conditional WGAN-GP (0 skips it)", defaults.GanSteps, 0, 10_000_000);
        var perReal = WholeNumber("--synthetic-per-real", "synthetic rows drawn per real training row", defaults.SyntheticPerReal, 1, 100);
        var outputDirectory = Text("--output", "DIR", "where the synthetic CSV files and the saved models go", defaults.OutputDirectory);
        var seed = WholeNumber("--seed", "seed of the split, the training runs and the sampling", defaults.Seed, 0, int.MaxValue);
        var command = new RootCommand(
            "Wine table to synthetic rows (conditional diffusion model and WGAN-GP), scored by train-on-synthetic/test-on-real accuracy. The defaults take a couple of minutes on 2 cores; e.g. --diffusion-steps 20000 --gan-steps 20000 for a longer run.")
        {
            diffusionSteps, ganSteps, perReal, outputDirectory, seed,
        };

        var line = FromPositional(args, "--diffusion-steps", "--gan-steps", "--output");
        return Invoke(command, line, output, error, parsed =>
        {
            var settings = new TabularSettings(
                DiffusionSteps: parsed.GetValue(diffusionSteps),
                GanSteps: parsed.GetValue(ganSteps),
                SyntheticPerReal: (int)parsed.GetValue(perReal),
                OutputDirectory: parsed.GetValue(outputDirectory)!,
                Seed: parsed.GetValue(seed));
            (run ?? (s => TabularSynthesis.Run(s, output)))(settings);
            return 0;
        });
    }
}

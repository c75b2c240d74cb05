using System.CommandLine;
using static Generative.Samples.SampleCommandLine;

namespace Generative.Samples.Digits;

/// <summary>The sample's command line: <c>dotnet run -c Release --project samples/Generative.Digits -- [options]</c>.</summary>
public static class DigitsCommand
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs the sample: exit code 0 after a run or <c>--help</c>, 2 on a bad command line
    /// (the error, naming the option, goes to <paramref name="error"/>). The positional form of earlier versions,
    /// <c>[diffusionSteps] [ganSteps] [sampler] [samplerSteps] [outputDirectory]</c>, still works.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the help and the run's log go.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="run">What to do with the settings; by default <see cref="DigitsDemo.Run"/>, logging to <paramref name="output"/>.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<DigitsSettings>? run = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var defaults = new DigitsSettings();
        var diffusionSteps = WholeNumber("--diffusion-steps", "training steps of the UNet denoiser", defaults.DiffusionSteps, 1, 10_000_000);
        var ganSteps = WholeNumber("--gan-steps", "training steps of the GAN", defaults.GanSteps, 1, 10_000_000);
        var sampler = OneOf("--sampler", "the diffusion sampler", defaults.Sampler, "ddpm", "ddim");
        var samplerSteps = WholeNumber("--sampler-steps", "denoising steps (of the 1000 the model is trained with)", defaults.SamplerSteps, 1, 1000);
        var images = WholeNumber("--images", "images drawn from each model", defaults.ImagesPerModel, 1, 10_000);
        var classifierEpochs = WholeNumber("--classifier-epochs", "epochs of the digit classifier that labels the samples (0 skips the evaluation)", defaults.ClassifierEpochs, 0, 1000);
        var outputDirectory = Text("--output", "DIR", "where the PNG grids go", defaults.OutputDirectory);
        var seed = WholeNumber("--seed", "seed of everything", defaults.Seed, 0, int.MaxValue);
        var command = new RootCommand(
            "DDPM (UNet) and a hinge-loss GAN on the 8×8 digits, with PNG grids side by side. Longer runs (e.g. --diffusion-steps 20000 --gan-steps 20000) draw better digits.")
        {
            diffusionSteps, ganSteps, sampler, samplerSteps, images, classifierEpochs, outputDirectory, seed,
        };

        var line = FromPositional(args, "--diffusion-steps", "--gan-steps", "--sampler", "--sampler-steps", "--output");
        return Invoke(command, line, output, error, parsed =>
        {
            var settings = new DigitsSettings(
                DiffusionSteps: parsed.GetValue(diffusionSteps),
                GanSteps: parsed.GetValue(ganSteps),
                Sampler: parsed.GetValue(sampler)!,
                SamplerSteps: (int)parsed.GetValue(samplerSteps),
                ImagesPerModel: (int)parsed.GetValue(images),
                ClassifierEpochs: (int)parsed.GetValue(classifierEpochs),
                OutputDirectory: parsed.GetValue(outputDirectory)!,
                Seed: parsed.GetValue(seed));
            (run ?? (s => DigitsDemo.Run(s, output)))(settings);
            return 0;
        });
    }
}

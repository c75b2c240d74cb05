using System.Globalization;
using Generative.Samples.Digits;

// Usage: dotnet run -c Release --project samples/Generative.Digits -- [diffusionSteps] [ganSteps] [sampler] [samplerSteps] [outputDirectory]
// Defaults: 500 diffusion steps, 1000 GAN steps, DDPM sampler with 250 steps, PNGs in ./digits-output. Longer runs (e.g. 20000 20000) draw better digits.
var settings = new DigitsSettings(
    DiffusionSteps: args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 500,
    GanSteps: args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1000,
    Sampler: args.Length > 2 ? args[2] : "ddpm",
    SamplerSteps: args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 250,
    OutputDirectory: args.Length > 4 ? args[4] : "digits-output");
DigitsDemo.Run(settings, Console.Out);

using System.Globalization;
using Generative.Samples.TabularSynthesis;

// Usage: dotnet run -c Release --project samples/Generative.TabularSynthesis -- [diffusionSteps] [ganSteps] [outputDirectory]
// Defaults: 2000 steps each (a couple of minutes on 2 cores); pass e.g. 20000 20000 for a longer run.
var settings = new TabularSettings(
    DiffusionSteps: args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 2000,
    GanSteps: args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 2000,
    OutputDirectory: args.Length > 2 ? args[2] : "tabular-output");
TabularSynthesis.Run(settings, Console.Out);

using System.Globalization;
using Generative.Samples.CustomSampler;

// Usage: dotnet run --project samples/Generative.CustomSampler -c Release -- [trainingSteps] [samplingSteps] [samples]
//    or: ... -- plugin train|load PLUGIN.dll MODEL_DIR   (a model made of a plugin's network and sampler, across processes)
if (args.Length == 4 && args[0] == "plugin")
{
    PluginRoundTrip.Run(args[1], args[2], args[3], Console.Out);
    return;
}

long trainingSteps = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1500;
int samplingSteps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
int sampleCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
CustomSamplerDemo.Run(new CustomSamplerSettings(trainingSteps, samplingSteps, sampleCount), Console.Out);

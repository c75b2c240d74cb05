using Generative.Samples.TabularSynthesis;

// dotnet run -c Release --project samples/Generative.TabularSynthesis -- [options]   (--help lists them)
// Defaults: 2000 steps each (a couple of minutes on 2 cores), CSVs and models in ./tabular-output.
return TabularCommand.Run(args, Console.Out, Console.Error);

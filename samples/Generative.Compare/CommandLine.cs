using System.CommandLine;
using System.Globalization;
using Generative.Comparison;
using Generative.Data.BuiltIn;
using Generative.Samples;

namespace Generative.Compare;

/// <summary>A bad option value, reported by System.CommandLine as the option's error (exit code 2).</summary>
internal sealed class CommandLineException(string message) : Exception(message);

/// <summary>The parsed command line of the comparison command.</summary>
internal sealed record CommandLine
{
    public string Dataset { get; init; } = "grid";
    public string? LabelColumn { get; init; }
    public string? Target { get; init; }
    public string? Condition { get; init; }
    public bool Tables { get; init; }
    public ComparisonBudget? Budget { get; init; }

    public static ComparisonBudget DefaultBudget(ComparisonData data) =>
        new(data.SampleShape.Rank > 1 ? 1_000 : 10_000);

    public int Threads { get; init; } = 1;
    public IReadOnlyList<long> Seeds { get; init; } = [0];

    /// <summary>The seed that draws a generated data set and splits a CSV: <c>--data-seed</c>, else the first of the seeds.</summary>
    public long DataSeed => ExplicitDataSeed ?? Seeds[0];

    public long? ExplicitDataSeed { get; init; }
    public int Samples { get; init; } = 2_500;
    public long TrainCount { get; init; } = 20_000;
    public IReadOnlyList<string>? Contenders { get; init; }
    public IReadOnlyList<double> Fractions { get; init; } = [];
    public string Output { get; init; } = "comparison-report";
    public string? Json { get; init; }
    public bool Quiet { get; init; }
    public string? Recipe { get; init; }
    public long? CurveEvery { get; init; }

    /// <summary>
    /// Parses <paramref name="args"/>: <c>--help</c> prints the options (exit 0); a bad command line prints the error and a
    /// pointer to <c>--help</c> to <paramref name="error"/> (exit 2); otherwise the exit code is <paramref name="run"/>'s.
    /// </summary>
    public static int Invoke(IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<CommandLine, int> run)
    {
        // Plugins first: the names they register (contenders, samplers) must be known when --contenders is read.
        foreach (string path in PluginPaths(args))
        {
            try
            {
                foreach (string plugin in GenerativePlugins.LoadFrom(path))
                {
                    output.WriteLine($"Loaded plugin {plugin} from {path}");
                }
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or BadImageFormatException or FileLoadException)
            {
                error.WriteLine($"--plugin: {e.Message}");
                return 2;
            }
        }

        var defaults = new CommandLine();
        var dataset = Checked<string>("--dataset", "NAME|PATH",
            $"{string.Join(", ", BuiltInDatasets.Names)}; the business tables {string.Join(", ", TableData.BuiltIn.Keys)} (tabular synthesizers); or a CSV file (.csv or .csv.gz; numeric columns only: the comparison above, else a business table)",
            defaults.Dataset, CheckDataset);
        var label = new Option<string?>("--label") { HelpName = "COLUMN", Description = "for a numeric CSV: the class column (then the table metrics apply)" };
        var target = new Option<string?>("--target") { HelpName = "COLUMN", Description = "for a business table: the column machine-learning efficacy predicts (default: income for adult, Species for penguins; none for a CSV); a CSV with --target is compared as a business table" };
        var condition = new Option<string?>("--condition")
        {
            HelpName = "COLUMN=VALUE",
            Description = "for a business table: also time sampling as many rows with this category fixed (e.g. sex=Female; the value matched ignoring surrounding spaces) and count the rows that satisfy it",
        };
        var tables = new Option<bool>("--tables") { Description = "compare a numeric CSV as a business table (with the tabular synthesizers)" };
        var budget = Checked<ComparisonBudget?>("--budget", "B",
            "per contender: steps, a duration (90s, 2m), network evaluations of training (90000nfe: forward + backward passes over a batch; each contender runs the most steps within them), or several (10000,90s); default 10000 steps, 1000 for images (one 8×8 UNet step takes about 0.9 s on 2 cores)",
            null, ParseBudget);
        var seeds = Checked<IReadOnlyList<long>>("--seeds", "LIST", "comma-separated seeds; several give mean ± standard deviation", defaults.Seeds, ParseSeeds);
        var dataSeed = Checked<long?>("--data-seed", "N",
            "the seed that draws a generated data set or splits a labelled CSV (default: the first of --seeds; a business table's split is fixed); give it to run the seeds of one comparison in separate processes on the same data (--seeds 1,2 equals --seeds 1 and --seeds 2 --data-seed 1)",
            null, ParseDataSeed);
        var samples = SampleCommandLine.WholeNumber("--samples", "samples drawn per contender for the metrics", defaults.Samples, 100, 1_000_000);
        var trainCount = SampleCommandLine.WholeNumber("--train-count", "training samples drawn for generated data sets", defaults.TrainCount, 100, 10_000_000);
        var contenders = Checked<IReadOnlyList<string>?>("--contenders", "LIST",
            $"{string.Join(", ", ContenderRegistry.Default.Keys)}, and those of --plugin assemblies (default: gan,wgan-gp,diffusion); on a business table the tabular synthesizers {string.Join(", ", Generative.TabularSynthesis.TableSynthesizerRegistry.Default.Keys)} (default: all registered)", null, ParseContenders);
        var plugins = new Option<string[]>("--plugin")
        {
            HelpName = "PATH",
            Description = "an assembly whose IGenerativePlugin classes register samplers, networks or contenders (repeatable; loaded before the other options are read)",
        };
        var fractions = Checked<IReadOnlyList<double>>("--fractions", "LIST",
            "also measure sample efficiency on these fractions of the data (e.g. 0.1,0.3,1)", defaults.Fractions, ParseFractions);
        var outputFolder = SampleCommandLine.Text("--output", "DIR", "report folder", defaults.Output);
        var json = new Option<string?>("--json") { HelpName = "PATH", Description = "also write the machine-readable result there" };
        var threads = SampleCommandLine.WholeNumber("--threads", "libtorch threads (1: these networks are small, and libtorch's spinning threads slow down badly when anything else shares the cores)", defaults.Threads, 1, 256);
        var quiet = new Option<bool>("--quiet") { Description = "no progress bars" };
        var recipe = Checked<string?>("--recipe", "NAME",
            "a published protocol's preset of the options above (those given explicitly win): " +
            string.Join("; ", ComparisonRecipes.All.Select(r => $"{r.Key} = {r.Value.Description}")), null, CheckRecipe);
        var curve = Checked<long?>("--curve", "N",
            "instead of the comparison: train each GAN contender once per seed and print its modes / high quality / KL every N steps (mixtures only)", null, ParseCurve);
        var command = new RootCommand("Trains GANs and a diffusion model on the same data under the same budget and reports how they compare.")
        {
            dataset, label, target, condition, tables, budget, seeds, dataSeed, samples, trainCount, contenders, plugins, fractions, outputFolder, json, threads, quiet, recipe, curve,
        };

        return SampleCommandLine.Invoke(command, args, output, error, parsed =>
        {
            var preset = parsed.GetValue(recipe) is { } name ? ComparisonRecipes.All[name] : null;
            bool given(Option option) => parsed.GetResult(option) is { Implicit: false };
            return run(new CommandLine
            {
                Dataset = preset is not null && !given(dataset) ? preset.Dataset : parsed.GetValue(dataset)!,
                LabelColumn = parsed.GetValue(label),
                Target = parsed.GetValue(target),
                Condition = parsed.GetValue(condition),
                Tables = parsed.GetValue(tables),
                Budget = preset is not null && !given(budget) ? preset.Budget : parsed.GetValue(budget),
                Seeds = preset is not null && !given(seeds) ? preset.Seeds : parsed.GetValue(seeds)!,
                ExplicitDataSeed = parsed.GetValue(dataSeed),
                Samples = preset is not null && !given(samples) ? preset.Samples : (int)parsed.GetValue(samples),
                TrainCount = preset is not null && !given(trainCount) ? preset.TrainCount : parsed.GetValue(trainCount),
                Contenders = preset is not null && !given(contenders) ? preset.Contenders : parsed.GetValue(contenders),
                Fractions = parsed.GetValue(fractions)!,
                Output = parsed.GetValue(outputFolder)!,
                Json = parsed.GetValue(json),
                Threads = (int)parsed.GetValue(threads),
                Quiet = parsed.GetValue(quiet),
                Recipe = parsed.GetValue(recipe),
                CurveEvery = parsed.GetValue(curve),
            });
        });
    }

    private static string CheckRecipe(string value) =>
        ComparisonRecipes.All.ContainsKey(value.Trim())
            ? value.Trim().ToLowerInvariant()
            : throw new CommandLineException($"--recipe: unknown recipe '{value}'; known: {string.Join(", ", ComparisonRecipes.All.Keys)}.");

    private static long? ParseDataSeed(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)
            ? n
            : throw new CommandLineException($"--data-seed: '{value}' is not a whole number.");

    private static long? ParseCurve(string value) =>
        long.TryParse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= 1
            ? n
            : throw new CommandLineException($"--curve: '{value}' is not a positive number of steps.");

    /// <summary>An option whose value <paramref name="parse"/> checks; its <see cref="CommandLineException"/> becomes the option's error.</summary>
    private static Option<T> Checked<T>(string name, string helpName, string description, T defaultValue, Func<string, T> parse) => new(name)
    {
        HelpName = helpName,
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return defaultValue;
            }

            try
            {
                return parse(result.Tokens[0].Value);
            }
            catch (CommandLineException e)
            {
                result.AddError(e.Message);
                return defaultValue;
            }
        },
    };

    /// <summary>The values of every <c>--plugin PATH</c> and <c>--plugin=PATH</c> in the arguments, in order.</summary>
    private static IEnumerable<string> PluginPaths(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--plugin" && i + 1 < args.Count)
            {
                yield return args[++i];
            }
            else if (args[i].StartsWith("--plugin=", StringComparison.Ordinal) || args[i].StartsWith("--plugin:", StringComparison.Ordinal))
            {
                yield return args[i]["--plugin=".Length..];
            }
        }
    }

    private static IReadOnlyList<long> ParseSeeds(string value)
    {
        var seeds = ParseList("--seeds", value, s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));
        return seeds.Distinct().Count() == seeds.Count ? seeds : throw new CommandLineException("--seeds: the seeds must be distinct.");
    }

    private static string CheckDataset(string value)
    {
        if (BuiltInDatasets.Contains(value) || TableData.BuiltIn.ContainsKey(value.Trim()))
        {
            return value.Trim().ToLowerInvariant();
        }

        if (value.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase) || File.Exists(value))
        {
            if (!File.Exists(value))
            {
                throw new CommandLineException($"--dataset: the file '{value}' does not exist.");
            }

            return value;
        }

        throw new CommandLineException($"--dataset: unknown data set '{value}'; known: {string.Join(", ", BuiltInDatasets.Names.Concat(TableData.BuiltIn.Keys))}, or a CSV file path.");
    }

    private static ComparisonBudget ParseBudget(string value)
    {
        try
        {
            return ComparisonBudget.Parse(value);
        }
        catch (FormatException e)
        {
            throw new CommandLineException("--budget: " + e.Message);
        }
    }

    private static IReadOnlyList<T> ParseList<T>(string option, string value, Func<string, T> parse)
    {
        try
        {
            var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToList();
            return items.Count > 0 ? items : throw new CommandLineException($"{option}: the list is empty.");
        }
        catch (FormatException)
        {
            throw new CommandLineException($"{option}: '{value}' is not a comma-separated list of numbers.");
        }
        catch (OverflowException)
        {
            throw new CommandLineException($"{option}: '{value}' has a number out of range.");
        }
    }

    private static IReadOnlyList<double> ParseFractions(string value)
    {
        var fractions = ParseList("--fractions", value, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));
        foreach (double f in fractions)
        {
            if (!(f > 0 && f <= 1))
            {
                throw new CommandLineException($"--fractions: {f} is not in (0, 1].");
            }
        }

        return fractions;
    }

    private static IReadOnlyList<string> ParseContenders(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        // Names of tabular synthesizers are for business tables (checked against the data set when it is known).
        if (names.Count > 0 && names.All(Generative.TabularSynthesis.TableSynthesizerRegistry.Default.Contains))
        {
            return names;
        }

        try
        {
            _ = ContenderRegistry.Default.Create(names);
        }
        catch (ArgumentException e)
        {
            throw new CommandLineException("--contenders: " + e.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }

        return names.Count > 0 ? names : throw new CommandLineException("--contenders: the list is empty.");
    }
}

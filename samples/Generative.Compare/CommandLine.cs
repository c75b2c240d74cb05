using System.Globalization;
using Generative.Comparison;
using Generative.Data.BuiltIn;

namespace Generative.Compare;

/// <summary>A command-line error: printed with a pointer to --help, exit code 2.</summary>
internal sealed class CommandLineException(string message) : Exception(message);

/// <summary>The parsed command line of the comparison command.</summary>
internal sealed record CommandLine
{
    public const string Usage = """
        Trains GANs and a diffusion model on the same data under the same budget and reports how they compare.

        Usage: dotnet run --project samples/Generative.Compare -c Release -- [options]

          --dataset NAME|PATH  ring, grid (default), swissroll, moons, checkerboard, digits, stacked-digits,
                               wine, breast-cancer, or a CSV file (header row, numeric columns)
          --label COLUMN       for a CSV: the class column (then the table metrics apply)
          --budget B           per contender: steps, a duration (90s, 2m) or both (10000,90s); default 10000 steps,
                               1000 for images (one 8×8 UNet step takes about 0.9 s on 2 cores)
          --seeds LIST         comma-separated seeds (default 0); several give mean ± standard deviation
          --samples N          samples drawn per contender for the metrics (default 2500)
          --train-count N      training samples drawn for generated data sets (default 20000)
          --contenders LIST    gan, wgan-gp, wgan-gp-sn, diffusion (default: gan,wgan-gp,diffusion)
          --fractions LIST     also measure sample efficiency on these fractions of the data (e.g. 0.1,0.3,1)
          --output DIR         report folder (default comparison-report)
          --json PATH          also write the machine-readable result there
          --threads N          libtorch threads (default 1: these networks are small, and libtorch's spinning
                               threads slow down badly when anything else shares the cores)
          --quiet              no progress bars
          -h, --help           this text
        """;

    public string Dataset { get; init; } = "grid";
    public string? LabelColumn { get; init; }
    public ComparisonBudget? Budget { get; init; }

    public static ComparisonBudget DefaultBudget(ComparisonData data) =>
        new(data.SampleShape.Rank > 1 ? 1_000 : 10_000);

    public int Threads { get; init; } = 1;
    public IReadOnlyList<long> Seeds { get; init; } = [0];
    public int Samples { get; init; } = 2_500;
    public long TrainCount { get; init; } = 20_000;
    public IReadOnlyList<string>? Contenders { get; init; }
    public IReadOnlyList<double> Fractions { get; init; } = [];
    public string Output { get; init; } = "comparison-report";
    public string? Json { get; init; }
    public bool Quiet { get; init; }
    public bool Help { get; init; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"{arg} needs a value.");
                }

                return args[++i];
            }

            result = arg switch
            {
                "-h" or "--help" => result with { Help = true },
                "--quiet" => result with { Quiet = true },
                "--threads" => result with { Threads = (int)ParsePositive(arg, Value(), min: 1, max: 256) },
                "--dataset" => result with { Dataset = CheckDataset(Value()) },
                "--label" => result with { LabelColumn = Value() },
                "--budget" => result with { Budget = ParseBudget(Value()) },
                "--seeds" => result with { Seeds = ParseList(arg, Value(), s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)) },
                "--samples" => result with { Samples = (int)ParsePositive(arg, Value(), min: 100, max: 1_000_000) },
                "--train-count" => result with { TrainCount = ParsePositive(arg, Value(), min: 100, max: 10_000_000) },
                "--contenders" => result with { Contenders = ParseContenders(Value()) },
                "--fractions" => result with { Fractions = ParseFractions(Value()) },
                "--output" => result with { Output = Value() },
                "--json" => result with { Json = Value() },
                _ => throw new CommandLineException($"Unknown option '{arg}'."),
            };
        }

        if (result.Seeds.Distinct().Count() != result.Seeds.Count)
        {
            throw new CommandLineException("--seeds: the seeds must be distinct.");
        }

        return result;
    }

    private static string CheckDataset(string value)
    {
        if (BuiltInDatasets.Contains(value))
        {
            return value.Trim().ToLowerInvariant();
        }

        if (value.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || File.Exists(value))
        {
            if (!File.Exists(value))
            {
                throw new CommandLineException($"--dataset: the file '{value}' does not exist.");
            }

            return value;
        }

        throw new CommandLineException($"--dataset: unknown data set '{value}'; known: {string.Join(", ", BuiltInDatasets.Names)}, or a CSV file path.");
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

    private static long ParsePositive(string option, string value, long min, long max)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) || n < min || n > max)
        {
            throw new CommandLineException($"{option}: '{value}' is not a whole number from {min} to {max}.");
        }

        return n;
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
        try
        {
            _ = ComparisonContenders.ByName(names);
        }
        catch (ArgumentException e)
        {
            throw new CommandLineException("--contenders: " + e.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }

        return names.Count > 0 ? names : throw new CommandLineException("--contenders: the list is empty.");
    }
}

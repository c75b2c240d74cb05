using System.IO.Compression;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using TorchSharp;

namespace Generative.Compare;

/// <summary>
/// A business table for the tabular comparison, split once (a <see cref="torch.Generator"/> seeded with
/// <see cref="SplitSeed"/>, the same split for every run and seed) into training rows the models learn from and held-out
/// rows the report scores against.
/// </summary>
/// <param name="Name">The data set's name (<c>adult</c>, <c>penguins</c>, or the file's name).</param>
/// <param name="Train">The rows the synthesizers are fitted to.</param>
/// <param name="Holdout">The rows they never see (the report's held-out rows).</param>
/// <param name="Target">The column machine-learning efficacy predicts, or <see langword="null"/> for none.</param>
internal sealed record TableData(string Name, Table Train, Table Holdout, string? Target)
{
    /// <summary>The seed of the train/held-out split (that of the <c>table-report</c> benchmark).</summary>
    public const ulong SplitSeed = 0;

    /// <summary>Adult's training rows: TabDDPM's 26,048 (the rest, 6,513 of the 32,561, held out).</summary>
    public const int AdultTrainRows = 26_048;

    /// <summary>The built-in tables, with their default targets.</summary>
    public static IReadOnlyDictionary<string, string> BuiltIn { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["adult"] = "income",
        ["penguins"] = "Species",
    };

    /// <summary>The name of Adult's resource in this assembly: the repository's test asset
    /// (tests/Generative.Tests/Tabular/Assets/adult.csv.gz, UCI Adult, CC BY 4.0) embedded at build time.</summary>
    public const string AdultResource = "Generative.Compare.adult.csv.gz";

    /// <summary>Whether the command compares tabular synthesizers on <paramref name="options"/>' data set: Adult, penguins,
    /// or a CSV file given with <c>--target</c> or <c>--tables</c>, or one that is not all numbers (text, empty cells).</summary>
    public static bool IsTable(CommandLine options)
    {
        if (BuiltIn.ContainsKey(options.Dataset.Trim()))
        {
            return true;
        }

        if (BuiltInDatasets.Contains(options.Dataset) || options.LabelColumn is not null)
        {
            return false;
        }

        if (options.Target is not null || options.Tables || options.Dataset.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // A CSV of numbers only, none missing, keeps the numeric comparison it always had.
        var table = ReadCsv(options.Dataset);
        return table.Columns.Any(c => c.Kind is not (ColumnKind.Continuous or ColumnKind.Integer) || c.MissingCount > 0);
    }

    /// <summary>Loads and splits the data set: Adult into 26,048 training and 6,513 held-out rows (TabDDPM's sizes),
    /// any other into 80 % and 20 % (rounded).</summary>
    /// <exception cref="ArgumentException">The target is not a column (the message lists them).</exception>
    public static TableData Load(string dataset, string? target)
    {
        string key = dataset.Trim();
        Table table;
        string name;
        if (BuiltIn.TryGetValue(key, out string? defaultTarget))
        {
            name = key.ToLowerInvariant();
            table = name == "adult" ? LoadAdult() : Tables.LoadPenguins();
            target ??= defaultTarget;
        }
        else
        {
            name = Path.GetFileName(dataset);
            table = ReadCsv(dataset);
        }

        if (target is not null && table.Find(target) is null)
        {
            throw new ArgumentException($"--target: '{target}' is not a column of {name}; its columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        }

        int trainRows = name == "adult" && table.RowCount == AdultTrainRows + 6_513
            ? AdultTrainRows
            : (int)Math.Round(table.RowCount * 0.8);
        if (trainRows < 2 || table.RowCount - trainRows < 2)
        {
            throw new ArgumentException($"{name} has {table.RowCount} rows; a comparison needs at least 2 training and 2 held-out rows.");
        }

        int[] order;
        using (var generator = new torch.Generator(SplitSeed))
        using (var permutation = torch.randperm(table.RowCount, generator: generator))
        {
            order = [.. permutation.data<long>().ToArray().Select(v => (int)v)];
        }

        return new TableData(name, table.SelectRows(order.Take(trainRows)), table.SelectRows(order.Skip(trainRows)), target);
    }

    /// <summary>UCI Adult (32,561 rows × 15, <c>?</c> missing), from the copy embedded in this command.</summary>
    public static Table LoadAdult()
    {
        using var stream = typeof(TableData).Assembly.GetManifestResourceStream(AdultResource)
            ?? throw new InvalidOperationException($"The resource {AdultResource} is not in {typeof(TableData).Assembly.GetName().Name}; rebuild the command.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return Table.ReadCsv(reader);
    }

    /// <summary>A CSV file (<c>.csv</c>, or gzip-compressed <c>.csv.gz</c>), kinds inferred.</summary>
    public static Table ReadCsv(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return Table.LoadCsv(path);
        }

        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return Table.ReadCsv(reader);
    }
}

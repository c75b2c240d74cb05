using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Generative.Tabular;
using TorchSharp;

namespace Generative.Comparison.Tables;

/// <summary>
/// One report on a synthetic table against real rows, with the definitions SDMetrics (QualityReport, DCR) and TabDDPM
/// (machine-learning efficacy) users know: column shapes, column pair trends and their quality score; a validity
/// diagnostic; detection (classifier AUC, real against synthetic); machine-learning efficacy (train on synthetic,
/// test on real held-out rows); privacy (distance to the closest training record, exact copies). Written as JSON
/// (<see cref="ToJson"/>) and as a page with pictures (<see cref="SavePage"/>). docs/table-report.md has the formulas.
/// </summary>
/// <param name="RealRows">Real training rows (what the model learned from).</param>
/// <param name="HoldoutRows">Real held-out rows (what it never saw).</param>
/// <param name="SyntheticRows">Synthetic rows.</param>
/// <param name="ColumnShapes">One per compared column (every column but ids).</param>
/// <param name="PairTrends">One per pair of compared columns.</param>
/// <param name="Validity">One per compared column.</param>
/// <param name="ValidRowShare">Share of synthetic rows whose every compared cell is valid.</param>
/// <param name="Detection">Detection; <see langword="null"/> when <see cref="TableReportOptions.Detection"/> is off.</param>
/// <param name="Efficacy">Machine-learning efficacy; <see langword="null"/> without a <see cref="TableReportOptions.Target"/>.</param>
/// <param name="Privacy">Distances to the closest record and exact copies.</param>
/// <param name="Distributions">Each compared column's histogram or category shares, for the pictures.</param>
/// <param name="Seconds">Seconds each part took (<c>shapes</c>, <c>trends</c>, <c>validity</c>, <c>privacy</c>,
/// <c>detection</c>, <c>efficacy</c>, <c>total</c>).</param>
public sealed record TableReport(
    int RealRows,
    int HoldoutRows,
    int SyntheticRows,
    IReadOnlyList<ColumnShape> ColumnShapes,
    IReadOnlyList<PairTrend> PairTrends,
    IReadOnlyList<ColumnValidity> Validity,
    double ValidRowShare,
    DetectionResult? Detection,
    EfficacyResult? Efficacy,
    PrivacyResult Privacy,
    IReadOnlyList<ColumnDistribution> Distributions,
    IReadOnlyDictionary<string, double> Seconds)
{
    /// <summary>The JSON format name.</summary>
    public const string FormatName = "generative-table-report";

    /// <summary>The JSON format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The mean column shape score (SDMetrics' "Column Shapes" property).</summary>
    public double ColumnShapesScore => MeanOfDefined(ColumnShapes.Select(s => s.Score));

    /// <summary>The mean of the defined pair trend scores (SDMetrics' "Column Pair Trends" property).</summary>
    public double PairTrendsScore => MeanOfDefined(PairTrends.Select(p => p.Score));

    /// <summary>SDMetrics' QualityReport score: the mean of <see cref="ColumnShapesScore"/> and <see cref="PairTrendsScore"/>
    /// (the shapes score alone when there is no pair).</summary>
    public double QualityScore => double.IsNaN(PairTrendsScore) ? ColumnShapesScore : (ColumnShapesScore + PairTrendsScore) / 2;

    /// <summary>Scores <paramref name="synthetic"/> against the real rows.</summary>
    /// <param name="realTrain">The real rows the synthetic ones were learned from (at least 2).</param>
    /// <param name="realHoldout">Real rows of the same columns and kinds that the model never saw (at least 1).</param>
    /// <param name="synthetic">The synthetic rows (at least 1): every real column by name; a column of another kind is
    /// read through its text, and cells that do not parse count as invalid (and as missing in the other metrics).</param>
    /// <param name="options">What to measure; defaults when <see langword="null"/>.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">A column is absent or of another kind in the held-out rows, absent from the
    /// synthetic rows, the target names no column or an unsuitable one, or there are too few rows (the message says which).</exception>
    public static TableReport Compute(Table realTrain, Table realHoldout, Table synthetic, TableReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(realTrain);
        ArgumentNullException.ThrowIfNull(realHoldout);
        ArgumentNullException.ThrowIfNull(synthetic);
        options ??= new TableReportOptions();
        options.Validate();
        if (realTrain.RowCount < 2 || realHoldout.RowCount < 1 || synthetic.RowCount < 1)
        {
            throw new ArgumentException(
                $"The report needs at least 2 real training rows, 1 held-out row and 1 synthetic row; got {realTrain.RowCount}, {realHoldout.RowCount} and {synthetic.RowCount}.");
        }

        var compared = realTrain.Columns.Where(c => c.Kind != ColumnKind.Id).ToList();
        if (compared.Count == 0)
        {
            throw new ArgumentException("The real table has only id columns; the report compares the others.", nameof(realTrain));
        }

        foreach (var column in compared)
        {
            var held = realHoldout.Find(column.Name) ?? throw new ArgumentException(
                $"The held-out rows have no column '{column.Name}'; they need every column of the training rows.", nameof(realHoldout));
            if (held.Kind != column.Kind)
            {
                throw new ArgumentException(
                    $"Column '{column.Name}' is {TableSchema.KindName(held.Kind)} in the held-out rows but {TableSchema.KindName(column.Kind)} in the training rows.", nameof(realHoldout));
            }

            _ = synthetic.Find(column.Name) ?? throw new ArgumentException(
                $"The synthetic rows have no column '{column.Name}'; their columns: {string.Join(", ", synthetic.Columns.Select(c => c.Name))}.", nameof(synthetic));
        }

        int target = -1;
        if (options.Target is string name)
        {
            target = compared.FindIndex(c => c.Name == name);
            if (target < 0)
            {
                throw new ArgumentException(
                    $"Target '{name}' is not a compared column; the compared columns (ids left out): {string.Join(", ", compared.Select(c => c.Name))}.", nameof(options));
            }
        }

        var total = Stopwatch.StartNew();
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        var train = compared.Select(c => ReportColumn.Read(c, c.Kind)).ToList();
        var holdout = compared.Select(c => ReportColumn.Read(realHoldout[c.Name], c.Kind)).ToList();
        var fake = compared.Select(c => ReportColumn.Read(synthetic[c.Name], c.Kind)).ToList();

        T Timed<T>(string part, Func<T> compute)
        {
            var watch = Stopwatch.StartNew();
            T result = compute();
            seconds[part] = watch.Elapsed.TotalSeconds;
            return result;
        }

        var shapes = Timed("shapes", () => ShapesAndTrends.Shapes(train, fake));
        var trends = Timed("trends", () => ShapesAndTrends.Trends(train, fake, options.ContingencyBins));
        var (validity, validRows) = Timed("validity", () => ValidityCheck.Compute(train, fake));
        var distributions = ShapesAndTrends.Distributions(train, fake, options);
        var privacy = Timed("privacy", () => DistanceToClosestRecord.Compute(train, holdout, fake, options.DistanceBlockRows));
        DetectionResult? detection = null;
        if (options.Detection)
        {
            using var generator = new torch.Generator((ulong)options.Seed);
            detection = Timed("detection", () => DetectionClassifiers.Compute(train, fake, options, generator));
        }

        EfficacyResult? efficacy = target >= 0 ? Timed("efficacy", () => EfficacyCheck.Compute(target, train, holdout, fake, options)) : null;
        seconds["total"] = total.Elapsed.TotalSeconds;
        return new TableReport(
            realTrain.RowCount, realHoldout.RowCount, synthetic.RowCount, shapes, trends, validity, validRows,
            detection, efficacy, privacy, distributions, seconds);
    }

    /// <summary>The report as indented JSON: <c>{"format": "generative-table-report", "version": 1, ...}</c> with every
    /// figure (camelCase names; an undefined score is <c>"NaN"</c>).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        var node = JsonSerializer.SerializeToNode(this, JsonOptions)!.AsObject();
        var root = new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion };
        foreach (var (key, value) in node.ToList())
        {
            node.Remove(key);
            root[key] = value;
        }

        return root.ToJsonString(JsonOptions);
    }

    /// <summary>Writes <see cref="ToJson"/> to a file (through a temporary file, so a reader never sees half of it).</summary>
    /// <param name="path">The file, e.g. <c>report.json</c>.</param>
    public void SaveJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        WriteAtomically(path, ToJson());
    }

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidDataException">It is not JSON, another format, a newer version, or lacks a part.</exception>
    public static TableReport FromJson(string json, string source = "(in memory)")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: a table report is a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not valid JSON: {e.Message}", e);
        }

        string? format = root["format"]?.GetValueKind() == JsonValueKind.String ? root["format"]!.GetValue<string>() : null;
        if (format != FormatName)
        {
            throw new InvalidDataException($"{source}: 'format' is '{format ?? "(none)"}'; a table report has '{FormatName}'.");
        }

        int version = root["version"]?.GetValueKind() == JsonValueKind.Number ? root["version"]!.GetValue<int>() : 0;
        if (version is < 1 or > FormatVersion)
        {
            throw new InvalidDataException($"{source}: report version {version} is not one this library reads (1 to {FormatVersion}).");
        }

        try
        {
            var report = root.Deserialize<TableReport>(JsonOptions) ?? throw new InvalidDataException($"{source}: the report is empty.");
            if (report.ColumnShapes is null || report.PairTrends is null || report.Validity is null || report.Privacy is null || report.Distributions is null || report.Seconds is null)
            {
                throw new InvalidDataException($"{source}: a table report needs 'columnShapes', 'pairTrends', 'validity', 'privacy', 'distributions' and 'seconds'.");
            }

            return report;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Reads a report file written by <see cref="SaveJson"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidDataException">The file is not a table report (see <see cref="FromJson"/>).</exception>
    public static TableReport LoadJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Writes the report as a page into <paramref name="directory"/>: <c>report.md</c> (the scores, per-column and
    /// per-pair tables), <c>report.json</c>, and the pictures <c>columns.png</c> (each column real against synthetic),
    /// <c>pairs.png</c> (pair trend scores and the correlation difference as heat maps) and <c>dcr.png</c> (the
    /// distance-to-closest-record histograms of synthetic and held-out rows).
    /// </summary>
    /// <param name="directory">The folder (created if needed).</param>
    /// <param name="title">The page's title.</param>
    /// <returns>The path of <c>report.md</c>.</returns>
    public string SavePage(string directory, string title = "Synthetic table report")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(title);
        Directory.CreateDirectory(directory);
        SaveJson(Path.Combine(directory, "report.json"));
        TablePictures.Columns(Path.Combine(directory, "columns.png"), title, Distributions);
        TablePictures.Pairs(Path.Combine(directory, "pairs.png"), title, ColumnShapes.Select(s => s.Column).ToList(), PairTrends);
        TablePictures.Distances(Path.Combine(directory, "dcr.png"), title, Privacy);
        string page = Path.Combine(directory, "report.md");
        WriteAtomically(page, TableReportPage.Markdown(this, title));
        return page;
    }

    internal static double MeanOfDefined(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count > 0 ? defined.Average() : double.NaN;
    }

    private static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, full, overwrite: true);
    }
}

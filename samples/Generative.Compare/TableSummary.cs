using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Generative.Compare;

/// <summary>One figure of the side-by-side summary: its JSON key, its column title, how it is read from a run, and how
/// many decimals it is shown with.</summary>
internal sealed record TableMetric(string Key, string Title, Func<TableRun, double?> Read, string Format);

/// <summary>
/// The side-by-side summary of a tabular comparison: one row per contender, each figure the mean ± sample standard
/// deviation over the seeds (just the value for one seed), written as <c>summary.md</c> and <c>summary.json</c>.
/// </summary>
internal static class TableSummary
{
    /// <summary>The figures, in the order of the summary's columns.</summary>
    public static IReadOnlyList<TableMetric> Metrics { get; } =
    [
        new("quality", "quality", r => r.Report.QualityScore, "0.0000"),
        new("columnShapes", "shapes", r => r.Report.ColumnShapesScore, "0.0000"),
        new("pairTrends", "pair trends", r => r.Report.PairTrendsScore, "0.0000"),
        new("validRows", "valid rows", r => r.Report.ValidRowShare, "0.000"),
        new("detectionAucBoosted", "detection AUC (trees)", r => r.Report.Detection?.BoostedAuc, "0.000"),
        new("detectionAucLogistic", "detection AUC (logistic)", r => r.Report.Detection?.LogisticAuc, "0.000"),
        new("f1RatioBoosted", "F1 ratio (trees)", r => r.Report.Efficacy?.BoostedRatio, "0.000"),
        new("f1RatioSimple", "F1 ratio (logistic)", r => r.Report.Efficacy?.SimpleRatio, "0.000"),
        new("dcrMedianSynthetic", "DCR median syn", r => r.Report.Privacy.SyntheticMedian, "0.0000"),
        new("dcrMedianHoldout", "DCR median held-out", r => r.Report.Privacy.HoldoutMedian, "0.0000"),
        new("exactCopiesSynthetic", "exact copies syn", r => r.Report.Privacy.SyntheticCopyShare, "0.0000"),
        new("exactCopiesHoldout", "exact copies held-out", r => r.Report.Privacy.HoldoutCopyShare, "0.0000"),
        new("trainSeconds", "train s", r => r.TrainSeconds, "0.0"),
        new("sampleSeconds", "sample s", r => r.SampleSeconds, "0.00"),
        new("conditionalSampleSeconds", "conditional sample s", r => r.ConditionalSampleSeconds, "0.00"),
        new("conditionalMatchShare", "conditional rows satisfying", r => r.ConditionalMatchShare, "0.000"),
        new("peakMegabytes", "peak MB", r => r.PeakMegabytes, "0"),
        new("peakAboveStartMegabytes", "peak MB above start", r => r.PeakAboveStartMegabytes, "0"),
    ];

    /// <summary>Mean and sample standard deviation (0 for one value) of the defined values, or <see langword="null"/> if none is defined.</summary>
    public static (double Mean, double Sd, int Count)? Aggregate(IEnumerable<double?> values)
    {
        double[] defined = [.. values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value)];
        if (defined.Length == 0)
        {
            return null;
        }

        double mean = defined.Average();
        double sd = defined.Length > 1 ? Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / (defined.Length - 1)) : 0;
        return (mean, sd, defined.Length);
    }

    /// <summary>Writes <c>summary.md</c> and <c>summary.json</c> into <paramref name="folder"/>.</summary>
    /// <returns>The markdown.</returns>
    public static string Write(TableData data, IReadOnlyList<TableRun> runs, IReadOnlyList<long> seeds, string folder, string command)
    {
        string markdown = Markdown(data, runs, seeds, folder, command);
        File.WriteAllText(Path.Combine(folder, "summary.md"), markdown);
        File.WriteAllText(Path.Combine(folder, "summary.json"), Json(data, runs, seeds, command).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return markdown;
    }

    private static IEnumerable<IGrouping<string, TableRun>> ByContender(IReadOnlyList<TableRun> runs) => runs.GroupBy(r => r.Contender);

    private static string Markdown(TableData data, IReadOnlyList<TableRun> runs, IReadOnlyList<long> seeds, string folder, string command)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"# Tabular comparison: {data.Name}");
        text.AppendLine();
        string target = data.Target is null ? "none (no machine-learning efficacy)" : $"`{data.Target}`";
        text.AppendLine(inv, $"{data.Train.RowCount:N0} training rows, {data.Holdout.RowCount:N0} held-out rows (split seed {TableData.SplitSeed}); target {target}; seeds {string.Join(", ", seeds)}; each contender samples as many rows as the training set. Mean ± sd over the seeds.");
        text.AppendLine();
        text.AppendLine(inv, $"Command: `{command}`");
        text.AppendLine();
        text.AppendLine("| contender | " + string.Join(" | ", Metrics.Select(m => m.Title)) + " |");
        text.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", Metrics.Count)));
        foreach (var group in ByContender(runs))
        {
            var cells = Metrics.Select(m => Aggregate(group.Select(m.Read)) is { } a
                ? (a.Count > 1 ? $"{a.Mean.ToString(m.Format, inv)} ± {a.Sd.ToString(m.Format, inv)}" : a.Mean.ToString(m.Format, inv))
                : "—");
            text.AppendLine(inv, $"| {group.Key} | {string.Join(" | ", cells)} |");
        }

        text.AppendLine();
        text.AppendLine("Each run's report (page with pictures, and JSON):");
        text.AppendLine();
        foreach (var run in runs)
        {
            string relative = Path.GetRelativePath(folder, run.Folder).Replace('\\', '/');
            text.AppendLine(inv, $"- {run.Contender}, seed {run.Seed}: [{relative}/report.md]({relative}/report.md), [{relative}/report.json]({relative}/report.json)");
        }

        text.AppendLine();
        text.AppendLine("Quality = mean of column shapes and pair trends (SDMetrics QualityReport rule); detection AUC: real training rows " +
            "against synthetic rows, 0.5 = indistinguishable; F1 ratio: macro F1 (R² for a numeric target) of a model trained on synthetic rows " +
            "over one trained on real rows, both tested on the held-out rows; DCR: distance to the closest training row (synthetic rows, and the " +
            "held-out rows for reference); peak MB: the process's resident memory during fit and sample. Definitions: docs/table-report.md.");
        return text.ToString();
    }

    private static JsonObject Json(TableData data, IReadOnlyList<TableRun> runs, IReadOnlyList<long> seeds, string command)
    {
        var contenders = new JsonArray();
        foreach (var group in ByContender(runs))
        {
            var metrics = new JsonObject();
            foreach (var m in Metrics)
            {
                metrics[m.Key] = Aggregate(group.Select(m.Read)) is { } a
                    ? new JsonObject { ["mean"] = a.Mean, ["sd"] = a.Sd, ["values"] = new JsonArray([.. group.Select(r => m.Read(r) is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null)]) }
                    : null;
            }

            contenders.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["seeds"] = new JsonArray([.. group.Select(r => (JsonNode)JsonValue.Create(r.Seed))]),
                ["metrics"] = metrics,
            });
        }

        return new JsonObject
        {
            ["format"] = "generative-table-comparison",
            ["version"] = 1,
            ["dataset"] = data.Name,
            ["trainRows"] = data.Train.RowCount,
            ["holdoutRows"] = data.Holdout.RowCount,
            ["splitSeed"] = TableData.SplitSeed,
            ["target"] = data.Target,
            ["seeds"] = new JsonArray([.. seeds.Select(s => (JsonNode)JsonValue.Create(s))]),
            ["command"] = command,
            ["contenders"] = contenders,
        };
    }
}

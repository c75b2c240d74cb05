using System.Globalization;
using Generative.Comparison;
using Spectre.Console;

namespace Generative.Compare;

/// <summary>The results table on the console, and the metric columns that apply to a kind of data.</summary>
internal static class ConsoleReport
{
    public static IReadOnlyList<(string Key, string Title)> MetricColumns(ComparisonDataKind kind) => kind switch
    {
        ComparisonDataKind.Mixture =>
            [("modesCaptured", "modes"), ("highQualityFraction", "high quality"), ("modeKl", "KL"), ("frechetDistance", "FD"), ("precision", "precision"), ("recall", "recall"), ("coverage", "coverage")],
        ComparisonDataKind.Digits or ComparisonDataKind.StackedDigits =>
            [("modesCaptured", "modes"), ("modeKl", "KL"), ("frechetDistance", "FD"), ("kernelDistance", "KID"), ("precision", "precision"), ("recall", "recall"), ("coverage", "coverage")],
        ComparisonDataKind.Table =>
            [("tstrAccuracy", "TSTR acc"), ("trtrAccuracy", "TRTR acc"), ("columnWasserstein", "W1/col"), ("correlationDifference", "corr diff"), ("frechetDistance", "FD"), ("precision", "precision"), ("recall", "recall")],
        _ => [("frechetDistance", "FD"), ("kernelDistance", "KID"), ("precision", "precision"), ("recall", "recall"), ("density", "density"), ("coverage", "coverage")],
    };

    public static string Format(MetricSummary summary, string key, bool withDeviation)
    {
        if (!double.IsFinite(summary.Mean))
        {
            return "n/a";
        }

        // The high-quality fraction reads as a percentage, as in README.md and docs/comparison.md ("22.5 %", "59.1 ± 18.6 %").
        bool percent = key == "highQualityFraction";
        double scale = percent ? 100 : 1;
        string format = key switch
        {
            "modesCaptured" or "modeCount" => "0.#",
            "highQualityFraction" => "0.0",
            "precision" or "recall" or "coverage" or "density" or "tstrAccuracy" or "trtrAccuracy" => "0.000",
            _ => "G4",
        };
        string text = (summary.Mean * scale).ToString(format, CultureInfo.InvariantCulture);
        if (withDeviation && summary.PerSeed.Count > 1)
        {
            text += " ± " + (summary.StandardDeviation * scale).ToString(format, CultureInfo.InvariantCulture);
        }

        return percent ? text + " %" : text;
    }

    public static void Print(ComparisonResult result, ComparisonDataKind kind)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(result.Dataset)}[/], {Markup.Escape(result.Budget.ToString())}, {result.Seeds.Count} seed(s)");
        table.AddColumn("contender");
        table.AddColumn("family");
        table.AddColumn(new TableColumn("NFE").RightAligned());
        table.AddColumn(new TableColumn("train s").RightAligned());
        table.AddColumn(new TableColumn("samples/s").RightAligned());
        var columns = MetricColumns(kind);
        foreach (var (_, title) in columns)
        {
            table.AddColumn(new TableColumn(title).RightAligned());
        }

        table.AddColumn(new TableColumn("loss var").RightAligned());
        foreach (var row in result.Contenders)
        {
            var cells = new List<string>
            {
                Markup.Escape(row.Name),
                row.Family.ToString().ToLowerInvariant(),
                row.NetworkEvaluationsPerSample.ToString(CultureInfo.InvariantCulture),
                Format(row.TrainSeconds, "trainSeconds", false),
                FormatRate(row),
            };
            foreach (var (key, _) in columns)
            {
                cells.Add(row.Metrics.TryGetValue(key, out var m) ? Format(m, key, true) : "—");
            }

            cells.Add(Format(row.LossVariance, "lossVariance", false));
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
        if (result.ClassifierAccuracy is { } accuracy)
        {
            AnsiConsole.MarkupLine($"Digit classifier behind the image metrics: held-out accuracy {accuracy:P1}.");
        }
    }

    /// <summary>Samples per second with the range of the timed batches, e.g. <c>2,017 (1,950–2,080)</c>.</summary>
    internal static string FormatRate(ContenderResult row) =>
        row.SamplesPerSecondSpread is { Runs: > 1 } spread
            ? string.Create(CultureInfo.InvariantCulture, $"{row.SamplesPerSecond.Mean:N0} ({spread.Low:N0}–{spread.High:N0})")
            : row.SamplesPerSecond.Mean.ToString("N0", CultureInfo.InvariantCulture);
}

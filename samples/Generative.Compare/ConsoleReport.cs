using System.Globalization;
using Generative.Comparison;
using Spectre.Console;

namespace Generative.Compare;

/// <summary>The results table on the console.</summary>
internal static class ConsoleReport
{
    public static void Print(ComparisonResult result, ComparisonDataKind kind)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(result.Dataset)}[/], {Markup.Escape(result.Budget.ToString())}, {result.Seeds.Count} seed(s)");
        table.AddColumn("contender");
        table.AddColumn("family");
        table.AddColumn(new TableColumn("NFE").RightAligned());
        table.AddColumn(new TableColumn("train s").RightAligned());
        table.AddColumn(new TableColumn("updates").RightAligned());
        table.AddColumn(new TableColumn("train NFE").RightAligned());
        table.AddColumn(new TableColumn("samples/s").RightAligned());
        var columns = MetricFormat.MetricColumns(kind);
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
                row.Family.Key,
                row.NetworkEvaluationsPerSample.ToString(CultureInfo.InvariantCulture),
                MetricFormat.Format(row.TrainSeconds, "trainSeconds", false),
                Markup.Escape(MetricFormat.FormatUpdates(row)),
                MetricFormat.FormatTrainingEvaluations(row),
                MetricFormat.FormatRate(row),
            };
            foreach (var (key, _) in columns)
            {
                cells.Add(row.Metrics.TryGetValue(key, out var m) ? MetricFormat.Format(m, key, true) : "—");
            }

            cells.Add(MetricFormat.Format(row.LossVariance, "lossVariance", false));
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
        if (result.ClassifierAccuracy is { } accuracy)
        {
            AnsiConsole.MarkupLine($"Digit classifier behind the image metrics: held-out accuracy {accuracy:P1}.");
        }
    }
}

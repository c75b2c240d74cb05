using System.Globalization;
using System.Text;

namespace Generative.Comparison.Tables;

/// <summary>The table report's Markdown page.</summary>
internal static class TableReportPage
{
    public static string Markdown(TableReport report, string title)
    {
        static string F(double v, string format = "0.000") => ShapesAndTrends.Format(v, format);
        static string P(double v) => double.IsNaN(v) ? "n/a" : (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + " %";
        static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Trim();
        var page = new StringBuilder();
        void Line(string text = "") => page.Append(text).Append('\n');
        Line($"# {title}");
        Line();
        Line($"{report.RealRows:N0} real training rows, {report.HoldoutRows:N0} real held-out rows, {report.SyntheticRows:N0} synthetic rows; computed in {F(report.Seconds.GetValueOrDefault("total"), "0.0")} s.");
        Line();
        Line("| figure | value | ideal |");
        Line("| --- | --- | --- |");
        Line($"| quality score (mean of shapes and pair trends, SDMetrics QualityReport) | {F(report.QualityScore)} | 1 |");
        Line($"| column shapes (mean KS / TV complement) | {F(report.ColumnShapesScore)} | 1 |");
        Line($"| column pair trends (mean correlation / contingency similarity) | {F(report.PairTrendsScore)} | 1 |");
        Line($"| fully valid synthetic rows | {P(report.ValidRowShare)} | 100 % |");
        if (report.Detection is { } d)
        {
            Line($"| detection AUC, logistic regression ({d.Folds}-fold) | {F(d.LogisticAuc)} | 0.5 |");
            Line($"| detection AUC, gradient-boosted trees ({d.Folds}-fold) | {F(d.BoostedAuc)} | 0.5 |");
        }

        if (report.Efficacy is { } e)
        {
            Line($"| {e.Metric} of '{Cell(e.Target)}', boosted trees: synthetic / real | {F(e.BoostedSynthetic)} / {F(e.BoostedReal)} = {F(e.BoostedRatio)} | ratio 1 |");
            Line($"| {e.Metric} of '{Cell(e.Target)}', {(e.Task == "regression" ? "ridge" : "logistic")} regression: synthetic / real | {F(e.SimpleSynthetic)} / {F(e.SimpleReal)} = {F(e.SimpleRatio)} | ratio 1 |");
        }

        var pr = report.Privacy;
        Line($"| median DCR: synthetic / real held-out | {F(pr.SyntheticMedian, "0.0000")} / {F(pr.HoldoutMedian, "0.0000")} | synthetic ≥ held-out |");
        Line($"| 5th percentile DCR: synthetic / real held-out | {F(pr.SyntheticFifthPercentile, "0.0000")} / {F(pr.HoldoutFifthPercentile, "0.0000")} | synthetic ≥ held-out |");
        Line($"| exact copies of a training row: synthetic / real held-out | {P(pr.SyntheticCopyShare)} / {P(pr.HoldoutCopyShare)} | synthetic ≤ held-out |");
        Line();
        Line("![Each column, real and synthetic](columns.png)");
        Line();
        Line("![Column pairs](pairs.png)");
        Line();
        Line("![Distance to the closest record](dcr.png)");
        Line();
        Line("## Columns");
        Line();
        Line("| # | column | kind | shape metric | score | missing real | missing synthetic | right kind | in range | valid cells |");
        Line("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int i = 0; i < report.ColumnShapes.Count; i++)
        {
            var s = report.ColumnShapes[i];
            var v = report.Validity[i];
            Line($"| {i + 1} | {Cell(s.Column)} | {s.Kind} | {s.Metric} | {F(s.Score)} | {P(s.RealMissingRate)} | {P(s.SyntheticMissingRate)} | {P(v.RightKindShare)} | {P(v.InRangeShare)} | {P(v.ValidShare)} |");
        }

        Line();
        Line("## Column pairs, worst first");
        Line();
        Line("| columns | metric | score | r real | r synthetic |");
        Line("| --- | --- | --- | --- | --- |");
        foreach (var t in report.PairTrends.OrderBy(t => double.IsNaN(t.Score) ? double.MaxValue : t.Score))
        {
            Line($"| {Cell(t.First)} × {Cell(t.Second)} | {t.Metric} | {F(t.Score)} | {F(t.RealCorrelation)} | {F(t.SyntheticCorrelation)} |");
        }

        Line();
        Line("Definitions: docs/table-report.md. Every figure is also in report.json.");
        return page.ToString();
    }
}

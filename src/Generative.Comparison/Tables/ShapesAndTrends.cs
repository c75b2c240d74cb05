using System.Globalization;
using Generative.Tabular;

namespace Generative.Comparison.Tables;

/// <summary>Column shapes, column pair trends and the per-column distributions the page draws.</summary>
internal static class ShapesAndTrends
{
    /// <summary>KS complement for numbers and dates (present values; missing rates reported apart), TV complement for
    /// categories and Booleans (missing a category of its own).</summary>
    public static List<ColumnShape> Shapes(IReadOnlyList<ReportColumn> real, IReadOnlyList<ReportColumn> synthetic)
    {
        var shapes = new List<ColumnShape>();
        for (int c = 0; c < real.Count; c++)
        {
            var a = real[c];
            var b = synthetic[c];
            bool numeric = a.IsNumeric;
            double score = numeric
                ? 1 - ReportMetrics.KolmogorovSmirnov(a.Numbers!, b.Numbers!)
                : 1 - ReportMetrics.TotalVariation(ReportMetrics.Shares(a.Labels!), ReportMetrics.Shares(b.Labels!));
            shapes.Add(new ColumnShape(a.Name, TableSchema.KindName(a.Kind), numeric ? "KSComplement" : "TVComplement", score, a.MissingRate, b.MissingRate));
        }

        return shapes;
    }

    /// <summary>
    /// Every pair, as SDMetrics' QualityReport (≥ 0.12) ColumnPairTrends: two numeric columns (continuous, integer,
    /// date-time) by correlation similarity (Pearson); any other pair by contingency similarity, a numeric column in it
    /// cut into <paramref name="bins"/> equal-width bins of each table's own range.
    /// </summary>
    public static List<PairTrend> Trends(IReadOnlyList<ReportColumn> real, IReadOnlyList<ReportColumn> synthetic, int bins)
    {
        var realBinned = real.Select(c => c.IsNumeric ? ReportMetrics.Discretise(c.Numbers!, bins) : c.Labels!).ToList();
        var syntheticBinned = synthetic.Select(c => c.IsNumeric ? ReportMetrics.Discretise(c.Numbers!, bins) : c.Labels!).ToList();
        var trends = new List<PairTrend>();
        for (int i = 0; i < real.Count; i++)
        {
            for (int j = i + 1; j < real.Count; j++)
            {
                if (real[i].IsNumeric && real[j].IsNumeric)
                {
                    double r = ReportMetrics.Pearson(real[i].Numbers!, real[j].Numbers!);
                    double s = ReportMetrics.Pearson(synthetic[i].Numbers!, synthetic[j].Numbers!);
                    trends.Add(new PairTrend(real[i].Name, real[j].Name, "CorrelationSimilarity", ReportMetrics.CorrelationSimilarity(r, s), r, s));
                }
                else
                {
                    double score = ReportMetrics.ContingencySimilarity(realBinned[i], realBinned[j], syntheticBinned[i], syntheticBinned[j]);
                    trends.Add(new PairTrend(real[i].Name, real[j].Name, "ContingencySimilarity", score, double.NaN, double.NaN));
                }
            }
        }

        return trends;
    }

    /// <summary>Each column's histogram (numbers: shared bins over the real range ± 5 %) or category shares (the most
    /// frequent real categories, the rest pooled).</summary>
    public static List<ColumnDistribution> Distributions(IReadOnlyList<ReportColumn> real, IReadOnlyList<ReportColumn> synthetic, TableReportOptions options)
    {
        var result = new List<ColumnDistribution>();
        for (int c = 0; c < real.Count; c++)
        {
            var a = real[c];
            var b = synthetic[c];
            string kind = TableSchema.KindName(a.Kind);
            if (a.IsNumeric)
            {
                var (edges, realShares, syntheticShares, outside) = Pictures.SharedHistogram(a.Present(), b.Present(), options.HistogramBins);
                result.Add(new ColumnDistribution(a.Name, kind, edges, [], realShares, syntheticShares, outside));
                continue;
            }

            var p = ReportMetrics.Shares(a.Labels!);
            var q = ReportMetrics.Shares(b.Labels!);
            var shown = p.Where(kv => kv.Key != ReportMetrics.MissingLabel)
                .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Take(options.ShownCategories).Select(kv => kv.Key).ToList();
            var labels = new List<string>(shown);
            var realShares2 = shown.Select(k => p.GetValueOrDefault(k)).ToList();
            var syntheticShares2 = shown.Select(k => q.GetValueOrDefault(k)).ToList();
            double realOther = p.Where(kv => kv.Key != ReportMetrics.MissingLabel && !shown.Contains(kv.Key)).Sum(kv => kv.Value);
            double syntheticOther = q.Where(kv => kv.Key != ReportMetrics.MissingLabel && !shown.Contains(kv.Key)).Sum(kv => kv.Value);
            if (realOther > 0 || syntheticOther > 0)
            {
                labels.Add("(other)");
                realShares2.Add(realOther);
                syntheticShares2.Add(syntheticOther);
            }

            if (p.ContainsKey(ReportMetrics.MissingLabel) || q.ContainsKey(ReportMetrics.MissingLabel))
            {
                labels.Add(ReportMetrics.MissingLabel);
                realShares2.Add(p.GetValueOrDefault(ReportMetrics.MissingLabel));
                syntheticShares2.Add(q.GetValueOrDefault(ReportMetrics.MissingLabel));
            }

            result.Add(new ColumnDistribution(a.Name, kind, [], labels, realShares2, syntheticShares2, 0));
        }

        return result;
    }

    /// <summary>A number as the page prints it.</summary>
    public static string Format(double value, string format = "0.000") =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);
}

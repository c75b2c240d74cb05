using System.Globalization;
using ScottPlot;

namespace Generative.Comparison.Tables;

/// <summary>The table report's pictures: per-column distributions, pair trend heat maps, DCR histograms.</summary>
internal static class TablePictures
{
    /// <summary>A grid of small panels, one per column: numbers as shared-bin histograms (real grey bars, synthetic blue
    /// steps), categories as side-by-side bars.</summary>
    public static void Columns(string path, string title, IReadOnlyList<ColumnDistribution> distributions)
    {
        int count = Math.Max(1, distributions.Count);
        int columns = (int)Math.Ceiling(Math.Sqrt(count * 1.3));
        int rows = (count + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        for (int f = 0; f < distributions.Count; f++)
        {
            var plot = multiplot.GetPlot(f);
            var d = distributions[f];
            double top = Math.Max(d.Real.DefaultIfEmpty(0).Max(), d.Synthetic.DefaultIfEmpty(0).Max());
            if (d.Edges.Count >= 2)
            {
                Pictures.AddRealVersusSynthetic(plot, [.. d.Edges], [.. d.Real], [.. d.Synthetic]);
                plot.Axes.SetLimits(d.Edges[0], d.Edges[^1], 0, Math.Max(top, 1e-9) * 1.15);
                if (d.Kind == "datetime")
                {
                    var ticks = new ScottPlot.TickGenerators.NumericManual();
                    foreach (double t in new[] { d.Edges[0], d.Edges[^1] })
                    {
                        ticks.AddMajor(t, new DateTime((long)Math.Clamp(t, 0, DateTime.MaxValue.Ticks)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    }

                    plot.Axes.Bottom.TickGenerator = ticks;
                }
            }
            else
            {
                int k = d.Labels.Count;
                var realBars = plot.Add.Bars(Enumerable.Range(0, k).Select(i => i - 0.2).ToArray(), d.Real.ToArray());
                var syntheticBars = plot.Add.Bars(Enumerable.Range(0, k).Select(i => i + 0.2).ToArray(), d.Synthetic.ToArray());
                foreach (var bar in realBars.Bars)
                {
                    bar.Size = 0.4;
                    bar.FillColor = Colors.Gray.WithAlpha(0.6);
                    bar.LineWidth = 0;
                }

                foreach (var bar in syntheticBars.Bars)
                {
                    bar.Size = 0.4;
                    bar.FillColor = Colors.C0.WithAlpha(0.8);
                    bar.LineWidth = 0;
                }

                var ticks = new ScottPlot.TickGenerators.NumericManual();
                for (int i = 0; i < k; i++)
                {
                    ticks.AddMajor(i, Pictures.Shorten(d.Labels[i].Trim(), 10));
                }

                plot.Axes.Bottom.TickGenerator = ticks;
                plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
                plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
                plot.Axes.SetLimits(-0.7, k - 0.3, 0, Math.Max(top, 1e-9) * 1.15);
            }

            plot.Title($"{f + 1}. {Pictures.Shorten(d.Column, 24)}", size: 12);
            plot.Axes.Bottom.TickLabelStyle.FontSize = 9;
            plot.Axes.Left.TickLabelStyle.FontSize = 9;
            if (d.SyntheticOutside > 0)
            {
                var note = plot.Add.Annotation($"{d.SyntheticOutside.ToString(d.SyntheticOutside < 0.1 ? "P1" : "P0", CultureInfo.InvariantCulture)} outside", Alignment.UpperRight);
                note.LabelFontSize = 10;
                note.LabelFontColor = Colors.DarkRed;
                note.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
                note.LabelBorderWidth = 0;
                note.LabelShadowColor = Colors.Transparent;
            }
        }

        Pictures.SaveWithHeader(multiplot, path, columns * 280, rows * 230, title + " — share of rows per bin or category, real (grey) and synthetic (blue)");
    }

    /// <summary>Two heat maps over the columns: each pair's trend score (1 = same relation), and r_synthetic − r_real
    /// for numeric pairs (grey elsewhere).</summary>
    public static void Pairs(string path, string title, IReadOnlyList<string> columns, IReadOnlyList<PairTrend> trends)
    {
        int n = columns.Count;
        var index = columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var score = new double[n, n];
        var difference = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                score[i, j] = i == j ? 1 : double.NaN;
                difference[i, j] = double.NaN;
            }
        }

        foreach (var t in trends)
        {
            int i = index[t.First], j = index[t.Second];
            score[i, j] = score[j, i] = t.Score;
            difference[i, j] = difference[j, i] = t.SyntheticCorrelation - t.RealCorrelation;
        }

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(1, 2);
        var maps = new[]
        {
            (score, "pair trend score (1 = same)", new ScottPlot.Range(0.5, 1), (IColormap)new ScottPlot.Colormaps.Viridis()),
            (difference, "correlation difference r_syn − r_real", new ScottPlot.Range(-1, 1), new ScottPlot.Colormaps.Balance()),
        };
        int step = n <= 15 ? 1 : n <= 30 ? 2 : 5;
        for (int p = 0; p < 2; p++)
        {
            var plot = multiplot.GetPlot(p);
            var heatmap = plot.Add.Heatmap(maps[p].Item1);
            heatmap.Colormap = maps[p].Item4;
            heatmap.ManualRange = maps[p].Item3;
            heatmap.NaNCellColor = Colors.LightGray;
            heatmap.Extent = new CoordinateRect(1, Math.Max(n, 1.0001), 1, Math.Max(n, 1.0001));
            var xTicks = new ScottPlot.TickGenerators.NumericManual();
            var yTicks = new ScottPlot.TickGenerators.NumericManual();
            for (int k = 0; k < n; k++)
            {
                if (k % step == 0)
                {
                    xTicks.AddMajor(k + 1, (k + 1).ToString(CultureInfo.InvariantCulture));
                    yTicks.AddMajor(n - k, (k + 1).ToString(CultureInfo.InvariantCulture));
                }
            }

            plot.Axes.Bottom.TickGenerator = xTicks;
            plot.Axes.Left.TickGenerator = yTicks;
            plot.Axes.SetLimits(0.5, n + 0.5, 0.5, n + 0.5);
            plot.Title(maps[p].Item2, size: 14);
            plot.Grid.IsVisible = false;
            plot.Add.ColorBar(heatmap);
        }

        Pictures.SaveWithHeader(multiplot, path, 1100, 480, title + " — column pairs (columns numbered as in columns.png)");
    }

    /// <summary>The distance-to-closest-training-record histograms of the synthetic and the held-out rows, as shares.</summary>
    public static void Distances(string path, string title, PrivacyResult privacy)
    {
        var plot = new Plot();
        int bins = privacy.SyntheticHistogram.Count;
        double width = privacy.HistogramEdges[1] - privacy.HistogramEdges[0];
        double[] centres = [.. Enumerable.Range(0, bins).Select(b => (privacy.HistogramEdges[b] + privacy.HistogramEdges[b + 1]) / 2)];
        double syntheticTotal = Math.Max(1, privacy.SyntheticHistogram.Sum());
        double holdoutTotal = Math.Max(1, privacy.HoldoutHistogram.Sum());
        var held = plot.Add.Bars(centres, [.. privacy.HoldoutHistogram.Select(c => c / holdoutTotal)]);
        foreach (var bar in held.Bars)
        {
            bar.Size = width;
            bar.FillColor = Colors.Gray.WithAlpha(0.45);
            bar.LineWidth = 0;
        }

        held.LegendText = $"real held-out (median {ShapesAndTrends.Format(privacy.HoldoutMedian, "0.0000")})";
        var stepX = new List<double>();
        var stepY = new List<double>();
        for (int b = 0; b < bins; b++)
        {
            stepX.Add(privacy.HistogramEdges[b]);
            stepY.Add(privacy.SyntheticHistogram[b] / syntheticTotal);
            stepX.Add(privacy.HistogramEdges[b + 1]);
            stepY.Add(privacy.SyntheticHistogram[b] / syntheticTotal);
        }

        var line = plot.Add.ScatterLine(stepX.ToArray(), stepY.ToArray());
        line.Color = Colors.C0;
        line.LineWidth = 2;
        line.LegendText = $"synthetic (median {ShapesAndTrends.Format(privacy.SyntheticMedian, "0.0000")})";
        plot.XLabel("distance to the closest real training row (mean per-column distance; last bin: all above)");
        plot.YLabel("share of rows");
        plot.Title(title + " — distance to closest record");
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, 900, 520);
    }
}

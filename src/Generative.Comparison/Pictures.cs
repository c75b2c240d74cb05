using System.Globalization;
using ScottPlot;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Comparison;

/// <summary>
/// The report's pictures: scatter plots over the true modes (2-D points), image grids, per-column histograms and
/// correlation maps (tables), loss curves, speed versus quality.
/// </summary>
internal static class Pictures
{
    private const int Size = 640;

    /// <summary>Generated points (first two columns) over the real data and, for mixtures, the true modes.</summary>
    public static void Scatter(string path, string title, ComparisonData data, Tensor samples)
    {
        var plot = new Plot();
        var (rx, ry) = Columns(data.Kind == ComparisonDataKind.Table ? data.TrainSamples : data.ReferenceSamples, 2000);
        var real = plot.Add.ScatterPoints(rx, ry);
        real.Color = Colors.Gray.WithAlpha(0.35);
        real.MarkerSize = 3;
        real.LegendText = "real";
        var (gx, gy) = Columns(samples, 2500);
        var generated = plot.Add.ScatterPoints(gx, gy);
        generated.Color = Colors.C0.WithAlpha(0.6);
        generated.MarkerSize = 3;
        generated.LegendText = "generated";
        if (data.ModeCentres is not null)
        {
            var (mx, my) = Columns(data.ModeCentres, int.MaxValue);
            var modes = plot.Add.ScatterPoints(mx, my);
            modes.Color = Colors.Red;
            modes.MarkerSize = 9;
            modes.MarkerShape = MarkerShape.OpenCircle;
            modes.LegendText = "modes";
        }

        if (data.Kind is ComparisonDataKind.Mixture or ComparisonDataKind.Vectors && data.SampleShape[0] == 2)
        {
            // Fix the view to the real data, so that a model that scatters far away shows as such.
            double pad = 0.15 * Math.Max(rx.Max() - rx.Min(), ry.Max() - ry.Min());
            plot.Axes.SetLimits(rx.Min() - pad, rx.Max() + pad, ry.Min() - pad, ry.Max() + pad);
        }

        string[] names = data.FeatureNames is { Count: >= 2 } f ? [f[0], f[1]] : ["x₁", "x₂"];
        plot.XLabel(names[0]);
        plot.YLabel(names[1]);
        plot.Title(title);

        // Below the data, so that it covers no mode.
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Size, Size + 30);
    }

    /// <summary>A grid of images (greyscale for one channel, RGB for three), values on the [−1, 1] scale.</summary>
    public static void ImageGrid(string path, Tensor images, int columns = 10, int rows = 10, int scale = 4)
    {
        using var scope = NewDisposeScope();
        int count = (int)Math.Min(images.shape[0], columns * rows);
        // Scalars held across the calls (docs/troubleshooting.md); the same calls as (clamp(-1, 1) + 1) * 127.5.
        using var minusOne = (-1).ToScalar();
        using var one = 1.ToScalar();
        using var halfRange = 127.5.ToScalar();
        var x = images.slice(0, 0, count, 1).to_type(ScalarType.Float32).cpu().clamp(minusOne, one).add(one, one).mul(halfRange).round().to_type(ScalarType.Byte);
        long channels = x.shape[1], height = x.shape[2], width = x.shape[3];
        byte[] pixels = x.data<byte>().ToArray();
        int cell = (int)width * scale + 2;
        int cellHeight = (int)height * scale + 2;
        using var bitmap = new SKBitmap(columns * cell, rows * cellHeight);
        bitmap.Erase(SKColors.White);
        for (int n = 0; n < count; n++)
        {
            int ox = (n % columns) * cell + 1;
            int oy = (n / columns) * cellHeight + 1;
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    byte Channel(long c) => pixels[(((n * channels) + c) * height + i) * width + j];
                    var color = channels == 3 ? new SKColor(Channel(0), Channel(1), Channel(2)) : new SKColor(Channel(0), Channel(0), Channel(0));
                    for (int dy = 0; dy < scale; dy++)
                    {
                        for (int dx = 0; dx < scale; dx++)
                        {
                            bitmap.SetPixel(ox + j * scale + dx, oy + i * scale + dy, color);
                        }
                    }
                }
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    /// <summary>
    /// Each trainer's primary loss over training (a moving average of 1% of the run), one panel per trainer with its
    /// own y scale (a WGAN critic's early dip to −35 would flatten every other curve on a shared one), one line per seed.
    /// </summary>
    public static void LossCurves(string path, IReadOnlyList<LossPanel> panels)
    {
        var shown = panels.Where(p => p.Curves.Any(c => c.Points.Count >= 2)).ToList();
        if (shown.Count == 0)
        {
            var empty = new Plot();
            empty.Title("Training losses: none logged");
            empty.SavePng(path, 900, 300);
            return;
        }

        int columns = shown.Count == 1 ? 1 : 2;
        int rows = (shown.Count + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(shown.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        for (int p = 0; p < shown.Count; p++)
        {
            var plot = multiplot.GetPlot(p);
            var panel = shown[p];
            int index = 0;
            foreach (var (label, points) in panel.Curves)
            {
                var (xs, ys) = MovingAverage(points);
                if (xs.Length == 0)
                {
                    continue;
                }

                var line = plot.Add.ScatterLine(xs, ys);
                line.Color = Colors.Category10[(p + index++) % 10];
                line.LineWidth = 1.5f;
                if (panel.Curves.Count > 1)
                {
                    line.LegendText = label;
                }
            }

            plot.Title(panel.Title, size: 14);
            plot.XLabel("training step", size: 12);
            plot.YLabel("loss (moving average)", size: 12);
            if (panel.Curves.Count > 1)
            {
                plot.ShowLegend(Alignment.UpperRight);
            }
        }

        SaveWithHeader(multiplot, path, columns * 520, rows * 300, "Training losses — each panel on its own scale");
    }

    /// <summary>
    /// The moving average (window 1% of the points, at least 1) of a loss history, thinned to about 1,000 points;
    /// non-finite losses count as 0.
    /// </summary>
    public static (double[] X, double[] Y) MovingAverage(IReadOnlyList<(long Step, double Value)> points)
    {
        int window = Math.Max(1, points.Count / 100);
        var xs = new List<double>();
        var ys = new List<double>();
        double sum = 0;
        for (int i = 0; i < points.Count; i++)
        {
            sum += double.IsFinite(points[i].Value) ? points[i].Value : 0;
            if (i >= window)
            {
                sum -= double.IsFinite(points[i - window].Value) ? points[i - window].Value : 0;
            }

            if (i >= window - 1 && (i % Math.Max(1, points.Count / 1000) == 0 || i == points.Count - 1))
            {
                xs.Add(points[i].Step);
                ys.Add(sum / window);
            }
        }

        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>
    /// Samples per second (log scale, decade ticks) against a quality metric, one point per row: fractions and
    /// accuracies as percentages from 0, distances from 0 or on a log axis (see <see cref="QualityAxis"/>).
    /// </summary>
    public static void SpeedVersusQuality(string path, IReadOnlyList<ContenderResult> rows, string metric, string metricTitle)
    {
        var plot = new Plot();
        var points = rows
            .Where(r => r.Metrics.TryGetValue(metric, out var q) && double.IsFinite(q.Mean) && r.SamplesPerSecond.Mean > 0)
            .Select(r => (r.Name, Speed: r.SamplesPerSecond.Mean, Quality: r.Metrics[metric].Mean))
            .ToList();
        var axis = QualityAxis(metric, points.Select(p => p.Quality).ToList());
        int index = 0;
        var labels = new List<(ScottPlot.Plottables.Text Label, Coordinates At)>();
        foreach (var (name, speed, quality) in points)
        {
            double x = Math.Log10(speed);
            double y = axis.Log ? Math.Log10(quality) : quality;
            var point = plot.Add.ScatterPoints(new[] { x }, new[] { y });
            point.MarkerSize = 12;
            point.Color = Colors.Category10[index++ % 10];
            point.LegendText = name;
            var label = plot.Add.Text(name, x, y);
            label.LabelFontSize = 12;
            labels.Add((label, new Coordinates(x, y)));
        }

        plot.XLabel("samples per second (log scale)");
        plot.YLabel(metricTitle);
        plot.Title("Sampling speed versus quality");
        var (xMin, xMax) = SpeedAxis(points.Select(p => p.Speed).ToList());
        plot.Axes.Bottom.TickGenerator = DecadeTicks(xMin, xMax, SpeedLabel);
        plot.Axes.SetLimitsX(xMin, xMax);
        if (axis.Log)
        {
            // One style per axis: plain numbers when every decade shown is between 0.001 and 10,000, else powers of ten.
            bool powers = Math.Floor(axis.Min) < -3 || Math.Ceiling(axis.Max) > 4;
            plot.Axes.Left.TickGenerator = DecadeTicks(axis.Min, axis.Max, v => DecadeLabel(v, powers));
        }
        else if (axis.Percent)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %",
            };
        }

        plot.Axes.SetLimitsY(axis.Min, axis.Max);
        plot.ShowLegend(Edge.Right);
        PlaceLabels(plot, labels, 800, 550);
        plot.SavePng(path, 800, 550);
    }

    /// <summary>
    /// The speed–quality frontier: network evaluations per sample (NFE, log scale) on x, one point per row of any family
    /// (a GAN's one evaluation, diffusion's steps, a flow solver's steps × evaluations per step), the rows of one trained
    /// model joined by a line in NFE order; the quality metric in the first panel and, when the rows report it, the modes
    /// captured in a second. Rows without a finite quality value or with NFE below 1 are left out.
    /// </summary>
    public static void Frontier(string path, IReadOnlyList<ContenderResult> rows, string metric, string metricTitle)
    {
        var points = FrontierPoints(rows, metric);
        bool modes = points.Any(p => p.Modes is not null);
        var multiplot = new Multiplot();
        multiplot.AddPlots(modes ? 2 : 1);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(1, modes ? 2 : 1);
        var trainers = points.Select(p => p.Trainer).Distinct(StringComparer.Ordinal).ToList();
        var nfe = points.Select(p => Math.Log10(p.Evaluations)).DefaultIfEmpty(0).ToList();
        double xMin = nfe.Min() - 0.2, xMax = Math.Max(nfe.Max(), nfe.Min() + 1) + 0.45;
        int panelWidth = modes ? 620 : 820, height = 520; // one panel alone is wider, so that the title fits
        for (int panel = 0; panel < (modes ? 2 : 1); panel++)
        {
            var plot = multiplot.GetPlot(panel);
            var shown = panel == 0 ? points : points.Where(p => p.Modes is not null).ToList();
            var axis = QualityAxis(metric, points.Select(p => p.Quality).ToList());
            double Y(FrontierPoint p) => panel == 0 ? (axis.Log ? Math.Log10(p.Quality) : p.Quality) : p.Modes!.Value;
            var labels = new List<(ScottPlot.Plottables.Text Label, Coordinates At)>();
            foreach (var group in shown.GroupBy(p => p.Trainer, StringComparer.Ordinal))
            {
                var color = Colors.Category10[trainers.IndexOf(group.Key) % 10];
                var ordered = group.OrderBy(p => p.Evaluations).ToList();
                var xs = ordered.Select(p => Math.Log10(p.Evaluations)).ToArray();
                var ys = ordered.Select(Y).ToArray();
                var line = plot.Add.Scatter(xs, ys);
                line.Color = color;
                line.LineWidth = ordered.Count > 1 ? 1.5f : 0;
                line.MarkerSize = 11;
                line.LegendText = group.Key;
                // The modes panel names only the rows that miss modes: the others sit on one line at the top, named in the
                // quality panel.
                foreach (var point in ordered.Where(p => panel == 0 || p.Modes < shown.Max(q => q.Modes)))
                {
                    var label = plot.Add.Text(point.Name, Math.Log10(point.Evaluations), Y(point));
                    label.LabelFontSize = 11;
                    labels.Add((label, new Coordinates(Math.Log10(point.Evaluations), Y(point))));
                }
            }

            plot.XLabel("network evaluations per sample (NFE, log scale)", size: 13);
            plot.Axes.Bottom.TickGenerator = DecadeTicks(xMin, xMax, v => DecadeLabel(v, powers: false));
            plot.Axes.SetLimitsX(xMin, xMax);
            if (panel == 0)
            {
                plot.YLabel(metricTitle + (axis.Log ? " (log scale)" : string.Empty), size: 13);
                plot.Title("Quality", size: 14);
                if (axis.Log)
                {
                    bool powers = Math.Floor(axis.Min) < -3 || Math.Ceiling(axis.Max) > 4;
                    plot.Axes.Left.TickGenerator = DecadeTicks(axis.Min, axis.Max, v => DecadeLabel(v, powers));
                }
                else if (axis.Percent)
                {
                    plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
                    {
                        LabelFormatter = v => (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %",
                    };
                }

                plot.Axes.SetLimitsY(axis.Min, axis.Max);
                plot.ShowLegend(Alignment.LowerRight);
            }
            else
            {
                double top = Math.Max(1, rows.Select(r => r.Metrics.TryGetValue("modeCount", out var m) ? m.Mean : double.NaN).Where(double.IsFinite).DefaultIfEmpty(shown.Max(Y)).Max());
                plot.YLabel($"modes captured (of {top:0})", size: 13);
                plot.Title("Modes", size: 14);
                plot.Axes.SetLimitsY(-0.04 * top, 1.08 * top);
            }

            PlaceLabels(plot, labels, panelWidth, height);
        }

        SaveWithHeader(multiplot, path, panelWidth * (modes ? 2 : 1), height, "Speed–quality frontier: quality against network evaluations per sample");
    }

    /// <summary>The points of <see cref="Frontier"/>: each row with NFE ≥ 1 and a finite <paramref name="metric"/>, with its
    /// trainer, NFE, metric and (if reported) modes captured (seed means).</summary>
    internal static List<FrontierPoint> FrontierPoints(IReadOnlyList<ContenderResult> rows, string metric) => rows
        .Where(r => r.NetworkEvaluationsPerSample >= 1 && r.Metrics.TryGetValue(metric, out var q) && double.IsFinite(q.Mean))
        .Select(r => new FrontierPoint(
            r.Name,
            r.Trainer,
            r.NetworkEvaluationsPerSample,
            r.Metrics[metric].Mean,
            r.Metrics.TryGetValue("modesCaptured", out var m) && double.IsFinite(m.Mean) ? m.Mean : null))
        .ToList();

    // Puts each point's label to the right of its marker, or above, below or to the left when that would cover another
    // label or marker, or leave the data area (a layout render first gives the pixel positions).
    private static void PlaceLabels(Plot plot, List<(ScottPlot.Plottables.Text Label, Coordinates At)> labels, int width, int height)
    {
        plot.RenderInMemory(width, height);
        var area = plot.LastRender.DataRect;
        var markers = labels.Select(l => plot.GetPixel(l.At)).ToList();
        var taken = markers.Select(m => (Left: m.X - 7, Right: m.X + 7, Top: m.Y - 7, Bottom: m.Y + 7)).ToList();
        const float gap = 9, textHeight = 16;
        for (int i = 0; i < labels.Count; i++)
        {
            var (label, _) = labels[i];
            var m = markers[i];
            float w = (7.2f * label.LabelText.Length) + 4;
            var candidates = new (Alignment Alignment, float X, float Y, (float Left, float Right, float Top, float Bottom) Box)[]
            {
                (Alignment.MiddleLeft, gap, 0, (m.X + gap, m.X + gap + w, m.Y - (textHeight / 2), m.Y + (textHeight / 2))),
                (Alignment.LowerCenter, 0, -gap, (m.X - (w / 2), m.X + (w / 2), m.Y - gap - textHeight, m.Y - gap)),
                (Alignment.UpperCenter, 0, gap, (m.X - (w / 2), m.X + (w / 2), m.Y + gap, m.Y + gap + textHeight)),
                (Alignment.MiddleRight, -gap, 0, (m.X - gap - w, m.X - gap, m.Y - (textHeight / 2), m.Y + (textHeight / 2))),
            };
            int Collisions((float Left, float Right, float Top, float Bottom) box) =>
                taken.Where((t, k) => k != i && box.Left < t.Right && t.Left < box.Right && box.Top < t.Bottom && t.Top < box.Bottom).Count()
                + (box.Left < area.Left || box.Right > area.Right || box.Top < area.Top || box.Bottom > area.Bottom ? 1 : 0);
            var best = candidates.OrderBy(c => Collisions(c.Box)).First();
            label.Alignment = best.Alignment;
            label.OffsetX = best.X;
            label.OffsetY = best.Y;
            taken.Add(best.Box);
        }
    }

    /// <summary>
    /// The y axis of the speed-versus-quality chart: a fraction or accuracy from 0 (with a little padding, never a
    /// negative tick) to 100 % once a value passes 50 %, else to a quarter above the highest value; a distance from 0
    /// up, or log₁₀ of it when the values span more than a factor of 30.
    /// </summary>
    public static (double Min, double Max, bool Log, bool Percent) QualityAxis(string metric, IReadOnlyList<double> values)
    {
        bool fraction = metric.Contains("Fraction", StringComparison.Ordinal) || metric.Contains("Accuracy", StringComparison.Ordinal)
            || metric is "precision" or "recall" or "coverage";
        var finite = values.Where(double.IsFinite).ToList();
        if (fraction)
        {
            // From 0 (never below), to 100 % once any value passes 50 %; small fractions keep room to tell them apart.
            double highest = finite.Count > 0 ? Math.Clamp(finite.Max(), 0, 1) : 1;
            double upper = highest >= 0.5 ? 1 : Math.Max(0.01, Math.Min(1, highest * 1.25));
            return (-0.04 * upper, 1.04 * upper, false, true);
        }

        if (finite.Count == 0)
        {
            return (0, 1, false, false);
        }

        double max = finite.Max();
        double positiveMin = finite.Where(v => v > 0).DefaultIfEmpty(0).Min();
        if (finite.All(v => v > 0) && max / positiveMin > 30)
        {
            double lo = Math.Log10(positiveMin), hi = Math.Log10(max);
            double pad = 0.08 * (hi - lo);
            return (lo - pad, hi + pad, true, false);
        }

        double top = max > 0 ? max : 1;
        return (-0.04 * top, 1.1 * top, false, false);
    }

    /// <summary>The x range (log₁₀ samples per second) of the speed chart: every point, with room for the labels on the right.</summary>
    public static (double Min, double Max) SpeedAxis(IReadOnlyList<double> samplesPerSecond)
    {
        var logs = samplesPerSecond.Where(v => v > 0 && double.IsFinite(v)).Select(Math.Log10).ToList();
        if (logs.Count == 0)
        {
            return (0, 6);
        }

        double lo = logs.Min(), hi = logs.Max();
        double span = Math.Max(1, hi - lo);

        // Start at the decade below when it is near, so that the axis shows a labelled tick left of the slowest point.
        double left = lo - Math.Floor(lo) < 0.5 ? Math.Floor(lo) - 0.05 : lo - (0.1 * span);
        return (left, hi + Math.Max(0.6, 0.3 * span));
    }

    /// <summary>Samples per second as a short label: 150, 2.4k, 470k, 1.2M.</summary>
    public static string SpeedLabel(double value) => value switch
    {
        >= 1e6 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    /// <summary>A power of ten as a tick label: 10 with a superscript exponent (10⁶, 10⁻²), or plain (0.01, 100) if not <paramref name="powers"/>.</summary>
    public static string DecadeLabel(double value, bool powers)
    {
        int exponent = (int)Math.Round(Math.Log10(value));
        if (!powers)
        {
            return Math.Pow(10, exponent).ToString(exponent < 0 ? "0.###" : "#,0", CultureInfo.InvariantCulture);
        }

        const string superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        string digits = string.Concat(Math.Abs(exponent).ToString(CultureInfo.InvariantCulture).Select(c => superscripts[c - '0']));
        return "10" + (exponent < 0 ? "⁻" : string.Empty) + digits;
    }

    /// <summary>
    /// Per-column histograms of real and synthetic rows in a grid of small panels: each column's bins are shared by
    /// both and span the real values (plus 5% either side), so a synthetic outlier cannot squash the picture; the
    /// share of synthetic values outside that range (or not finite) is printed in the panel.
    /// </summary>
    public static void ColumnHistograms(string path, string title, Tensor real, Tensor synthetic, IReadOnlyList<string>? names)
    {
        var realColumns = ColumnsOf(real);
        var syntheticColumns = ColumnsOf(synthetic);
        int features = realColumns.Length;
        int columns = (int)Math.Ceiling(Math.Sqrt(features * 1.3));
        int rows = (features + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(features);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        int bins = Math.Clamp((int)Math.Round(2 * Math.Cbrt(realColumns[0].Length)), 8, 30);
        for (int f = 0; f < features; f++)
        {
            var plot = multiplot.GetPlot(f);
            var histogram = SharedHistogram(realColumns[f], syntheticColumns[f], bins);
            AddRealVersusSynthetic(plot, histogram.Edges, histogram.Real, histogram.Synthetic);
            string name = names is not null && f < names.Count ? names[f] : $"x{f + 1}";
            plot.Title($"{f + 1}. {Shorten(name, 24)}", size: 12);
            plot.Axes.Bottom.TickLabelStyle.FontSize = 10;
            plot.Axes.Left.TickLabelStyle.FontSize = 10;
            double top = Math.Max(histogram.Real.DefaultIfEmpty(0).Max(), histogram.Synthetic.DefaultIfEmpty(0).Max());
            plot.Axes.SetLimits(histogram.Edges[0], histogram.Edges[^1], 0, Math.Max(top, 1e-9) * 1.15);
            if (histogram.Outside > 0)
            {
                var note = plot.Add.Annotation($"{histogram.Outside.ToString(histogram.Outside < 0.1 ? "P1" : "P0", CultureInfo.InvariantCulture)} outside", Alignment.UpperRight);
                note.LabelFontSize = 10;
                note.LabelFontColor = Colors.DarkRed;
                note.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
                note.LabelBorderWidth = 0;
                note.LabelShadowColor = Colors.Transparent;
            }
        }

        SaveWithHeader(multiplot, path, columns * 250, rows * 190, title + " — share of rows per bin, real (grey bars) and synthetic (blue line)");
    }

    /// <summary>One histogram panel: the real data as grey bars, the synthetic data as a blue step line over the same bins.</summary>
    /// <param name="plot">The panel.</param>
    /// <param name="edges">The bins' edges (one more than the counts, equal widths).</param>
    /// <param name="real">The real data's share per bin.</param>
    /// <param name="synthetic">The synthetic data's share per bin.</param>
    internal static void AddRealVersusSynthetic(Plot plot, double[] edges, double[] real, double[] synthetic)
    {
        int bins = edges.Length - 1;
        double width = edges[1] - edges[0];
        var centres = Enumerable.Range(0, bins).Select(b => (edges[b] + edges[b + 1]) / 2).ToArray();
        var bars = plot.Add.Bars(centres, real);
        foreach (var bar in bars.Bars)
        {
            bar.Size = width;
            bar.FillColor = Colors.Gray.WithAlpha(0.45);
            bar.LineWidth = 0;
        }

        var stepX = new List<double>();
        var stepY = new List<double>();
        for (int b = 0; b < bins; b++)
        {
            stepX.Add(edges[b]);
            stepY.Add(synthetic[b]);
            stepX.Add(edges[b + 1]);
            stepY.Add(synthetic[b]);
        }

        var line = plot.Add.ScatterLine(stepX.ToArray(), stepY.ToArray());
        line.Color = Colors.C0;
        line.LineWidth = 2;
    }

    /// <summary>Histograms of one column, real and synthetic, on shared bins spanning the real values.</summary>
    /// <param name="real">The real values (non-finite ones are ignored).</param>
    /// <param name="synthetic">The synthetic values.</param>
    /// <param name="bins">Number of bins.</param>
    /// <returns>
    /// The bin edges (<paramref name="bins"/> + 1), each set's share of its values per bin, and the share of synthetic
    /// values outside the bins or not finite (left out of the bins, so the synthetic shares sum to 1 − that).
    /// </returns>
    public static (double[] Edges, double[] Real, double[] Synthetic, double Outside) SharedHistogram(double[] real, double[] synthetic, int bins)
    {
        var finiteReal = real.Where(double.IsFinite).ToArray();
        double lo = finiteReal.Length > 0 ? finiteReal.Min() : 0, hi = finiteReal.Length > 0 ? finiteReal.Max() : 1;
        double pad = hi > lo ? 0.05 * (hi - lo) : 0.5 * Math.Max(1, Math.Abs(lo));
        lo -= pad;
        hi += pad;
        var edges = Enumerable.Range(0, bins + 1).Select(b => lo + ((hi - lo) * b / bins)).ToArray();
        double[] Shares(double[] values, out int outside)
        {
            var counts = new double[bins];
            outside = 0;
            foreach (double v in values)
            {
                if (!double.IsFinite(v) || v < lo || v > hi)
                {
                    outside++;
                    continue;
                }

                counts[Math.Min(bins - 1, (int)((v - lo) / (hi - lo) * bins))]++;
            }

            for (int b = 0; b < bins; b++)
            {
                counts[b] /= Math.Max(1, values.Length);
            }

            return counts;
        }

        var realShares = Shares(finiteReal, out _);
        var syntheticShares = Shares(synthetic, out int outside);
        return (edges, realShares, syntheticShares, synthetic.Length > 0 ? (double)outside / synthetic.Length : 0);
    }

    /// <summary>
    /// Correlation heat maps side by side: the real rows', the synthetic rows' and their difference (synthetic − real),
    /// on one fixed colour scale −1..1 (differences beyond ±1 show at the ends). Columns are numbered as in the histograms.
    /// </summary>
    public static void CorrelationMaps(string path, string title, Tensor real, Tensor synthetic, string syntheticName)
    {
        var realCorrelation = Correlations(ColumnsOf(real));
        var syntheticCorrelation = Correlations(ColumnsOf(synthetic));
        int features = realCorrelation.GetLength(0);
        var difference = new double[features, features];
        double sumAbs = 0;
        int count = 0;
        for (int i = 0; i < features; i++)
        {
            for (int j = 0; j < features; j++)
            {
                difference[i, j] = syntheticCorrelation[i, j] - realCorrelation[i, j];
                if (i != j && double.IsFinite(difference[i, j]))
                {
                    sumAbs += Math.Abs(difference[i, j]);
                    count++;
                }
            }
        }

        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(1, 3);
        var maps = new[] { (realCorrelation, "real"), (syntheticCorrelation, syntheticName), (difference, count > 0 ? $"difference (mean |Δ| {sumAbs / count:0.00})" : "difference") };
        int step = features <= 15 ? 1 : features <= 30 ? 2 : 5;
        for (int p = 0; p < 3; p++)
        {
            var plot = multiplot.GetPlot(p);
            var heatmap = plot.Add.Heatmap(maps[p].Item1);
            heatmap.Colormap = new ScottPlot.Colormaps.Balance();
            heatmap.ManualRange = new ScottPlot.Range(-1, 1);
            heatmap.NaNCellColor = Colors.LightGray;

            // Extent places the centres of the first and last cells: column j at x = j + 1, row i (drawn from the top) at y = F − i.
            heatmap.Extent = new CoordinateRect(1, Math.Max(features, 1.0001), 1, Math.Max(features, 1.0001));
            var xTicks = new ScottPlot.TickGenerators.NumericManual();
            var yTicks = new ScottPlot.TickGenerators.NumericManual();
            for (int k = 0; k < features; k++)
            {
                if (k % step == 0)
                {
                    xTicks.AddMajor(k + 1, (k + 1).ToString(CultureInfo.InvariantCulture));
                    yTicks.AddMajor(features - k, (k + 1).ToString(CultureInfo.InvariantCulture));
                }
            }

            plot.Axes.Bottom.TickGenerator = xTicks;
            plot.Axes.Left.TickGenerator = yTicks;
            plot.Axes.SetLimits(0.5, features + 0.5, 0.5, features + 0.5);
            plot.Title(maps[p].Item2, size: 14);
            plot.Grid.IsVisible = false;
            if (p == 2)
            {
                plot.Add.ColorBar(heatmap);
            }
        }

        SaveWithHeader(multiplot, path, 1260, 440, title + " — Pearson correlations between columns, colour scale −1..1");
    }

    /// <summary>Pearson correlations between columns (NaN where a column is constant or has no finite rows).</summary>
    /// <param name="columns">The columns, each the values of every row (rows with a non-finite value are left out).</param>
    public static double[,] Correlations(double[][] columns)
    {
        int features = columns.Length;
        int rows = features > 0 ? columns[0].Length : 0;
        var keep = Enumerable.Range(0, rows).Where(r => columns.All(c => double.IsFinite(c[r]))).ToArray();
        var centred = new double[features][];
        var norms = new double[features];
        for (int f = 0; f < features; f++)
        {
            double mean = keep.Length > 0 ? keep.Average(r => columns[f][r]) : 0;
            centred[f] = keep.Select(r => columns[f][r] - mean).ToArray();
            norms[f] = Math.Sqrt(centred[f].Sum(v => v * v));
        }

        var result = new double[features, features];
        for (int i = 0; i < features; i++)
        {
            for (int j = i; j < features; j++)
            {
                double value = double.NaN;
                if (norms[i] > 0 && norms[j] > 0)
                {
                    double dot = 0;
                    for (int r = 0; r < keep.Length; r++)
                    {
                        dot += centred[i][r] * centred[j][r];
                    }

                    value = Math.Clamp(dot / (norms[i] * norms[j]), -1, 1);
                }

                result[i, j] = value;
                result[j, i] = value;
            }
        }

        return result;
    }

    private static ScottPlot.TickGenerators.NumericManual DecadeTicks(double logMin, double logMax, Func<double, string> label)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int decade = (int)Math.Floor(logMin); decade <= (int)Math.Ceiling(logMax); decade++)
        {
            if (decade >= logMin && decade <= logMax)
            {
                ticks.AddMajor(decade, label(Math.Pow(10, decade)));
            }

            for (int m = 2; m <= 9; m++)
            {
                double position = decade + Math.Log10(m);
                if (position >= logMin && position <= logMax)
                {
                    ticks.AddMinor(position);
                }
            }
        }

        return ticks;
    }

    // Renders the panels under a one-line title.
    internal static void SaveWithHeader(Multiplot multiplot, string path, int width, int height, string title)
    {
        const int header = 36;
        byte[] panels = multiplot.Render(width, height).GetImageBytes(ImageFormat.Png);
        using var bitmap = SKBitmap.Decode(panels);
        var info = new SKImageInfo(width, height + header);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(bitmap, 0, header);
        using var typeface = SKTypeface.FromFamilyName(Fonts.Default, SKFontStyle.Bold);
        using var font = new SKFont(typeface, 17);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, width / 2f, header - 11, SKTextAlign.Center, font, paint);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    internal static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    // The columns of [N, F] rows as float64 arrays, one per column.
    private static double[][] ColumnsOf(Tensor rows)
    {
        using var scope = NewDisposeScope();
        var p = rows.reshape(rows.shape[0], -1).to_type(ScalarType.Float64).cpu().t().contiguous();
        double[] flat = p.data<double>().ToArray();
        int features = (int)p.shape[0], n = (int)p.shape[1];
        return Enumerable.Range(0, features).Select(f => flat.AsSpan(f * n, n).ToArray()).ToArray();
    }

    private static (double[] X, double[] Y) Columns(Tensor points, int limit)
    {
        using var scope = NewDisposeScope();
        long n = Math.Min(points.shape[0], limit);
        var p = points.slice(0, 0, n, 1).reshape(n, -1).to_type(ScalarType.Float64).cpu();
        var finite = p.isfinite().all(1);
        p = p[finite];
        double[] x = p[.., 0].data<double>().ToArray();
        double[] y = p.shape[1] > 1 ? p[.., 1].data<double>().ToArray() : new double[x.Length];
        return (x, y);
    }
}

/// <summary>A point of the frontier picture: a row, the model that made it, its network evaluations per sample, its quality
/// and its modes captured (if reported).</summary>
internal sealed record FrontierPoint(string Name, string Trainer, int Evaluations, double Quality, double? Modes);

/// <summary>One panel of the loss chart: a trainer's primary loss, one curve per seed.</summary>
/// <param name="Title">The panel's title (the trainer and the loss's name).</param>
/// <param name="Curves">Each seed's label and loss history.</param>
internal sealed record LossPanel(string Title, IReadOnlyList<(string Label, IReadOnlyList<(long Step, double Value)> Points)> Curves);

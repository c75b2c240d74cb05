using Generative.Comparison;
using ScottPlot;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Compare;

/// <summary>The report's pictures: scatter plots over the true modes, image grids, loss curves, speed versus quality.</summary>
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
        plot.ShowLegend();
        plot.SavePng(path, Size, Size);
    }

    /// <summary>A grid of images (greyscale for one channel, RGB for three), values on the [−1, 1] scale.</summary>
    public static void ImageGrid(string path, Tensor images, int columns = 10, int rows = 10, int scale = 4)
    {
        using var scope = NewDisposeScope();
        int count = (int)Math.Min(images.shape[0], columns * rows);
        var x = ((images.slice(0, 0, count, 1).to_type(ScalarType.Float32).cpu().clamp(-1, 1) + 1) * 127.5).round().to_type(ScalarType.Byte);
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

    /// <summary>Each trainer's primary loss over training (a moving average of 1% of the run), one line per trainer.</summary>
    public static void LossCurves(string path, IEnumerable<(string Name, IReadOnlyList<(long Step, double Value)> Points)> curves)
    {
        var plot = new Plot();
        int index = 0;
        foreach (var (name, points) in curves)
        {
            if (points.Count < 2)
            {
                continue;
            }

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

                if (i >= window - 1 && (i % Math.Max(1, points.Count / 1000) == 0))
                {
                    xs.Add(points[i].Step);
                    ys.Add(sum / window);
                }
            }

            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
            line.LegendText = name;
            line.Color = Colors.Category10[index++ % 10];
            line.LineWidth = 1.5f;
        }

        plot.XLabel("training step");
        plot.YLabel("loss (moving average)");
        plot.Title("Training losses");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }

    /// <summary>Samples per second (log scale) against a quality metric, one point per row.</summary>
    public static void SpeedVersusQuality(string path, IReadOnlyList<ContenderResult> rows, string metric, string metricTitle)
    {
        var plot = new Plot();
        int index = 0;
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var row in rows)
        {
            if (!row.Metrics.TryGetValue(metric, out var quality) || !double.IsFinite(quality.Mean) || !(row.SamplesPerSecond.Mean > 0))
            {
                continue;
            }

            xs.Add(Math.Log10(row.SamplesPerSecond.Mean));
            ys.Add(quality.Mean);
            var point = plot.Add.ScatterPoints(new[] { Math.Log10(row.SamplesPerSecond.Mean) }, new[] { quality.Mean });
            point.MarkerSize = 12;
            point.Color = Colors.Category10[index++ % 10];
            point.LegendText = row.Name;
            var label = plot.Add.Text(row.Name, Math.Log10(row.SamplesPerSecond.Mean), quality.Mean);
            label.LabelFontSize = 12;
            label.OffsetY = -8;
        }

        plot.XLabel("log₁₀ samples per second");
        plot.YLabel(metricTitle);
        plot.Title("Sampling speed versus quality");
        if (xs.Count > 0)
        {
            // Room for the labels of the outermost points; the legend sits outside the data area.
            double yPad = Math.Max(0.05, 0.1 * (ys.Max() - ys.Min()));
            plot.Axes.SetLimits(xs.Min() - 0.3, xs.Max() + 0.6, ys.Min() - yPad, ys.Max() + yPad);
        }

        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 800, 550);
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

using System.Globalization;
using ScottPlot;

namespace Generative.Compare;

/// <summary>
/// The picture of <c>--curve</c>'s learning-curve.csv: high-quality fraction and modes captured against training steps,
/// one line per contender and seed, drawn from every row of the file (so a resumed run's picture shows the whole curve).
/// </summary>
internal static class LearningCurvePicture
{
    /// <summary>One scored point of a run.</summary>
    /// <param name="Run">The contender and seed, as the legend shows them.</param>
    /// <param name="Step">Training steps completed.</param>
    /// <param name="Modes">Modes captured.</param>
    /// <param name="HighQuality">The high-quality fraction, 0 to 1.</param>
    internal sealed record Point(string Run, long Step, int Modes, double HighQuality);

    /// <summary>Reads the rows of a learning-curve CSV (header <c>contender,seed,step,modes,high_quality,kl,train_seconds</c>),
    /// sorted by run and step; a step scored twice (a run repeated in the same folder) keeps its last row.</summary>
    public static IReadOnlyList<Point> Read(string csvPath) => File.ReadLines(csvPath)
        .Skip(1)
        .Where(line => line.Length > 0)
        .Select(line => line.Split(','))
        .Select(f => new Point($"{f[0]} seed {f[1]}", long.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture)))
        .GroupBy(p => (p.Run, p.Step))
        .Select(g => g.Last())
        .OrderBy(p => p.Run, StringComparer.Ordinal)
        .ThenBy(p => p.Step)
        .ToList();

    /// <summary>Draws the two panels (high quality in %, modes out of <paramref name="modeCount"/>) into a PNG.</summary>
    public static void Write(string csvPath, string pngPath, int modeCount)
    {
        var runs = Read(csvPath).GroupBy(p => p.Run).ToList();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();
        var quality = multiplot.GetPlot(0);
        var modes = multiplot.GetPlot(1);
        int index = 0;
        foreach (var run in runs)
        {
            double[] steps = [.. run.Select(p => (double)p.Step)];
            var color = Colors.Category10[index++ % 10];
            var q = quality.Add.Scatter(steps, [.. run.Select(p => 100 * p.HighQuality)]);
            q.Color = color;
            q.LegendText = run.Key;
            var m = modes.Add.Scatter(steps, [.. run.Select(p => (double)p.Modes)]);
            m.Color = color;
        }

        quality.Title("Learning curve", size: 14);
        quality.YLabel("high quality (%)", size: 12);
        quality.Axes.SetLimitsY(0, 100);
        quality.ShowLegend(Alignment.LowerRight);
        modes.XLabel("training step", size: 12);
        modes.YLabel("modes captured", size: 12);
        modes.Axes.SetLimitsY(0, modeCount + 0.5);
        File.WriteAllBytes(pngPath, multiplot.Render(900, 640).GetImageBytes(ImageFormat.Png));
    }
}

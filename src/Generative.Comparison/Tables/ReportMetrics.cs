namespace Generative.Comparison.Tables;

/// <summary>
/// The formulas of the report's column shapes and column pair trends (SDMetrics' definitions, written from them):
/// the Kolmogorov–Smirnov statistic, total variation, Pearson's r and the contingency table, and SDMetrics'
/// discretisation of a numeric column (equal-width bins of the column's own present values, <c>np.digitize</c>).
/// </summary>
internal static class ReportMetrics
{
    /// <summary>The label a missing cell has as a category (in shapes, contingency tables and pictures).</summary>
    public const string MissingLabel = "(missing)";

    /// <summary>The two-sample Kolmogorov–Smirnov statistic sup |F(t) − G(t)| of two empirical CDFs (NaN values ignored);
    /// 0 when both are empty, 1 when exactly one is.</summary>
    public static double KolmogorovSmirnov(IEnumerable<double> first, IEnumerable<double> second)
    {
        double[] a = [.. first.Where(v => !double.IsNaN(v)).Order()];
        double[] b = [.. second.Where(v => !double.IsNaN(v)).Order()];
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == b.Length ? 0 : 1;
        }

        int i = 0, j = 0;
        double largest = 0;
        while (i < a.Length && j < b.Length)
        {
            double t = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] == t)
            {
                i++;
            }

            while (j < b.Length && b[j] == t)
            {
                j++;
            }

            largest = Math.Max(largest, Math.Abs(((double)i / a.Length) - ((double)j / b.Length)));
        }

        return largest;
    }

    /// <summary>Shares of each label (missing as <see cref="MissingLabel"/>).</summary>
    public static Dictionary<string, double> Shares(IReadOnlyList<string?> labels)
    {
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string? label in labels)
        {
            string key = label ?? MissingLabel;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach (string key in counts.Keys.ToList())
        {
            counts[key] /= Math.Max(1, labels.Count);
        }

        return counts;
    }

    /// <summary>Total variation ½ Σ |p − q| over the union of the keys.</summary>
    public static double TotalVariation(IReadOnlyDictionary<string, double> p, IReadOnlyDictionary<string, double> q)
    {
        double sum = 0;
        foreach (var (key, value) in p)
        {
            sum += Math.Abs(value - q.GetValueOrDefault(key));
        }

        foreach (var (key, value) in q)
        {
            if (!p.ContainsKey(key))
            {
                sum += value;
            }
        }

        return sum / 2;
    }

    /// <summary>Pearson's r over the rows where both values are present; NaN with fewer than two such rows or when
    /// either is constant on them.</summary>
    public static double Pearson(double[] x, double[] y)
    {
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (!double.IsNaN(x[i]) && !double.IsNaN(y[i]))
            {
                sx += x[i];
                sy += y[i];
                n++;
            }
        }

        if (n < 2)
        {
            return double.NaN;
        }

        double mx = sx / n, my = sy / n, sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (!double.IsNaN(x[i]) && !double.IsNaN(y[i]))
            {
                double dx = x[i] - mx, dy = y[i] - my;
                sxy += dx * dy;
                sxx += dx * dx;
                syy += dy * dy;
            }
        }

        return sxx > 0 && syy > 0 ? Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1) : double.NaN;
    }

    /// <summary>
    /// SDMetrics' discretisation of a numeric column for a contingency table: <paramref name="bins"/> equal-width bins
    /// between the column's own smallest and largest present value (<c>np.histogram_bin_edges</c>; ±0.5 around a
    /// constant), each value labelled with the number of edges ≤ it (<c>np.digitize</c>: 1..bins for values below the
    /// top edge, bins + 1 for the largest value itself); a missing value is labelled <see cref="MissingLabel"/>.
    /// </summary>
    public static string?[] Discretise(double[] values, int bins)
    {
        double[] edges = EqualWidthEdges(values, bins);
        var labels = new string?[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                labels[i] = null;
                continue;
            }

            int index = Array.BinarySearch(edges, values[i]);

            // Count of edges ≤ value: an exact hit at k (first of equal edges does not matter: edges are distinct) → k + 1.
            int count = index >= 0 ? index + 1 : ~index;
            labels[i] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return labels;
    }

    /// <summary>The edges of <c>np.histogram_bin_edges(present, bins)</c>: <c>linspace(min, max, bins + 1)</c>, the range
    /// widened by ±0.5 when min = max, (0, 1) when nothing is present.</summary>
    public static double[] EqualWidthEdges(double[] values, int bins)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (!double.IsNaN(v))
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        if (double.IsInfinity(lo))
        {
            (lo, hi) = (0, 1);
        }
        else if (lo == hi)
        {
            (lo, hi) = (lo - 0.5, hi + 0.5);
        }

        var edges = new double[bins + 1];
        double step = (hi - lo) / bins;
        for (int k = 0; k < bins; k++)
        {
            edges[k] = lo + (k * step);
        }

        edges[bins] = hi;
        return edges;
    }

    /// <summary>Contingency similarity 1 − ½ Σ_ab |p_ab − q_ab| of two label pairs (missing is a label of its own).</summary>
    public static double ContingencySimilarity(string?[] realFirst, string?[] realSecond, string?[] syntheticFirst, string?[] syntheticSecond) =>
        1 - TotalVariation(PairShares(realFirst, realSecond), PairShares(syntheticFirst, syntheticSecond));

    /// <summary>Correlation similarity 1 − |r_real − r_synthetic| / 2; NaN when either r is undefined.</summary>
    public static double CorrelationSimilarity(double realR, double syntheticR) =>
        double.IsNaN(realR) || double.IsNaN(syntheticR) ? double.NaN : 1 - (Math.Abs(realR - syntheticR) / 2);

    /// <summary>The quantile of sorted values with linear interpolation between order statistics (NumPy's default).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    private static Dictionary<string, double> PairShares(string?[] first, string?[] second)
    {
        var keys = new string?[first.Length];
        for (int i = 0; i < first.Length; i++)
        {
            keys[i] = (first[i] ?? MissingLabel) + "\u001f" + (second[i] ?? MissingLabel);
        }

        return Shares(keys);
    }
}

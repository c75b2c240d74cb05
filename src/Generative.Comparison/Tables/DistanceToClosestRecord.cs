using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Comparison.Tables;

/// <summary>
/// Distance to the closest record (SDMetrics' DCR, written from its definition): the distance of two rows is the mean
/// over the compared columns of a per-column distance in [0, 1] — for numbers and dates min(|a − b| / range, 1) with
/// range the real training rows' max − min (a constant column: 0 if equal, else 1); for categories and Booleans 0 if
/// equal, else 1; missing against present 1, both missing 0. Computed in blocks of query rows against all reference
/// rows with TorchSharp matrix operations (categorical matches as one matrix product of one-hot codes).
/// </summary>
internal static class DistanceToClosestRecord
{
    private const float MissingCode = 1e30f;

    /// <summary>The privacy part of the report.</summary>
    public static PrivacyResult Compute(
        IReadOnlyList<ReportColumn> train, IReadOnlyList<ReportColumn> holdout, IReadOnlyList<ReportColumn> synthetic, int blockRows)
    {
        double[] syntheticDcr = Distances(synthetic, train, blockRows);
        double[] holdoutDcr = Distances(holdout, train, blockRows);
        var trainKeys = new HashSet<string>(Keys(train), StringComparer.Ordinal);
        double syntheticCopies = Keys(synthetic).Count(trainKeys.Contains) / (double)Math.Max(1, synthetic[0].Count);
        double holdoutCopies = Keys(holdout).Count(trainKeys.Contains) / (double)Math.Max(1, holdout[0].Count);
        Array.Sort(syntheticDcr);
        Array.Sort(holdoutDcr);
        const int bins = 30;
        double top = Math.Max(ReportMetrics.Quantile(syntheticDcr, 0.99), ReportMetrics.Quantile(holdoutDcr, 0.99));
        top = top > 0 && double.IsFinite(top) ? top : 1;
        double[] edges = [.. Enumerable.Range(0, bins + 1).Select(b => top * b / bins)];
        return new PrivacyResult(
            ReportMetrics.Quantile(syntheticDcr, 0.5),
            ReportMetrics.Quantile(syntheticDcr, 0.05),
            ReportMetrics.Quantile(holdoutDcr, 0.5),
            ReportMetrics.Quantile(holdoutDcr, 0.05),
            syntheticCopies,
            holdoutCopies,
            edges,
            Histogram(syntheticDcr, top, bins),
            Histogram(holdoutDcr, top, bins));
    }

    /// <summary>The DCR of every row of <paramref name="query"/> to the rows of <paramref name="reference"/> (same columns).</summary>
    public static double[] Distances(IReadOnlyList<ReportColumn> query, IReadOnlyList<ReportColumn> reference, int blockRows)
    {
        int q = query[0].Count;
        int r = reference[0].Count;
        int columns = query.Count;
        var numeric = Enumerable.Range(0, columns).Where(c => reference[c].IsNumeric).ToArray();
        var categorical = Enumerable.Range(0, columns).Where(c => !reference[c].IsNumeric).ToArray();

        // Numbers scaled by the reference range (a constant column: differences blown up so that any is ≥ 1).
        var scales = numeric.Select(c =>
        {
            var present = reference[c].Present();
            double lo = present.Length > 0 ? present.Min() : 0, hi = present.Length > 0 ? present.Max() : 0;
            return (Offset: lo, Factor: hi > lo ? 1 / (hi - lo) : 1e12);
        }).ToArray();
        float[] Scaled(IReadOnlyList<ReportColumn> table, int rows)
        {
            var x = new float[rows * numeric.Length];
            for (int k = 0; k < numeric.Length; k++)
            {
                double[] values = table[numeric[k]].Numbers!;
                for (int i = 0; i < rows; i++)
                {
                    x[(i * numeric.Length) + k] = double.IsNaN(values[i])
                        ? MissingCode
                        : (float)Math.Clamp((values[i] - scales[k].Offset) * scales[k].Factor, -1e20, 1e20);
                }
            }

            return x;
        }

        // One-hot codes over the labels of both sides (missing a label of its own): matches = Q · Rᵀ.
        var vocabulary = new Dictionary<(int Column, string Label), int>();
        foreach (var table in new[] { reference, query })
        {
            foreach (int c in categorical)
            {
                foreach (string? label in table[c].Labels!)
                {
                    vocabulary.TryAdd((c, label ?? ReportMetrics.MissingLabel), vocabulary.Count);
                }
            }
        }

        float[] OneHot(IReadOnlyList<ReportColumn> table, int rows)
        {
            var x = new float[rows * Math.Max(1, vocabulary.Count)];
            foreach (int c in categorical)
            {
                string?[] labels = table[c].Labels!;
                for (int i = 0; i < rows; i++)
                {
                    x[(i * vocabulary.Count) + vocabulary[(c, labels[i] ?? ReportMetrics.MissingLabel)]] = 1;
                }
            }

            return x;
        }

        int width = Math.Max(1, vocabulary.Count);
        var result = new double[q];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var referenceNumbers = tensor(Scaled(reference, r), [r, numeric.Length]).t().contiguous();
        var referenceCodes = tensor(OneHot(reference, r), [r, width]).t().contiguous();
        var queryNumbers = tensor(Scaled(query, q), [q, numeric.Length]);
        var queryCodes = tensor(OneHot(query, q), [q, width]);
        // Scalars held across the calls (docs/troubleshooting.md): one is also add_'s alpha and the cap of a numeric difference.
        using var categories = categorical.Length.ToScalar();
        using var one = 1.ToScalar();
        using var columnCount = columns.ToScalar();
        for (int start = 0; start < q; start += blockRows)
        {
            using var blockScope = NewDisposeScope();
            int end = Math.Min(q, start + blockRows);
            var total = queryCodes.slice(0, start, end, 1).matmul(referenceCodes).neg_().add_(categories, one);
            for (int k = 0; k < numeric.Length; k++)
            {
                var difference = queryNumbers.slice(0, start, end, 1).select(1, k).unsqueeze(1) - referenceNumbers[k].unsqueeze(0);
                total.add_(difference.abs_().clamp_max_(one), one);
            }

            var closest = total.min(1).values.to_type(ScalarType.Float64).div_(columnCount);
            closest.data<double>().ToArray().CopyTo(result, start);
        }

        return result;
    }

    /// <summary>Each row as one string of its compared cells (numbers round-trippable), for exact-copy counting.</summary>
    private static IEnumerable<string> Keys(IReadOnlyList<ReportColumn> table)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < table[0].Count; i++)
        {
            text.Clear();
            foreach (var column in table)
            {
                if (column.IsNumeric)
                {
                    double v = column.Numbers![i];
                    text.Append(double.IsNaN(v) ? "\u0000" : v.ToString("R", CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append(column.Labels![i] ?? "\u0000");
                }

                text.Append('\u001f');
            }

            yield return text.ToString();
        }
    }

    private static int[] Histogram(double[] values, double top, int bins)
    {
        var counts = new int[bins];
        foreach (double v in values)
        {
            counts[Math.Clamp((int)(v / top * bins), 0, bins - 1)]++;
        }

        return counts;
    }
}

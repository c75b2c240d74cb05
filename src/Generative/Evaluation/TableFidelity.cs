using TorchSharp;

namespace Generative.Evaluation;

/// <summary>Column-wise and correlation distances between a synthetic table and a real one.</summary>
/// <param name="ColumnWasserstein">Exact Wasserstein-1 distance between the real and synthetic values of each column, in the column's units.</param>
/// <param name="MeanStandardisedWasserstein">
/// Mean over columns of W1 / sᵣ with sᵣ the real column's standard deviation (N − 1 denominator; raw W1 when sᵣ = 0):
/// a unit-free summary (0 is best).
/// </param>
/// <param name="CorrelationFrobenius">‖C_real − C_synthetic‖_F over the full D×D Pearson correlation matrices.</param>
/// <param name="CorrelationMeanAbsolute">Mean of |C_real − C_synthetic| over the D(D−1)/2 pairs above the diagonal, in [0, 2].</param>
public sealed record TableFidelityResult(
    IReadOnlyList<double> ColumnWasserstein,
    double MeanStandardisedWasserstein,
    double CorrelationFrobenius,
    double CorrelationMeanAbsolute);

/// <summary>
/// Statistical fidelity of synthetic tables: the exact 1-D Wasserstein-1 distance per column (the area between the
/// two empirical CDFs, W1 = ∫ |F(t) − G(t)| dt; Villani 2009, Ramdas et al. 2017) and the difference between the
/// Pearson correlation matrices. Correlations with a constant column are taken as 0 (diagonal 1).
/// </summary>
/// <remarks>Computed in float64 on the CPU. Stateless and thread-safe.</remarks>
public static class TableFidelity
{
    /// <summary>Compares <paramref name="synthetic"/> with <paramref name="real"/> column by column.</summary>
    /// <param name="real">Real rows <c>[N, D]</c>, N ≥ 2.</param>
    /// <param name="synthetic">Synthetic rows <c>[M, D]</c>, M ≥ 2, same columns.</param>
    public static TableFidelityResult Compute(torch.Tensor real, torch.Tensor synthetic)
    {
        FeatureChecks.EnsureFeatures(real, nameof(real), minRows: 2);
        FeatureChecks.EnsureFeatures(synthetic, nameof(synthetic), minRows: 2);
        FeatureChecks.EnsureSameDimension(real, synthetic, nameof(synthetic));
        double[,] a = ToColumns(real);
        double[,] b = ToColumns(synthetic);
        int d = a.GetLength(0);
        var w1 = new double[d];
        double standardisedSum = 0;
        for (int j = 0; j < d; j++)
        {
            double[] x = Column(a, j);
            double[] y = Column(b, j);
            w1[j] = Wasserstein1(x, y);
            double s = StandardDeviation(x);
            standardisedSum += s > 0 ? w1[j] / s : w1[j];
        }

        double[,] ca = Correlation(a);
        double[,] cb = Correlation(b);
        double frobenius = 0;
        double absolute = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double diff = ca[i, j] - cb[i, j];
                frobenius += diff * diff;
                if (j > i)
                {
                    absolute += Math.Abs(diff);
                }
            }
        }

        double pairs = d * (d - 1) / 2.0;
        return new TableFidelityResult(w1, standardisedSum / d, Math.Sqrt(frobenius), pairs > 0 ? absolute / pairs : 0);
    }

    /// <summary>
    /// The exact Wasserstein-1 distance between the empirical distributions of two samples (sizes may differ):
    /// ∫ |F(t) − G(t)| dt, integrating the difference of the step CDFs between consecutive sorted values.
    /// </summary>
    /// <param name="first">Values of the first sample, at least one, all finite.</param>
    /// <param name="second">Values of the second sample, at least one, all finite.</param>
    public static double Wasserstein1(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count == 0 || second.Count == 0)
        {
            throw new ArgumentException("Both samples need at least one value.", first.Count == 0 ? nameof(first) : nameof(second));
        }

        double[] a = [.. first.Order()];
        double[] b = [.. second.Order()];
        if (!double.IsFinite(a[0]) || !double.IsFinite(a[^1]) || !double.IsFinite(b[0]) || !double.IsFinite(b[^1]))
        {
            return double.NaN;
        }

        int i = 0;
        int j = 0;
        double total = 0;
        double previous = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            double next = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            total += Math.Abs(((double)i / a.Length) - ((double)j / b.Length)) * (next - previous);
            while (i < a.Length && a[i] == next)
            {
                i++;
            }

            while (j < b.Length && b[j] == next)
            {
                j++;
            }

            previous = next;
        }

        return total;
    }

    private static double[,] ToColumns(torch.Tensor table)
    {
        using var scope = torch.NewDisposeScope();
        var t = table.detach().to(torch.CPU).to_type(torch.ScalarType.Float64).t().contiguous();
        int d = (int)t.shape[0];
        int n = (int)t.shape[1];
        double[] flat = t.data<double>().ToArray();
        var result = new double[d, n];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    private static double[] Column(double[,] columns, int j)
    {
        int n = columns.GetLength(1);
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = columns[j, i];
        }

        return result;
    }

    private static double StandardDeviation(double[] x)
    {
        double mean = x.Average();
        double sum = 0;
        foreach (double v in x)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / (x.Length - 1));
    }

    private static double[,] Correlation(double[,] columns)
    {
        int d = columns.GetLength(0);
        int n = columns.GetLength(1);
        var centred = new double[d][];
        var norms = new double[d];
        for (int j = 0; j < d; j++)
        {
            double[] c = Column(columns, j);
            double mean = c.Average();
            double ss = 0;
            for (int i = 0; i < n; i++)
            {
                c[i] -= mean;
                ss += c[i] * c[i];
            }

            centred[j] = c;
            norms[j] = Math.Sqrt(ss);
        }

        var result = new double[d, d];
        for (int p = 0; p < d; p++)
        {
            for (int q = p; q < d; q++)
            {
                double value;
                if (p == q)
                {
                    value = 1;
                }
                else if (norms[p] == 0 || norms[q] == 0)
                {
                    value = 0;
                }
                else
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++)
                    {
                        dot += centred[p][i] * centred[q][i];
                    }

                    value = dot / (norms[p] * norms[q]);
                }

                result[p, q] = value;
                result[q, p] = value;
            }
        }

        return result;
    }
}

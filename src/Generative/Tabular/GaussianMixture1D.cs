namespace Generative.Tabular;

/// <summary>
/// A one-dimensional Gaussian mixture fitted by expectation-maximisation, the number of components (1 to a maximum)
/// chosen by the Bayesian information criterion and components lighter than a threshold dropped, as the modes of
/// mode-specific normalisation (Xu et al. 2019, "Modeling Tabular Data using Conditional GAN", §4.2). Deterministic: no
/// random draw (initial means at evenly spaced quantiles of the distinct values). Immutable.
/// </summary>
internal sealed class GaussianMixture1D
{
    private const int MaxIterations = 200;
    private const int MaxFitValues = 5_000;

    internal GaussianMixture1D(double[] weights, double[] means, double[] deviations)
    {
        Weights = weights;
        Means = means;
        Deviations = deviations;
    }

    /// <summary>π_k, summing to 1.</summary>
    internal double[] Weights { get; }

    /// <summary>μ_k, increasing.</summary>
    internal double[] Means { get; }

    /// <summary>σ_k, positive.</summary>
    internal double[] Deviations { get; }

    internal int Count => Weights.Length;

    /// <summary>Fits the mixture.</summary>
    /// <param name="values">The observed values (at least one, finite).</param>
    /// <param name="maxComponents">At most this many components.</param>
    /// <param name="weightThreshold">Components whose weight is below this are dropped and the rest renormalised.</param>
    /// <param name="minDeviation">A floor on every σ_k (a component on one repeated value would otherwise collapse).</param>
    internal static GaussianMixture1D Fit(IReadOnlyList<double> values, int maxComponents, double weightThreshold, double minDeviation)
    {
        if (values.Count == 0)
        {
            return new GaussianMixture1D([1.0], [0.0], [Math.Max(minDeviation, 1.0)]);
        }

        // At most MaxFitValues values, evenly spaced through the data (deterministic; enough for ten components).
        int stride = Math.Max(1, (values.Count + MaxFitValues - 1) / MaxFitValues);
        double[] x = [.. Enumerable.Range(0, (values.Count + stride - 1) / stride).Select(i => values[i * stride])];
        double[] distinct = [.. x.Distinct().Order()];
        GaussianMixture1D? best = null;
        double bestBic = double.PositiveInfinity;
        for (int k = 1; k <= Math.Min(maxComponents, distinct.Length); k++)
        {
            var (mixture, logLikelihood) = Em(x, distinct, k, minDeviation);
            double bic = (-2 * logLikelihood) + ((3 * k) - 1) * Math.Log(x.Length);
            if (bic < bestBic)
            {
                bestBic = bic;
                best = mixture;
            }
        }

        return best!.Pruned(weightThreshold);
    }

    /// <summary>log(π_k N(x | μ_k, σ_k)) for every k.</summary>
    internal void LogJoint(double x, Span<double> output)
    {
        for (int k = 0; k < Count; k++)
        {
            double z = (x - Means[k]) / Deviations[k];
            output[k] = Math.Log(Weights[k]) - Math.Log(Deviations[k]) - (0.5 * z * z) - (0.5 * Math.Log(2 * Math.PI));
        }
    }

    /// <summary>The component most responsible for x (the largest π_k N(x | μ_k, σ_k); ties: the first).</summary>
    internal int MostResponsible(double x)
    {
        Span<double> joint = stackalloc double[Count];
        LogJoint(x, joint);
        int best = 0;
        for (int k = 1; k < Count; k++)
        {
            if (joint[k] > joint[best])
            {
                best = k;
            }
        }

        return best;
    }

    private static (GaussianMixture1D Mixture, double LogLikelihood) Em(double[] x, double[] distinct, int k, double minDeviation)
    {
        int n = x.Length;
        double mean = x.Average();
        double sd = Math.Max(Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / n), minDeviation);
        var weights = Enumerable.Repeat(1.0 / k, k).ToArray();
        var means = Enumerable.Range(0, k).Select(j => distinct[(int)((j + 0.5) * distinct.Length / k)]).ToArray();
        var deviations = Enumerable.Repeat(sd / k, k).Select(s => Math.Max(s, minDeviation)).ToArray();
        var responsibility = new double[n * k];
        var joint = new double[k];
        double previous = double.NegativeInfinity, logLikelihood = double.NegativeInfinity;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            // E step: responsibilities in log space, and the log-likelihood of the current parameters.
            var mixture = new GaussianMixture1D(weights, means, deviations);
            logLikelihood = 0;
            for (int i = 0; i < n; i++)
            {
                mixture.LogJoint(x[i], joint);
                double max = joint.Max();
                double sum = 0;
                for (int j = 0; j < k; j++)
                {
                    sum += Math.Exp(joint[j] - max);
                }

                double logSum = max + Math.Log(sum);
                logLikelihood += logSum;
                for (int j = 0; j < k; j++)
                {
                    responsibility[(i * k) + j] = Math.Exp(joint[j] - logSum);
                }
            }

            if (logLikelihood - previous < 1e-7 * n)
            {
                break;
            }

            previous = logLikelihood;

            // M step (a component that lost every point keeps its place with a negligible weight and is pruned later).
            weights = new double[k];
            means = new double[k];
            deviations = new double[k];
            for (int j = 0; j < k; j++)
            {
                double nk = 0, s = 0;
                for (int i = 0; i < n; i++)
                {
                    nk += responsibility[(i * k) + j];
                    s += responsibility[(i * k) + j] * x[i];
                }

                nk = Math.Max(nk, 1e-10);
                means[j] = s / nk;
                double v = 0;
                for (int i = 0; i < n; i++)
                {
                    double d = x[i] - means[j];
                    v += responsibility[(i * k) + j] * d * d;
                }

                weights[j] = nk / n;
                deviations[j] = Math.Max(Math.Sqrt(v / nk), minDeviation);
            }
        }

        return (new GaussianMixture1D(weights, means, deviations), logLikelihood);
    }

    private GaussianMixture1D Pruned(double threshold)
    {
        int[] kept = [.. Enumerable.Range(0, Count).Where(k => Weights[k] >= threshold).OrderBy(k => Means[k])];
        if (kept.Length == 0)
        {
            kept = [Array.IndexOf(Weights, Weights.Max())];
        }

        double total = kept.Sum(k => Weights[k]);
        return new GaussianMixture1D([.. kept.Select(k => Weights[k] / total)], [.. kept.Select(k => Means[k])], [.. kept.Select(k => Deviations[k])]);
    }
}

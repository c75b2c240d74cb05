namespace Generative.Tabular;

/// <summary>
/// The standard normal restricted to an interval [α, β]: its probability and an inverse-CDF draw. An interval in the
/// upper half is reflected into the lower one, where Φ and Φ⁻¹ keep their relative precision; beyond −7 (Φ &lt; 1.3e-12)
/// the tail is Mills' asymptotic series for the probability and an exponential for the draw (relative error below
/// 1/α², under 2 % there).
/// </summary>
internal static class TruncatedNormal
{
    private const double DeepTail = -7;

    /// <summary>P(α ≤ Z ≤ β) for a standard normal Z (a positive approximation deep in a tail).</summary>
    internal static double Mass(double alpha, double beta)
    {
        if (alpha >= 0)
        {
            return Mass(-beta, -alpha);
        }

        if (beta > DeepTail)
        {
            return Math.Max(Cdf(beta) - Cdf(alpha), 0);
        }

        return Math.Max(TailCdf(beta) - TailCdf(alpha), 0);
    }

    /// <summary>The <paramref name="p"/>-quantile (p in [0, 1]) of the standard normal restricted to [α, β].</summary>
    internal static double Draw(double alpha, double beta, double p)
    {
        if (alpha >= 0)
        {
            return -Draw(-beta, -alpha, 1 - p);
        }

        if (beta > DeepTail)
        {
            double low = Cdf(alpha), high = Cdf(beta);
            double q = low + (p * (high - low));
            if (high - low > 1e-13 && q > 0 && q < 1)
            {
                return Math.Clamp(NormalDistribution.InverseCdf(q), alpha, beta);
            }

            if (beta - alpha < 1e-6 || beta >= 0)
            {
                return alpha + (p * (beta - alpha)); // a sliver: the density is flat across it
            }
        }

        // Deep in the lower tail the density falls from β downwards like exp(−|β|·(β − x)).
        double rate = -beta, width = beta - alpha;
        double y = -Math.Log(1 - (p * (1 - Math.Exp(-rate * width)))) / rate;
        return Math.Clamp(beta - y, alpha, beta);
    }

    private static double Cdf(double x) =>
        double.IsNegativeInfinity(x) ? 0 : double.IsPositiveInfinity(x) ? 1 : NormalDistribution.Cdf(x);

    /// <summary>Φ(x) for x ≤ −7 by Mills' ratio: φ(x)/|x|·(1 − 1/x² + 3/x⁴).</summary>
    private static double TailCdf(double x)
    {
        if (double.IsNegativeInfinity(x))
        {
            return 0;
        }

        double inverse = 1 / (x * x);
        return NormalDistribution.Density(x) / -x * (1 - inverse + (3 * inverse * inverse));
    }
}

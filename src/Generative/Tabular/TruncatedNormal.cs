namespace Generative.Tabular;

/// <summary>
/// The standard normal restricted to an interval [α, β], for the copula's conditional draws: its probability and an
/// inverse-CDF draw. An interval in the upper half is reflected into the lower one, so that probabilities keep their
/// relative precision. Φ here is 0.5·erfc(−x/√2) with the Chebyshev erfc of Numerical Recipes (relative error below
/// 1.2e-7 everywhere, tails included) and Φ⁻¹ is Acklam's approximation without refinement (relative error below
/// 1.2e-9): far finer than a sample needs, several times faster than the full-precision pair, and the result is always
/// clamped into the interval.
/// </summary>
internal static class TruncatedNormal
{

    /// <summary>The probability of [α, β] under the standard normal, and the CDF values the draw reuses.</summary>
    /// <param name="alpha">The lower end (may be −∞).</param>
    /// <param name="beta">The upper end (may be +∞).</param>
    /// <param name="low">Φ at the lower end of the (possibly reflected) interval.</param>
    /// <param name="high">Φ at its upper end.</param>
    /// <returns>high − low, the probability.</returns>
    internal static double Mass(double alpha, double beta, out double low, out double high)
    {
        if (alpha > 0)
        {
            (alpha, beta) = (-beta, -alpha);
        }

        low = Cdf(alpha);
        high = Cdf(beta);
        return Math.Max(high - low, 0);
    }

    /// <summary>The <paramref name="p"/>-quantile (p in [0, 1]) of the standard normal restricted to [α, β], given the
    /// values <see cref="Mass"/> returned for it.</summary>
    internal static double Draw(double alpha, double beta, double low, double high, double p)
    {
        bool reflected = alpha > 0;
        double a = reflected ? -beta : alpha, b = reflected ? -alpha : beta;
        double q = low + (p * (high - low));
        double x;
        if (high - low > 0 && q > 0 && q < 1)
        {
            x = Math.Clamp(InverseCdf(q), a, b);
        }
        else if (b - a < 1e-6 || b >= 0)
        {
            x = a + (p * (b - a)); // a sliver: the density is flat across it
        }
        else
        {
            // Beyond the reach of doubles (Φ underflows): the density falls from b downwards like exp(−|b|·(b − x)).
            double rate = -b;
            x = Math.Clamp(b + (Math.Log(1 - (p * (1 - Math.Exp(-rate * (b - a))))) / rate), a, b);
        }

        return reflected ? -x : x;
    }

    /// <summary>Φ(x) = erfc(−x/√2)/2, relative error below 1.2e-7.</summary>
    internal static double Cdf(double x)
    {
        if (double.IsNegativeInfinity(x))
        {
            return 0;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 1;
        }

        double z = Math.Abs(x) / Math.Sqrt(2);
        double t = 1 / (1 + (0.5 * z));
        double poly = 0.17087277;
        poly = -0.82215223 + (t * poly);
        poly = 1.48851587 + (t * poly);
        poly = -1.13520398 + (t * poly);
        poly = 0.27886807 + (t * poly);
        poly = -0.18628806 + (t * poly);
        poly = 0.09678418 + (t * poly);
        poly = 0.37409196 + (t * poly);
        poly = 1.00002368 + (t * poly);
        double erfc = t * Math.Exp((-z * z) - 1.26551223 + (t * poly));
        return x < 0 ? 0.5 * erfc : 1 - (0.5 * erfc);
    }

    /// <summary>Acklam's Φ⁻¹(p) for p in (0, 1), relative error below 1.2e-9.</summary>
    internal static double InverseCdf(double p)
    {
        const double low = 0.02425;
        if (p < low)
        {
            return Tail(Math.Sqrt(-2 * Math.Log(p)));
        }

        if (p > 1 - low)
        {
            return -Tail(Math.Sqrt(-2 * Math.Log(1 - p)));
        }

        double q = p - 0.5, r = q * q;
        return (((((((((((-3.969683028665376e+01 * r) + 2.209460984245205e+02) * r) - 2.759285104469687e+02) * r) + 1.383577518672690e+02) * r) - 3.066479806614716e+01) * r) + 2.506628277459239e+00) * q)
            / (((((((((-5.447609879822406e+01 * r) + 1.615858368580409e+02) * r) - 1.556989798598866e+02) * r) + 6.680131188771972e+01) * r) - 1.328068155288572e+01) * r + 1);
    }

    private static double Tail(double q) =>
        ((((((((((-7.784894002430293e-03 * q) - 3.223964580411365e-01) * q) - 2.400758277161838e+00) * q) - 2.549732539343734e+00) * q) + 4.374664141464968e+00) * q) + 2.938163982698783e+00)
        / ((((((((7.784695709041462e-03 * q) + 3.224671290700398e-01) * q) + 2.445134137142996e+00) * q) + 3.754408661907416e+00) * q) + 1);
}

namespace Generative.Tabular;

/// <summary>The standard normal distribution's CDF and quantile function in doubles (absolute error about 1e-15).</summary>
internal static class NormalDistribution
{
    private const double LogSqrtTwoPi = 0.91893853320467274178;

    /// <summary>Φ(x): Marsaglia's Taylor series (J. Stat. Software 11(4), 2004), exact to about 1e-15 absolute; 0 or 1
    /// beyond ±9.</summary>
    internal static double Cdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < -9)
        {
            return 0;
        }

        if (x > 9)
        {
            return 1;
        }

        double s = x, t = 0, b = x, q = x * x, i = 1;
        while (s != t)
        {
            t = s;
            i += 2;
            b *= q / i;
            s = t + b;
        }

        return 0.5 + (s * Math.Exp((-0.5 * q) - LogSqrtTwoPi));
    }

    /// <summary>The density φ(x).</summary>
    internal static double Density(double x) => Math.Exp((-0.5 * x * x) - LogSqrtTwoPi);

    /// <summary>Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation, then two Newton steps on <see cref="Cdf"/>.</summary>
    internal static double InverseCdf(double p)
    {
        if (!(p > 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A probability strictly between 0 and 1 is needed.");
        }

        const double low = 0.02425;
        double x;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = Tail(q);
        }
        else if (p > 1 - low)
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -Tail(q);
        }
        else
        {
            double q = p - 0.5, r = q * q;
            x = (((((((((((-3.969683028665376e+01 * r) + 2.209460984245205e+02) * r) - 2.759285104469687e+02) * r) + 1.383577518672690e+02) * r) - 3.066479806614716e+01) * r) + 2.506628277459239e+00) * q)
                / (((((((((-5.447609879822406e+01 * r) + 1.615858368580409e+02) * r) - 1.556989798598866e+02) * r) + 6.680131188771972e+01) * r) - 1.328068155288572e+01) * r + 1);
        }

        for (int i = 0; i < 2 && Math.Abs(x) < 9; i++)
        {
            x -= (Cdf(x) - p) / Density(x);
        }

        return x;
    }

    private static double Tail(double q) =>
        ((((((((((-7.784894002430293e-03 * q) - 3.223964580411365e-01) * q) - 2.400758277161838e+00) * q) - 2.549732539343734e+00) * q) + 4.374664141464968e+00) * q) + 2.938163982698783e+00)
        / ((((((((7.784695709041462e-03 * q) + 3.224671290700398e-01) * q) + 2.445134137142996e+00) * q) + 3.754408661907416e+00) * q) + 1);
}

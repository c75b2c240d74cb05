using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// A monotone, piecewise-linear map from a numeric column's values to standard normal scores and back: knots
/// x₀ &lt; … &lt; x_K (every distinct value, or <see cref="MaxKnots"/> quantiles of a column with more), each at its
/// mid-rank empirical CDF uₖ = (#below + #equal / 2) / n; a value is interpolated to u, then z = Φ⁻¹(u). The inverse runs
/// the same steps backwards, clamped to [x₀, x_K] (the observed bounds), so it undoes the map exactly up to rounding.
/// </summary>
internal sealed class QuantileMap
{
    /// <summary>The most knots kept (more distinct values are summarised by this many quantiles).</summary>
    internal const int MaxKnots = 1000;

    private readonly double[] _x;
    private readonly double[] _u;

    internal QuantileMap(double[] x, double[] u)
    {
        if (x.Length == 0 || x.Length != u.Length)
        {
            throw new InvalidDataException($"A quantile map needs as many CDF values as knots (at least one); found {x.Length} knots and {u.Length} CDF values.");
        }

        for (int k = 1; k < x.Length; k++)
        {
            if (!(x[k] > x[k - 1]) || !(u[k] > u[k - 1]))
            {
                throw new InvalidDataException($"A quantile map's knots and CDF values must increase strictly; knot {k} does not.");
            }
        }

        if (u[0] <= 0 || u[^1] >= 1)
        {
            throw new InvalidDataException("A quantile map's CDF values must lie strictly between 0 and 1.");
        }

        _x = x;
        _u = u;
    }

    internal double Minimum => _x[0];

    internal double Maximum => _x[^1];

    internal static QuantileMap Fit(IReadOnlyCollection<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return new QuantileMap([0], [0.5]);
        }

        var distinct = new List<double>();
        foreach (double v in sorted)
        {
            if (distinct.Count == 0 || v != distinct[^1])
            {
                distinct.Add(v);
            }
        }

        double[] knots;
        if (distinct.Count <= MaxKnots)
        {
            knots = [.. distinct];
        }
        else
        {
            var picked = new List<double>(MaxKnots);
            for (int k = 0; k < MaxKnots; k++)
            {
                double v = sorted[(int)Math.Round((double)k * (sorted.Length - 1) / (MaxKnots - 1))];
                if (picked.Count == 0 || v > picked[^1])
                {
                    picked.Add(v);
                }
            }

            knots = [.. picked];
        }

        int n = sorted.Length;
        double[] u = new double[knots.Length];
        for (int k = 0; k < knots.Length; k++)
        {
            int below = LowerBound(sorted, knots[k]);
            int equal = LowerBound(sorted, BitIncrement(knots[k])) - below;
            u[k] = (below + (equal / 2.0)) / n;
        }

        return new QuantileMap(knots, u);
    }

    /// <summary>The CDF value of x (clamped to the knots' range).</summary>
    internal double ToUniform(double x)
    {
        if (x <= _x[0])
        {
            return _u[0];
        }

        if (x >= _x[^1])
        {
            return _u[^1];
        }

        int k = UpperBound(_x, x) - 1;
        double t = (x - _x[k]) / (_x[k + 1] - _x[k]);
        return _u[k] + (t * (_u[k + 1] - _u[k]));
    }

    /// <summary>The value at CDF value u (clamped to the observed bounds).</summary>
    internal double FromUniform(double u)
    {
        if (!(u > _u[0]))
        {
            return _x[0];
        }

        if (u >= _u[^1])
        {
            return _x[^1];
        }

        int k = UpperBound(_u, u) - 1;
        double t = (u - _u[k]) / (_u[k + 1] - _u[k]);
        return _x[k] + (t * (_x[k + 1] - _x[k]));
    }

    internal double ToNormal(double x) => _x.Length == 1 ? 0 : NormalDistribution.InverseCdf(ToUniform(x));

    internal double FromNormal(double z) => _x.Length == 1 ? _x[0] : FromUniform(NormalDistribution.Cdf(z));

    internal JsonObject ToJson() => new() { ["knots"] = Json.Array(_x), ["cdf"] = Json.Array(_u) };

    internal static QuantileMap FromJson(JsonObject o, string where)
    {
        try
        {
            return new QuantileMap(Json.Doubles(o, "knots", where), Json.Doubles(o, "cdf", where));
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }

    private static double BitIncrement(double v) => Math.BitIncrement(v);

    /// <summary>The first index whose value is ≥ v.</summary>
    private static int LowerBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The first index whose value is &gt; v.</summary>
    private static int UpperBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= v)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

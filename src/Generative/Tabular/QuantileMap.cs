using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// A monotone, piecewise-linear map from a numeric column's values to standard normal scores and back: knots
/// x₀ &lt; … &lt; x_K (every distinct value, or <see cref="MaxKnots"/> quantiles of a column with more), each at its
/// mid-rank empirical CDF uₖ = (#below + #equal / 2) / n; a value is interpolated to u, then z = Φ⁻¹(u). A knot that
/// several rows share (a tie, such as the zeros of a capital-gain column) also spans the CDF interval
/// [#below / n, (#below + #equal) / n] its rows take: the inverse gives the knot for every u in it (the empirical quantile
/// function there, as scikit-learn's <c>QuantileTransformer</c> inverts a spike) and interpolates between knots only
/// across the gaps from one knot's interval to the next; the forward map sends the knot to its mid-rank and a value
/// between two knots into that gap. A knot of one row is a point (its interval is its mid-rank), so a column of distinct
/// values maps as a plain interpolation through the mid-ranks. The inverse is clamped to [x₀, x_K] (the observed bounds)
/// and undoes the map up to rounding for every knot and every value in a gap between knots.
/// </summary>
internal sealed class QuantileMap
{
    /// <summary>The most knots kept (more distinct values are summarised by this many quantiles).</summary>
    internal const int MaxKnots = 1000;

    private readonly double[] _x;
    private readonly double[] _u;
    private readonly double[] _lower;
    private readonly double[] _upper;

    /// <summary>A map through knots at their mid-rank CDF values, each a point (no tie intervals).</summary>
    internal QuantileMap(double[] x, double[] u)
        : this(x, u, u, u)
    {
    }

    /// <summary>A map through knots at their mid-rank CDF values <paramref name="u"/>, knot k spanning the CDF interval
    /// [<paramref name="lower"/>[k], <paramref name="upper"/>[k]] (equal to u[k] for a point).</summary>
    internal QuantileMap(double[] x, double[] u, double[] lower, double[] upper)
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

        if (lower.Length != x.Length || upper.Length != x.Length)
        {
            throw new InvalidDataException($"A quantile map needs a CDF interval per knot; found {x.Length} knots, {lower.Length} lower and {upper.Length} upper ends.");
        }

        for (int k = 0; k < x.Length; k++)
        {
            if (!(lower[k] <= u[k]) || !(u[k] <= upper[k]) || lower[k] < 0 || upper[k] > 1 || (k > 0 && lower[k] < upper[k - 1]))
            {
                throw new InvalidDataException($"A quantile map's knot {k} must span an interval within [0, 1] around its CDF value ({u[k]}) that does not overlap the previous knot's; found [{lower[k]}, {upper[k]}].");
            }
        }

        _x = x;
        _u = u;
        _lower = lower;
        _upper = upper;
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
        double[] lower = new double[knots.Length];
        double[] upper = new double[knots.Length];
        for (int k = 0; k < knots.Length; k++)
        {
            int below = LowerBound(sorted, knots[k]);
            int equal = LowerBound(sorted, BitIncrement(knots[k])) - below;
            u[k] = (below + (equal / 2.0)) / n;
            (lower[k], upper[k]) = equal > 1 ? ((double)below / n, (double)(below + equal) / n) : (u[k], u[k]);
        }

        return new QuantileMap(knots, u, lower, upper);
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
        if (x == _x[k])
        {
            return _u[k];
        }

        double t = (x - _x[k]) / (_x[k + 1] - _x[k]);
        return _upper[k] + (t * (_lower[k + 1] - _upper[k]));
    }

    /// <summary>The value at CDF value u (clamped to the observed bounds).</summary>
    internal double FromUniform(double u)
    {
        if (!(u > _upper[0]))
        {
            return _x[0];
        }

        if (u >= _lower[^1])
        {
            return _x[^1];
        }

        // k: the last knot whose interval starts at or below u; u is in its interval or in the gap after it.
        int k = UpperBound(_lower, u) - 1;
        if (u <= _upper[k])
        {
            return _x[k];
        }

        double t = (u - _upper[k]) / (_lower[k + 1] - _upper[k]);
        return _x[k] + (t * (_x[k + 1] - _x[k]));
    }

    internal double ToNormal(double x) => _x.Length == 1 ? 0 : NormalDistribution.InverseCdf(ToUniform(x));

    internal double FromNormal(double z) => _x.Length == 1 ? _x[0] : FromUniform(NormalDistribution.Cdf(z));

    /// <summary>The knots, their mid-rank CDF values and, when some knot is a tie, every knot's CDF interval
    /// (<c>lower</c>, <c>upper</c>; absent, each knot is a point, as in files written before ties had intervals).</summary>
    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["knots"] = Json.Array(_x), ["cdf"] = Json.Array(_u) };
        if (!_lower.AsSpan().SequenceEqual(_u) || !_upper.AsSpan().SequenceEqual(_u))
        {
            o["lower"] = Json.Array(_lower);
            o["upper"] = Json.Array(_upper);
        }

        return o;
    }

    internal static QuantileMap FromJson(JsonObject o, string where)
    {
        try
        {
            double[] u = Json.Doubles(o, "cdf", where);
            bool intervals = o["lower"] is not null || o["upper"] is not null;
            return new QuantileMap(
                Json.Doubles(o, "knots", where), u, intervals ? Json.Doubles(o, "lower", where) : u, intervals ? Json.Doubles(o, "upper", where) : u);
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

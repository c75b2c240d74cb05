namespace Generative.Tabular;

/// <summary>
/// A union of disjoint, sorted sub-intervals of (0, 1): the uniforms (probabilities) of a copula column whose cells
/// satisfy a condition, and the same set as normal scores z = Φ⁻¹(u). Each interval is shrunk inwards by a relative
/// 1e-12 of its width, so that its edges decode inside it (a category's interval is half-open). Immutable.
/// </summary>
internal sealed class UnitIntervals
{
    private readonly double[] _low;
    private readonly double[] _high;
    private readonly double[] _cumulative;

    private UnitIntervals(double[] low, double[] high)
    {
        _low = low;
        _high = high;
        _cumulative = new double[low.Length];
        double sum = 0;
        for (int i = 0; i < low.Length; i++)
        {
            sum += high[i] - low[i];
            _cumulative[i] = sum;
        }

        Mass = sum;
        ScoreLow = [.. low.Select(l => l <= 0 ? double.NegativeInfinity : NormalDistribution.InverseCdf(l))];
        ScoreHigh = [.. high.Select(h => h >= 1 ? double.PositiveInfinity : NormalDistribution.InverseCdf(h))];
    }

    /// <summary>The total length, the probability of the condition under the column's marginal.</summary>
    internal double Mass { get; }

    /// <summary>The intervals' lower ends as normal scores.</summary>
    internal double[] ScoreLow { get; }

    /// <summary>The intervals' upper ends as normal scores.</summary>
    internal double[] ScoreHigh { get; }

    /// <summary>Sorts, merges touching intervals, shrinks them; refuses an empty set.</summary>
    /// <exception cref="ArgumentException">No uniform is allowed: the message names the column and the condition.</exception>
    internal static UnitIntervals Create(IEnumerable<(double Low, double High)> intervals, string column, ColumnCondition condition)
    {
        var merged = new List<(double Low, double High)>();
        foreach (var (low, high) in intervals.Where(i => i.High > i.Low).OrderBy(i => i.Low))
        {
            if (merged.Count > 0 && low <= merged[^1].High)
            {
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, high));
            }
            else
            {
                merged.Add((Math.Max(low, 0), Math.Min(high, 1)));
            }
        }

        if (merged.Count == 0)
        {
            throw new ArgumentException(
                $"The condition {condition} holds no value the model generates: at the data's precision no value of '{column}' lies in it.",
                nameof(condition));
        }

        const double inset = 1e-12;
        return new UnitIntervals(
            [.. merged.Select(i => i.Low + (inset * (i.High - i.Low)))],
            [.. merged.Select(i => i.High - (inset * (i.High - i.Low)))]);
    }

    /// <summary>The uniform at a position along the set: <paramref name="w"/> in [0, 1) of <see cref="Mass"/>; a uniform
    /// <paramref name="w"/> gives a uniform draw on the set (the exact conditional of one column).</summary>
    internal double At(double w)
    {
        double target = w * Mass;
        int i = 0;
        while (i < _cumulative.Length - 1 && target > _cumulative[i])
        {
            i++;
        }

        double before = i == 0 ? 0 : _cumulative[i - 1];
        return Math.Clamp(_low[i] + (target - before), _low[i], _high[i]);
    }

    /// <summary>The nearest uniform of the set (the identity inside it; it absorbs rounding at the edges).</summary>
    internal double Clamp(double u)
    {
        double best = _low[0], distance = double.PositiveInfinity;
        for (int i = 0; i < _low.Length; i++)
        {
            if (u >= _low[i] && u <= _high[i])
            {
                return u;
            }

            double nearest = u < _low[i] ? _low[i] : _high[i];
            if (Math.Abs(nearest - u) < distance)
            {
                distance = Math.Abs(nearest - u);
                best = nearest;
            }
        }

        return best;
    }

    /// <summary>
    /// Draws x ~ N(<paramref name="mean"/>, <paramref name="sd"/>²) restricted to the set's normal scores, by inverting
    /// the truncated CDF with one uniform <paramref name="w"/>: the interval is chosen by its probability, the position
    /// within it by the rest of <paramref name="w"/>.
    /// </summary>
    internal double DrawScore(double mean, double sd, double w)
    {
        int count = ScoreLow.Length;
        if (count == 1)
        {
            double a = (ScoreLow[0] - mean) / sd, b = (ScoreHigh[0] - mean) / sd;
            TruncatedNormal.Mass(a, b, out double lo, out double hi);
            return Math.Clamp(mean + (sd * TruncatedNormal.Draw(a, b, lo, hi, w)), ScoreLow[0], ScoreHigh[0]);
        }

        Span<double> mass = stackalloc double[3 * Math.Min(count, 64)];
        if (count > 64)
        {
            mass = new double[3 * count];
        }

        double total = 0;
        for (int i = 0; i < count; i++)
        {
            mass[i] = TruncatedNormal.Mass((ScoreLow[i] - mean) / sd, (ScoreHigh[i] - mean) / sd, out mass[count + i], out mass[(2 * count) + i]);
            total += mass[i];
        }

        int k = 0;
        double target = w * total, before = 0;
        if (!(total > 0))
        {
            // Every interval lies beyond the reach of doubles (tens of deviations away): take the nearest.
            for (int i = 1; i < count; i++)
            {
                if (Distance(i, mean) < Distance(k, mean))
                {
                    k = i;
                }
            }
        }

        while (total > 0 && k < count - 1 && target > before + mass[k])
        {
            before += mass[k];
            k++;
        }

        double within = mass[k] > 0 ? Math.Clamp((target - before) / mass[k], 0, 1) : w;
        double alpha = (ScoreLow[k] - mean) / sd, beta = (ScoreHigh[k] - mean) / sd;
        return Math.Clamp(mean + (sd * TruncatedNormal.Draw(alpha, beta, mass[count + k], mass[(2 * count) + k], within)), ScoreLow[k], ScoreHigh[k]);
    }

    private double Distance(int i, double x) => x < ScoreLow[i] ? ScoreLow[i] - x : x > ScoreHigh[i] ? x - ScoreHigh[i] : 0;
}

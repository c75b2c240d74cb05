namespace Generative.Evaluation;

/// <summary>
/// Stability figures of a loss history, on plain arrays so they do not depend on the trainer's types: the loss
/// variance over the last window and the number of divergence events. Stateless and thread-safe.
/// </summary>
public static class TrainingStability
{
    /// <summary>The default window, 100 steps.</summary>
    public const int DefaultWindow = 100;

    /// <summary>The default spike threshold, 10 robust standard deviations.</summary>
    public const double DefaultSpikeThreshold = 10.0;

    /// <summary>
    /// The population variance (denominator n) of the finite losses among the last <paramref name="window"/> entries
    /// of <paramref name="losses"/>; non-finite entries are skipped (they are counted by
    /// <see cref="CountDivergenceEvents"/>). 0 when fewer than two finite values remain.
    /// </summary>
    /// <param name="losses">The loss at each step, oldest first.</param>
    /// <param name="window">How many of the last steps to use, ≥ 1 (default 100).</param>
    public static double LossVariance(IReadOnlyList<double> losses, int window = DefaultWindow)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var values = new List<double>(window);
        for (int i = Math.Max(0, losses.Count - window); i < losses.Count; i++)
        {
            if (double.IsFinite(losses[i]))
            {
                values.Add(losses[i]);
            }
        }

        if (values.Count < 2)
        {
            return 0;
        }

        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Count;
    }

    /// <summary>
    /// Counts divergence events in a loss history. Step t is <em>divergent</em> when its loss is non-finite, or when
    /// at least <paramref name="window"/> finite losses precede it and |lossₜ − med| &gt; threshold · max(1.4826·MAD,
    /// 10⁻⁶·(1 + |med|)), with med and MAD the median and median absolute deviation of the previous
    /// <paramref name="window"/> finite losses (a robust z-score above the threshold). An <em>event</em> is a maximal
    /// run of consecutive divergent steps, so one blow-up lasting many steps counts once.
    /// </summary>
    /// <param name="losses">The loss at each step, oldest first.</param>
    /// <param name="window">History used for the robust statistics, ≥ 2 (default 100).</param>
    /// <param name="threshold">Robust z-score above which a step is divergent, &gt; 0 (default 10).</param>
    public static int CountDivergenceEvents(IReadOnlyList<double> losses, int window = DefaultWindow, double threshold = DefaultSpikeThreshold)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        if (!(threshold > 0) || double.IsInfinity(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a finite number > 0.");
        }

        var history = new Queue<double>(window);
        int events = 0;
        bool inEvent = false;
        var buffer = new double[window];
        foreach (double loss in losses)
        {
            bool divergent;
            if (!double.IsFinite(loss))
            {
                divergent = true;
            }
            else if (history.Count == window)
            {
                history.CopyTo(buffer, 0);
                double median = Median(buffer);
                for (int i = 0; i < window; i++)
                {
                    buffer[i] = Math.Abs(buffer[i] - median);
                }

                double scale = Math.Max(1.4826 * Median(buffer), 1e-6 * (1 + Math.Abs(median)));
                divergent = Math.Abs(loss - median) > threshold * scale;
            }
            else
            {
                divergent = false;
            }

            if (divergent && !inEvent)
            {
                events++;
            }

            inEvent = divergent;
            if (double.IsFinite(loss) && !divergent)
            {
                if (history.Count == window)
                {
                    history.Dequeue();
                }

                history.Enqueue(loss);
            }
        }

        return events;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }
}

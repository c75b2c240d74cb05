using System.Globalization;

namespace Generative.Comparison;

/// <summary>How the comparison's reports name and format metrics, for applications that print results their own way.</summary>
public static class MetricFormat
{
    /// <summary>The metric columns a report shows for a kind of data, as (result key, column title), in report order.</summary>
    /// <param name="kind">The kind of data compared.</param>
    /// <returns>The keys of <see cref="ContenderResult.Metrics"/> to show, each with its column title.</returns>
    public static IReadOnlyList<(string Key, string Title)> MetricColumns(ComparisonDataKind kind) => kind switch
    {
        ComparisonDataKind.Mixture =>
            [("modesCaptured", "modes"), ("highQualityFraction", "high quality"), ("modeKl", "KL"), ("frechetDistance", "FD"), ("precision", "precision"), ("recall", "recall"), ("coverage", "coverage")],
        ComparisonDataKind.Digits or ComparisonDataKind.StackedDigits =>
            [("modesCaptured", "modes"), ("modeKl", "KL"), ("frechetDistance", "FD"), ("kernelDistance", "KID"), ("precision", "precision"), ("recall", "recall"), ("coverage", "coverage")],
        ComparisonDataKind.Table =>
            [("tstrAccuracy", "TSTR acc"), ("trtrAccuracy", "TRTR acc"), ("columnWasserstein", "W1/col"), ("correlationDifference", "corr diff"), ("frechetDistance", "FD"), ("precision", "precision"), ("recall", "recall")],
        _ => [("frechetDistance", "FD"), ("kernelDistance", "KID"), ("precision", "precision"), ("recall", "recall"), ("density", "density"), ("coverage", "coverage")],
    };

    /// <summary>
    /// Formats a metric as the reports do (invariant culture): the high-quality fraction as a percentage, fractions with
    /// three decimals, counts without, the rest with four significant digits; <c>n/a</c> for a non-finite mean.
    /// </summary>
    /// <param name="summary">The metric over the seeds.</param>
    /// <param name="key">The metric's key in <see cref="ContenderResult.Metrics"/> (or <c>trainSeconds</c>, <c>lossVariance</c>).</param>
    /// <param name="withDeviation">Whether to append <c>± standard deviation</c> when there are several seeds.</param>
    /// <returns>The text, e.g. <c>22.5 %</c>, <c>0.874</c>, <c>59.1 ± 18.6 %</c>.</returns>
    public static string Format(MetricSummary summary, string key, bool withDeviation)
    {
        if (!double.IsFinite(summary.Mean))
        {
            return "n/a";
        }

        // The high-quality fraction reads as a percentage, as in README.md and docs/comparison.md ("22.5 %", "59.1 ± 18.6 %").
        bool percent = key == "highQualityFraction";
        double scale = percent ? 100 : 1;
        string format = key switch
        {
            "modesCaptured" or "modeCount" => "0.#",
            "highQualityFraction" => "0.0",
            "precision" or "recall" or "coverage" or "density" or "tstrAccuracy" or "trtrAccuracy" => "0.000",
            _ => "G4",
        };
        string text = (summary.Mean * scale).ToString(format, CultureInfo.InvariantCulture);
        if (withDeviation && summary.PerSeed.Count > 1)
        {
            text += " ± " + (summary.StandardDeviation * scale).ToString(format, CultureInfo.InvariantCulture);
        }

        return percent ? text + " %" : text;
    }

    /// <summary>Samples per second with the range of the timed batches, e.g. <c>2,017 (1,950–2,080)</c>; the median alone
    /// when there was one timed run.</summary>
    /// <param name="row">A row of the results.</param>
    /// <returns>The text.</returns>
    public static string FormatRate(ContenderResult row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.SamplesPerSecondSpread is { Runs: > 1 } spread
            ? string.Create(CultureInfo.InvariantCulture, $"{row.SamplesPerSecond.Mean:N0} ({spread.Low:N0}–{spread.High:N0})")
            : row.SamplesPerSecond.Mean.ToString("N0", CultureInfo.InvariantCulture);
    }

    /// <summary>A row's optimiser updates per network, e.g. <c>critic 10,000 · generator 2,000</c>; <c>—</c> when the
    /// contender does not say (means over the seeds).</summary>
    /// <param name="row">A row of the results.</param>
    /// <returns>The text.</returns>
    public static string FormatUpdates(ContenderResult row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.TrainingCost is { } cost
            ? string.Join(" · ", cost.OptimizerSteps.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value.Mean:N0}")))
            : "—";
    }

    /// <summary>A row's training network evaluations (forward + backward passes over a batch), e.g. <c>90,000</c>;
    /// <c>—</c> when the contender does not say (means over the seeds).</summary>
    /// <param name="row">A row of the results.</param>
    /// <returns>The text.</returns>
    public static string FormatTrainingEvaluations(ContenderResult row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.TrainingCost is { } cost ? cost.NetworkEvaluations.Mean.ToString("N0", CultureInfo.InvariantCulture) : "—";
    }
}

namespace Generative.Comparison.Tables;

/// <summary>How alike one column's values are in the real and synthetic rows (SDMetrics' column shape).</summary>
/// <param name="Column">The column.</param>
/// <param name="Kind">Its kind (<c>continuous</c>, <c>integer</c>, <c>datetime</c>, <c>categorical</c>, <c>boolean</c>).</param>
/// <param name="Metric"><c>KSComplement</c> (numbers and dates: 1 − the Kolmogorov–Smirnov statistic of the present
/// values) or <c>TVComplement</c> (categories: 1 − ½ Σ |p − q|, a missing cell being a category of its own).</param>
/// <param name="Score">The score, in [0, 1]; 1 is identical.</param>
/// <param name="RealMissingRate">Share of missing cells in the real training rows.</param>
/// <param name="SyntheticMissingRate">Share of missing cells in the synthetic rows.</param>
public sealed record ColumnShape(string Column, string Kind, string Metric, double Score, double RealMissingRate, double SyntheticMissingRate)
{
    /// <summary>Synthetic minus real missing rate (reported apart from a numeric column's KS complement, which
    /// compares present values only).</summary>
    public double MissingRateDifference => SyntheticMissingRate - RealMissingRate;
}

/// <summary>How alike the relation of two columns is in the real and synthetic rows (SDMetrics' column pair trend).</summary>
/// <param name="First">The first column (table order).</param>
/// <param name="Second">The second column.</param>
/// <param name="Metric"><c>CorrelationSimilarity</c> (both numeric: 1 − |r_real − r_synthetic| / 2, Pearson r over rows
/// with both present) or <c>ContingencySimilarity</c> (otherwise: 1 − ½ Σ |p_ab − q_ab| with a numeric column cut into
/// equal-width bins of its own range).</param>
/// <param name="Score">The score in [0, 1]; NaN when undefined (a constant column), and then left out of averages.</param>
/// <param name="RealCorrelation">Pearson r of the real rows (NaN for a contingency pair).</param>
/// <param name="SyntheticCorrelation">Pearson r of the synthetic rows (NaN for a contingency pair).</param>
public sealed record PairTrend(string First, string Second, string Metric, double Score, double RealCorrelation, double SyntheticCorrelation);

/// <summary>Whether one column's synthetic cells could be real ones.</summary>
/// <param name="Column">The column.</param>
/// <param name="Kind">The real column's kind.</param>
/// <param name="RightKindShare">Share of synthetic cells of that kind (a synthetic column of another kind is read
/// through its text; cells that do not parse are of the wrong kind).</param>
/// <param name="InRangeShare">Share of present synthetic cells within the real training rows' min..max (numbers,
/// dates) or among their categories (categorical, Boolean); 1 when none is present.</param>
/// <param name="ValidShare">Share of synthetic cells that are valid: of the right kind and in range, or missing in a
/// column that is missing in real rows too (or declared nullable).</param>
/// <param name="RealMissingRate">Share of missing cells in the real training rows.</param>
/// <param name="SyntheticMissingRate">Share of missing cells in the synthetic rows.</param>
public sealed record ColumnValidity(string Column, string Kind, double RightKindShare, double InRangeShare, double ValidShare, double RealMissingRate, double SyntheticMissingRate);

/// <summary>How well classifiers tell synthetic rows from real ones (cross-validated ROC AUC; 0.5 = indistinguishable).</summary>
/// <param name="Folds">Folds of the stratified cross-validation.</param>
/// <param name="RealRows">Real training rows used.</param>
/// <param name="SyntheticRows">Synthetic rows used.</param>
/// <param name="LogisticFoldAuc">The AUC of logistic regression on each held-out fold.</param>
/// <param name="BoostedFoldAuc">The AUC of FastTree (gradient-boosted trees) on each held-out fold.</param>
public sealed record DetectionResult(int Folds, int RealRows, int SyntheticRows, IReadOnlyList<double> LogisticFoldAuc, IReadOnlyList<double> BoostedFoldAuc)
{
    /// <summary>Mean AUC of logistic regression over the folds.</summary>
    public double LogisticAuc => LogisticFoldAuc.Average();

    /// <summary>Mean AUC of the gradient-boosted trees over the folds.</summary>
    public double BoostedAuc => BoostedFoldAuc.Average();

    /// <summary>SDMetrics' LogisticDetection score from the same folds: 1 − mean(max(0.5, AUC)·2 − 1); 1 = indistinguishable.</summary>
    public double LogisticScore => Score(LogisticFoldAuc);

    /// <summary>The same score for the gradient-boosted trees.</summary>
    public double BoostedScore => Score(BoostedFoldAuc);

    private static double Score(IReadOnlyList<double> auc) => 1 - auc.Average(a => (Math.Max(0.5, a) * 2) - 1);
}

/// <summary>Machine-learning efficacy: a model trained on synthetic rows against the same model trained on the real
/// training rows, both tested on the real held-out rows.</summary>
/// <param name="Target">The predicted column.</param>
/// <param name="Task"><c>classification</c> or <c>regression</c>.</param>
/// <param name="Metric"><c>macro F1</c> (TabDDPM's: the unweighted mean of each class's F1) or <c>R²</c>.</param>
/// <param name="Classes">Classes of a classification (the real training rows' labels); 0 for a regression.</param>
/// <param name="RealRows">Real training rows with a target.</param>
/// <param name="SyntheticRows">Synthetic rows used (with a target the real rows have).</param>
/// <param name="TestRows">Real held-out rows with a target.</param>
/// <param name="BoostedReal">The metric of FastTree trained on real rows.</param>
/// <param name="BoostedSynthetic">The metric of FastTree trained on synthetic rows.</param>
/// <param name="SimpleReal">The metric of logistic (classification) or ridge (regression) regression trained on real rows.</param>
/// <param name="SimpleSynthetic">The metric of the same trained on synthetic rows.</param>
public sealed record EfficacyResult(
    string Target, string Task, string Metric, int Classes, int RealRows, int SyntheticRows, int TestRows,
    double BoostedReal, double BoostedSynthetic, double SimpleReal, double SimpleSynthetic)
{
    /// <summary>BoostedSynthetic / BoostedReal (TabDDPM reports this ratio for CatBoost; 1 = no loss).</summary>
    public double BoostedRatio => BoostedSynthetic / BoostedReal;

    /// <summary>SimpleSynthetic / SimpleReal.</summary>
    public double SimpleRatio => SimpleSynthetic / SimpleReal;
}

/// <summary>
/// Privacy evidence: the distance of each synthetic row to the closest real training row (DCR), beside the same
/// distance for each real held-out row — rows the model never saw, hence the distance a model that does not copy
/// should keep — and the shares of exact copies.
/// </summary>
/// <param name="SyntheticMedian">Median DCR of the synthetic rows.</param>
/// <param name="SyntheticFifthPercentile">5th percentile of the synthetic rows' DCR.</param>
/// <param name="HoldoutMedian">Median DCR of the real held-out rows.</param>
/// <param name="HoldoutFifthPercentile">5th percentile of the held-out rows' DCR.</param>
/// <param name="SyntheticCopyShare">Share of synthetic rows equal to a training row in every compared column.</param>
/// <param name="HoldoutCopyShare">Share of held-out rows equal to a training row (duplicates a real table has anyway).</param>
/// <param name="HistogramEdges">Edges of the DCR histogram (bins + 1; the last bin takes everything above).</param>
/// <param name="SyntheticHistogram">Synthetic rows per bin.</param>
/// <param name="HoldoutHistogram">Held-out rows per bin.</param>
public sealed record PrivacyResult(
    double SyntheticMedian, double SyntheticFifthPercentile, double HoldoutMedian, double HoldoutFifthPercentile,
    double SyntheticCopyShare, double HoldoutCopyShare,
    IReadOnlyList<double> HistogramEdges, IReadOnlyList<int> SyntheticHistogram, IReadOnlyList<int> HoldoutHistogram);

/// <summary>One column's distribution in the real training and synthetic rows, as the page draws it.</summary>
/// <param name="Column">The column.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Edges">Bin edges of a numeric column (shared, spanning the real values plus 5 % either side; ticks
/// for dates); empty for a categorical one.</param>
/// <param name="Labels">Categories of a categorical or Boolean column (the most frequent real ones, then "(other)"
/// and "(missing)" when present); empty for a numeric one.</param>
/// <param name="Real">Share of real rows per bin or category (a numeric column's missing cells are left out).</param>
/// <param name="Synthetic">Share of synthetic rows per bin or category.</param>
/// <param name="SyntheticOutside">Share of present synthetic numbers outside the bins.</param>
public sealed record ColumnDistribution(
    string Column, string Kind, IReadOnlyList<double> Edges, IReadOnlyList<string> Labels,
    IReadOnlyList<double> Real, IReadOnlyList<double> Synthetic, double SyntheticOutside);

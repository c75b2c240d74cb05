namespace Generative.Comparison.Tables;

/// <summary>What <see cref="TableReport.Compute"/> measures and how; every random choice follows <see cref="Seed"/>.</summary>
public sealed class TableReportOptions
{
    /// <summary>The column that machine-learning efficacy predicts (categorical or Boolean: classification, macro F1;
    /// continuous or integer: regression, R²); <see langword="null"/> skips that part.</summary>
    public string? Target { get; init; }

    /// <summary>The seed of every random choice: the detection folds and row sample, the classifiers. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Whether to train the real-versus-synthetic classifiers (detection). Default <see langword="true"/>.</summary>
    public bool Detection { get; init; } = true;

    /// <summary>Folds of the detection cross-validation (stratified), at least 2. Default 5.</summary>
    public int DetectionFolds { get; init; } = 5;

    /// <summary>At most this many rows of each side (real training, synthetic) go into detection, drawn at random
    /// without replacement when there are more. Default 10,000.</summary>
    public int DetectionRows { get; init; } = 10_000;

    /// <summary>Trees of each gradient-boosted model (ML.NET FastTree). Default 100.</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Leaves per tree. Default 20 (FastTree's default).</summary>
    public int Leaves { get; init; } = 20;

    /// <summary>Equal-width bins of a numeric column in a pair with a categorical one (SDMetrics: 10).</summary>
    public int ContingencyBins { get; init; } = 10;

    /// <summary>Query rows per block of the distance-to-closest-record computation (memory: block × training rows
    /// floats). Default 256.</summary>
    public int DistanceBlockRows { get; init; } = 256;

    /// <summary>Bins of each numeric column's histogram in the report's pictures. Default 20.</summary>
    public int HistogramBins { get; init; } = 20;

    /// <summary>Categories shown per categorical column in the pictures (the rest pooled as "(other)"). Default 12.</summary>
    public int ShownCategories { get; init; } = 12;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(DetectionFolds, 2, nameof(DetectionFolds));
        ArgumentOutOfRangeException.ThrowIfLessThan(DetectionRows, 10, nameof(DetectionRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(Trees, 1, nameof(Trees));
        ArgumentOutOfRangeException.ThrowIfLessThan(Leaves, 2, nameof(Leaves));
        ArgumentOutOfRangeException.ThrowIfLessThan(ContingencyBins, 1, nameof(ContingencyBins));
        ArgumentOutOfRangeException.ThrowIfLessThan(DistanceBlockRows, 1, nameof(DistanceBlockRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(HistogramBins, 2, nameof(HistogramBins));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShownCategories, 1, nameof(ShownCategories));
    }
}

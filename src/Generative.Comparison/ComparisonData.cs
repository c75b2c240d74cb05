using Generative.Data.BuiltIn;
using Generative.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Comparison;

/// <summary>What kind of data a comparison runs on; it decides which metrics apply.</summary>
public enum ComparisonDataKind
{
    /// <summary>A 2-D Gaussian mixture with known modes (ring, grid): mode coverage on the PacGAN protocol, plus distances.</summary>
    Mixture,

    /// <summary>Other points or vectors without known modes (swiss roll, moons, checkerboard, a CSV without labels).</summary>
    Vectors,

    /// <summary>The 8×8 digits: a trained classifier's features and predicted classes.</summary>
    Digits,

    /// <summary>Stacked digits (three digits in three channels, 1000 modes).</summary>
    StackedDigits,

    /// <summary>A labelled table (wine, breast cancer, a CSV with a label column): train-on-synthetic / test-on-real and per-column distances.</summary>
    Table,
}

/// <summary>
/// The data of one comparison: the training set every contender learns from, and the real samples every contender's
/// samples are measured against. All tensors are float32 (labels int64) on the CPU, in the data's own units, and
/// owned by this object.
/// </summary>
public sealed class ComparisonData : IDisposable
{
    private ComparisonData(
        string name,
        ComparisonDataKind kind,
        Tensor trainSamples,
        Tensor? trainLabels,
        int classCount,
        Tensor referenceSamples,
        Tensor? testSamples,
        Tensor? testLabels,
        IReadOnlyList<string>? featureNames,
        IReadOnlyList<string>? classNames,
        Tensor? modeCentres,
        double? modeStandardDeviation,
        bool standardize)
    {
        Name = name;
        Kind = kind;
        TrainSamples = trainSamples.DetachFromDisposeScope();
        TrainLabels = trainLabels?.DetachFromDisposeScope();
        ClassCount = classCount;
        ReferenceSamples = referenceSamples.DetachFromDisposeScope();
        TestSamples = testSamples?.DetachFromDisposeScope();
        TestLabels = testLabels?.DetachFromDisposeScope();
        FeatureNames = featureNames;
        ClassNames = classNames;
        ModeCentres = modeCentres?.DetachFromDisposeScope();
        ModeStandardDeviation = modeStandardDeviation;
        Standardize = standardize;
        SampleShape = new TensorShape(trainSamples.shape[1..]);
    }

    /// <summary>The data set's name.</summary>
    public string Name { get; }

    /// <summary>The kind of data, which decides the metrics.</summary>
    public ComparisonDataKind Kind { get; }

    /// <summary>The shape of one sample.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>The training samples, <c>[N, ..SampleShape]</c>.</summary>
    public Tensor TrainSamples { get; }

    /// <summary>Their labels <c>[N]</c> for labelled data (tables), else <see langword="null"/>.</summary>
    public Tensor? TrainLabels { get; }

    /// <summary>Classes the contenders are conditioned on (tables), else 0.</summary>
    public int ClassCount { get; }

    /// <summary>Real samples the generated ones are compared with (a fresh draw for generated data, else the training set).</summary>
    public Tensor ReferenceSamples { get; }

    /// <summary>Held-out real samples for train-on-synthetic / test-on-real (tables), else <see langword="null"/>.</summary>
    public Tensor? TestSamples { get; }

    /// <summary>Their labels.</summary>
    public Tensor? TestLabels { get; }

    /// <summary>Column names, where the data has them.</summary>
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>Class names, where the data has them.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Mixture mode centres <c>[M, 2]</c>, for <see cref="ComparisonDataKind.Mixture"/>.</summary>
    public Tensor? ModeCentres { get; }

    /// <summary>The mixture's per-mode standard deviation σ.</summary>
    public double? ModeStandardDeviation { get; }

    /// <summary>
    /// Whether contenders train on standardised features (tables, whose columns differ by orders of magnitude) or in
    /// the data's own units (points and images). Samples always come back in the data's units.
    /// </summary>
    public bool Standardize { get; }

    /// <summary>Number of training samples.</summary>
    public long Count => TrainSamples.shape[0];

    /// <summary>
    /// Loads a built-in data set for a comparison. Generated sets (ring, grid, swiss roll, moons, checkerboard, stacked
    /// digits) draw <paramref name="trainCount"/> training samples, and a separate reference set of the same size
    /// with another seed; tables are split 80/20 into training and held-out test rows with the seed.
    /// </summary>
    /// <param name="name">A name of <see cref="BuiltInDatasets.Names"/>.</param>
    /// <param name="trainCount">Training samples to draw for generated sets, ≥ 100.</param>
    /// <param name="seed">Seed of the draws and of the table split.</param>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known names).</exception>
    public static ComparisonData FromBuiltIn(string name, long trainCount = 20_000, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, 100);
        using var scope = NewDisposeScope();
        using var train = BuiltInDatasets.Load(name, trainCount, seed);
        string key = train.Name;
        switch (train.Kind)
        {
            case BuiltInDatasetKind.Plane:
            {
                using var reference = BuiltInDatasets.Load(name, trainCount, seed + 1_000_003);
                bool mixture = train.ModeCentres is not null && train.ModeStandardDeviation is not null;
                return new ComparisonData(
                    key,
                    mixture ? ComparisonDataKind.Mixture : ComparisonDataKind.Vectors,
                    train.Samples.clone(),
                    null,
                    0,
                    reference.Samples.clone(),
                    null,
                    null,
                    train.FeatureNames,
                    null,
                    train.ModeCentres?.clone(),
                    train.ModeStandardDeviation,
                    standardize: false);
            }

            case BuiltInDatasetKind.Image:
            {
                bool stacked = train.SampleShape[0] == 3;
                return new ComparisonData(
                    key,
                    stacked ? ComparisonDataKind.StackedDigits : ComparisonDataKind.Digits,
                    train.Samples.clone(),
                    null,
                    0,
                    train.Samples.clone(),
                    null,
                    null,
                    null,
                    train.ClassNames,
                    null,
                    null,
                    standardize: false);
            }

            default:
                return FromLabelledTable(key, train.Samples, train.Labels!, train.FeatureNames, train.ClassNames, seed);
        }
    }

    /// <summary>
    /// A comparison on a labelled table of your own: rows <c>[N, F]</c> and labels <c>[N]</c> (0..C−1), split 80/20
    /// into training and held-out rows with <paramref name="seed"/>.
    /// </summary>
    /// <param name="name">A name for reports.</param>
    /// <param name="rows">The feature rows, <c>[N, F]</c>, N ≥ 20.</param>
    /// <param name="labels">The class of each row, <c>[N]</c>, int64, at least two classes.</param>
    /// <param name="featureNames">Column names, or <see langword="null"/>.</param>
    /// <param name="classNames">Class names, or <see langword="null"/>.</param>
    /// <param name="seed">Seed of the split.</param>
    public static ComparisonData FromLabelledTable(
        string name,
        Tensor rows,
        Tensor labels,
        IReadOnlyList<string>? featureNames = null,
        IReadOnlyList<string>? classNames = null,
        long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.dim() != 2 || rows.shape[0] < 20)
        {
            throw new ArgumentException($"Expected table rows of shape [N, F] with N ≥ 20, but got {TensorShape.Format(rows.shape)}.", nameof(rows));
        }

        if (labels.dim() != 1 || labels.shape[0] != rows.shape[0])
        {
            throw new ArgumentException($"Expected labels of shape [{rows.shape[0]}], but got {TensorShape.Format(labels.shape)}.", nameof(labels));
        }

        using var scope = NewDisposeScope();
        var x = rows.to_type(ScalarType.Float32).cpu();
        var y = labels.to_type(ScalarType.Int64).cpu();
        int classCount = (int)y.max().item<long>() + 1;
        if (classCount < 2 || y.min().item<long>() < 0)
        {
            throw new ArgumentException("Labels must be 0..C−1 with at least two classes.", nameof(labels));
        }

        using var generator = new Generator((ulong)seed);
        var (trainIndex, testIndex) = TableUtility.SplitIndices(x.shape[0], 0.2, generator);
        var trainRows = x.index_select(0, trainIndex);
        return new ComparisonData(
            name,
            ComparisonDataKind.Table,
            trainRows,
            y.index_select(0, trainIndex),
            classCount,
            trainRows.clone(),
            x.index_select(0, testIndex),
            y.index_select(0, testIndex),
            featureNames,
            classNames,
            null,
            null,
            standardize: true);
    }

    /// <summary>
    /// A comparison on unlabelled vectors of your own (a CSV without a label column): rows <c>[N, F]</c>; distances
    /// are measured against the training rows themselves.
    /// </summary>
    /// <param name="name">A name for reports.</param>
    /// <param name="rows">The rows, <c>[N, F]</c>, N ≥ 20.</param>
    /// <param name="featureNames">Column names, or <see langword="null"/>.</param>
    public static ComparisonData FromVectors(string name, Tensor rows, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.dim() != 2 || rows.shape[0] < 20)
        {
            throw new ArgumentException($"Expected rows of shape [N, F] with N ≥ 20, but got {TensorShape.Format(rows.shape)}.", nameof(rows));
        }

        using var scope = NewDisposeScope();
        var x = rows.to_type(ScalarType.Float32).cpu();
        return new ComparisonData(name, ComparisonDataKind.Vectors, x.clone(), null, 0, x.clone(), null, null, featureNames, null, null, null, standardize: true);
    }

    /// <summary>
    /// A comparison on a CSV file (header row, numeric columns): a labelled table when <paramref name="labelColumn"/>
    /// is given, otherwise unlabelled vectors.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">The class column, or <see langword="null"/>.</param>
    /// <param name="seed">Seed of the train/test split of a labelled table.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has no rows, the label column is missing, or a value is not a number.</exception>
    public static ComparisonData FromCsv(string path, string? labelColumn = null, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var source = Data.CsvDataSource.Load(path, new Data.CsvDataOptions { LabelColumn = labelColumn, Standardize = false });
        using var scope = NewDisposeScope();
        // TorchSharp's arange(stop) with its start of 0 and step of 1, all three held (an implicit Scalar can be
        // finalised during the native call: docs/troubleshooting.md).
        using var start = 0.ToScalar();
        using var stop = source.Count.ToScalar();
        using var step = 1.ToScalar();
        var all = source.ReadBatch(arange(start, stop, step, ScalarType.Int64), CPU);
        string name = Path.GetFileNameWithoutExtension(path);
        return all.Labels is not null && source.ClassCount >= 2
            ? FromLabelledTable(name, all.Samples, all.Labels, source.FeatureNames, source.ClassNames, seed)
            : FromVectors(name, all.Samples, source.FeatureNames);
    }

    /// <summary>
    /// The first <paramref name="fraction"/> of the training set (after a seeded shuffle), for sample-efficiency runs;
    /// the reference and test sets are kept whole so the measurements stay comparable.
    /// </summary>
    /// <param name="fraction">In (0, 1].</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <returns>A new object the caller disposes.</returns>
    public ComparisonData Subset(double fraction, long seed)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be in (0, 1].");
        }

        using var scope = NewDisposeScope();
        long keep = Math.Max(ClassCount > 0 ? 2L * ClassCount : 10L, (long)Math.Round(Count * fraction));
        keep = Math.Min(keep, Count);
        using var generator = new Generator((ulong)seed);
        var index = randperm(Count, generator: generator).slice(0, 0, keep, 1);
        return new ComparisonData(
            Name,
            Kind,
            TrainSamples.index_select(0, index),
            TrainLabels?.index_select(0, index),
            ClassCount,
            ReferenceSamples.clone(),
            TestSamples?.clone(),
            TestLabels?.clone(),
            FeatureNames,
            ClassNames,
            ModeCentres?.clone(),
            ModeStandardDeviation,
            Standardize);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        TrainSamples.Dispose();
        TrainLabels?.Dispose();
        ReferenceSamples.Dispose();
        TestSamples?.Dispose();
        TestLabels?.Dispose();
        ModeCentres?.Dispose();
    }
}

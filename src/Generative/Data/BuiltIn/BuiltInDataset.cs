using TorchSharp;

namespace Generative.Data.BuiltIn;

/// <summary>
/// One built-in data set held in memory: the samples as a float32 tensor <c>[N, ..SampleShape]</c>, optional
/// int64 labels <c>[N]</c>, names for the features and classes and, for the Gaussian mixtures (ring, grid), the
/// mode centres and their standard deviation σ used by <see cref="Evaluation.ModeCoverage"/>.
/// </summary>
/// <remarks>
/// The data set owns its tensors (they are detached from any dispose scope) and disposes them in
/// <see cref="Dispose"/>. Tensors are on the CPU; move copies to another device yourself. Reading the properties is
/// thread-safe; the tensors themselves must not be modified in place.
/// </remarks>
public sealed class BuiltInDataset : IDisposable
{
    private bool _disposed;

    /// <summary>Creates a data set and takes ownership of its tensors.</summary>
    /// <param name="name">The name it is looked up by (for example <c>"grid"</c>).</param>
    /// <param name="kind">What the samples are.</param>
    /// <param name="samples">Float32 samples <c>[N, ..sampleShape]</c>, N ≥ 1.</param>
    /// <param name="labels">Int64 labels <c>[N]</c>, or <see langword="null"/> when the data set has none.</param>
    /// <param name="featureNames">One name per element of a sample (row-major for images).</param>
    /// <param name="classNames">One name per label value 0..C−1, or <see langword="null"/> without labels.</param>
    /// <param name="modeCentres">Float32 mode centres <c>[M, D]</c> of a Gaussian mixture, or <see langword="null"/>.</param>
    /// <param name="modeStandardDeviation">The isotropic σ of every mode; required (&gt; 0) with <paramref name="modeCentres"/>.</param>
    /// <exception cref="ArgumentException">A shape, dtype or count does not match.</exception>
    public BuiltInDataset(
        string name,
        BuiltInDatasetKind kind,
        torch.Tensor samples,
        torch.Tensor? labels,
        IReadOnlyList<string> featureNames,
        IReadOnlyList<string>? classNames,
        torch.Tensor? modeCentres = null,
        double? modeStandardDeviation = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(featureNames);
        if (samples.dim() < 2 || samples.shape[0] < 1)
        {
            throw new ArgumentException($"Samples must be [N, ..shape] with N ≥ 1; got [{string.Join(", ", samples.shape)}].", nameof(samples));
        }

        if (samples.dtype != torch.ScalarType.Float32)
        {
            throw new ArgumentException($"Samples must be float32; got {samples.dtype}.", nameof(samples));
        }

        long n = samples.shape[0];
        var sampleShape = new TensorShape(samples.shape[1..]);
        if (featureNames.Count != sampleShape.ElementCount)
        {
            throw new ArgumentException($"Expected {sampleShape.ElementCount} feature names (one per element of a sample); got {featureNames.Count}.", nameof(featureNames));
        }

        if (labels is not null && (labels.dtype != torch.ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != n))
        {
            throw new ArgumentException($"Labels must be int64 [{n}]; got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        if ((labels is null) != (classNames is null))
        {
            throw new ArgumentException("Class names are given exactly when labels are.", nameof(classNames));
        }

        if (modeCentres is not null)
        {
            if (modeCentres.dim() != 2 || modeCentres.shape[1] != sampleShape.ElementCount || sampleShape.Rank != 1)
            {
                throw new ArgumentException($"Mode centres must be [M, {sampleShape.ElementCount}] for flat samples; got [{string.Join(", ", modeCentres.shape)}].", nameof(modeCentres));
            }

            if (modeStandardDeviation is not > 0)
            {
                throw new ArgumentOutOfRangeException(nameof(modeStandardDeviation), modeStandardDeviation, "A mixture needs its mode standard deviation σ > 0.");
            }
        }

        Name = name;
        Kind = kind;
        Samples = samples.DetachFromDisposeScope();
        Labels = labels?.DetachFromDisposeScope();
        FeatureNames = featureNames.ToArray();
        ClassNames = classNames?.ToArray();
        SampleShape = sampleShape;
        ModeCentres = modeCentres?.DetachFromDisposeScope();
        ModeStandardDeviation = modeCentres is null ? null : modeStandardDeviation;
    }

    /// <summary>The name the data set is looked up by in <see cref="BuiltInDatasets.Load(string, long, long)"/>.</summary>
    public string Name { get; }

    /// <summary>What the samples are (points in the plane, images or table rows).</summary>
    public BuiltInDatasetKind Kind { get; }

    /// <summary>The samples, float32 <c>[N, ..SampleShape]</c>, on the CPU. Owned by this data set: do not dispose.</summary>
    public torch.Tensor Samples { get; }

    /// <summary>The int64 labels <c>[N]</c> (class, mode or cell index), or <see langword="null"/>. Owned by this data set.</summary>
    public torch.Tensor? Labels { get; }

    /// <summary>The number of samples N.</summary>
    public long Count => Samples.shape[0];

    /// <summary>The shape of one sample: <c>[2]</c>, <c>[1, 8, 8]</c>, <c>[3, 8, 8]</c>, <c>[13]</c> or <c>[30]</c>.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>One name per element of a sample, in row-major order (table columns, <c>x</c>/<c>y</c>, or pixel names).</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>One name per label value 0..C−1, or <see langword="null"/> when there are no labels.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>
    /// For a Gaussian mixture (ring, grid): the float32 mode centres <c>[M, 2]</c>, owned by this data set;
    /// otherwise <see langword="null"/>.
    /// </summary>
    public torch.Tensor? ModeCentres { get; }

    /// <summary>For a Gaussian mixture: the isotropic standard deviation σ of every mode; otherwise <see langword="null"/>.</summary>
    public double? ModeStandardDeviation { get; }

    /// <summary>Disposes the tensors. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Samples.Dispose();
        Labels?.Dispose();
        ModeCentres?.Dispose();
    }
}

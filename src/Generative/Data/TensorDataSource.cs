using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>An in-memory data source over a tensor of samples (and optional labels).</summary>
/// <remarks>
/// <para>The source keeps its own float32 CPU copy of the data (the tensors passed in stay the caller's) and disposes it
/// on <see cref="Dispose"/>. Reads gather the requested rows and move them to the requested device.</para>
/// <para>Not thread-safe for concurrent reads with disposal; concurrent reads are fine.</para>
/// </remarks>
public sealed class TensorDataSource : IDataSource
{
    private readonly Tensor _samples;
    private readonly Tensor? _labels;
    private bool _disposed;

    /// <summary>Creates a source over <paramref name="samples"/>.</summary>
    /// <param name="samples">The samples, <c>[N, ..SampleShape]</c>, N ≥ 1, finite; copied (as float32, on CPU).</param>
    /// <param name="labels">Optional labels <c>[N]</c>, integers in <c>[0, classCount)</c>; copied.</param>
    /// <param name="classCount">The number of classes when labels are given (defaults to max label + 1).</param>
    /// <param name="standardization">The standardisation already applied to <paramref name="samples"/>, if any, kept for the model.</param>
    /// <param name="featureNames">Optional feature names, one per element of a sample.</param>
    /// <exception cref="ArgumentException">Shapes disagree, the data is empty or non-finite, or a label is out of range.</exception>
    public TensorDataSource(
        Tensor samples,
        Tensor? labels = null,
        int? classCount = null,
        DataStandardization? standardization = null,
        IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.dim() < 2 || samples.shape[0] < 1)
        {
            throw new ArgumentException(
                $"Expected samples of shape [N, ..sample shape] with N ≥ 1, but got {TensorShape.Format(samples.shape)}.", nameof(samples));
        }

        if (!samples.is_floating_point())
        {
            throw new ArgumentException($"The samples must be floating point, but are {samples.dtype}.", nameof(samples));
        }

        using (var scope = NewDisposeScope())
        {
            if (!samples.detach().isfinite().all().cpu().item<bool>())
            {
                throw new ArgumentException("The samples hold NaN or infinite values.", nameof(samples));
            }
        }

        SampleShape = new TensorShape(samples.shape[1..]);
        Count = samples.shape[0];
        if (featureNames is not null && featureNames.Count != SampleShape.ElementCount)
        {
            throw new ArgumentException($"{featureNames.Count} feature names are given for samples of {SampleShape.ElementCount} elements.", nameof(featureNames));
        }

        if (standardization is not null && SampleShape.Rank == 1 && standardization.FeatureCount != SampleShape[0])
        {
            throw new ArgumentException($"The standardisation has {standardization.FeatureCount} features but samples have {SampleShape[0]}.", nameof(standardization));
        }

        if (labels is not null)
        {
            if (labels.dim() != 1 || labels.shape[0] != Count)
            {
                throw new ArgumentException($"Expected labels of shape [{Count}], but got {TensorShape.Format(labels.shape)}.", nameof(labels));
            }

            if (labels.is_floating_point() || labels.dtype == ScalarType.Bool)
            {
                throw new ArgumentException($"The labels must be integers, but are {labels.dtype}.", nameof(labels));
            }

            long min, max;
            using (var scope = NewDisposeScope())
            {
                min = labels.min().cpu().to_type(ScalarType.Int64).item<long>();
                max = labels.max().cpu().to_type(ScalarType.Int64).item<long>();
            }

            int classes = classCount ?? (int)(max + 1);
            if (classes < 1 || min < 0 || max >= classes)
            {
                throw new ArgumentException($"Labels range over [{min}, {max}] but must be in [0, {classes}).", nameof(labels));
            }

            ClassCount = classes;
            _labels = labels.detach().to_type(ScalarType.Int64).cpu().clone().DetachFromDisposeScope();
        }
        else if (classCount is not null)
        {
            throw new ArgumentException("A class count is given without labels.", nameof(classCount));
        }

        _samples = samples.detach().to_type(ScalarType.Float32).cpu().clone().DetachFromDisposeScope();
        Standardization = standardization;
        FeatureNames = featureNames is null ? standardization?.FeatureNames : [.. featureNames];
    }

    /// <inheritdoc/>
    public TensorShape SampleShape { get; }

    /// <inheritdoc/>
    public long Count { get; }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <inheritdoc/>
    public DataStandardization? Standardization { get; }

    /// <inheritdoc/>
    public TrainingBatch ReadBatch(Tensor indices, Device device)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(device);
        DataSourceExtensions.ValidateIndices(indices, Count);
        using var scope = NewDisposeScope();
        var idx = indices.cpu();
        var x = _samples.index_select(0, idx).to(device);
        var y = _labels?.index_select(0, idx).to(device);
        return new TrainingBatch(x.MoveToOuterDisposeScope(), y?.MoveToOuterDisposeScope());
    }

    /// <summary>Disposes the source's copy of the data.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _samples.Dispose();
            _labels?.Dispose();
        }
    }
}

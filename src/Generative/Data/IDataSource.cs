using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>
/// A finite set of training samples that a trainer shuffles and batches: in-memory tensors, a CSV table, a folder of
/// images, or one of your own.
/// </summary>
/// <remarks>
/// <para>A data source only says what it holds and reads samples by index; shuffling (with the run's generator),
/// batching and the last-batch policy are done by the trainer (or by
/// <see cref="DataSourceExtensions.EnumerateBatches"/>), so that every source is shuffled the same reproducible way.</para>
/// <para>Implementations must be safe to read from one thread at a time; they need not be thread-safe.</para>
/// </remarks>
public interface IDataSource : IDisposable
{
    /// <summary>The shape of one sample, without the batch dimension (<c>[2]</c>, <c>[13]</c>, <c>[1, 28, 28]</c>).</summary>
    TensorShape SampleShape { get; }

    /// <summary>The number of samples, at least 1.</summary>
    long Count { get; }

    /// <summary>The number of classes when samples are labelled (labels are <c>0 … ClassCount − 1</c>); 0 when unlabelled.</summary>
    int ClassCount { get; }

    /// <summary>The names of the features of a tabular source (one per element of a sample), or <see langword="null"/>.</summary>
    IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>
    /// The standardisation already applied to the samples this source returns, or <see langword="null"/>. Keep it with the
    /// model (checkpoints do) and call <see cref="DataStandardization.Unstandardize"/> on generated samples to get them
    /// back in original units.
    /// </summary>
    DataStandardization? Standardization { get; }

    /// <summary>Reads the samples at <paramref name="indices"/> as one batch.</summary>
    /// <param name="indices">Sample indices, int64, shape <c>[B]</c>, each in <c>[0, Count)</c>; any device.</param>
    /// <param name="device">The device of the returned tensors.</param>
    /// <returns>
    /// A batch of float32 samples <c>[B, ..SampleShape]</c> and, when <see cref="ClassCount"/> &gt; 0, int64 labels
    /// <c>[B]</c>. The tensors are new and belong to the caller (and to the caller's dispose scope).
    /// </returns>
    /// <exception cref="ArgumentException">An index is outside <c>[0, Count)</c>, or <paramref name="indices"/> is not a 1-D int64 tensor.</exception>
    TrainingBatch ReadBatch(Tensor indices, Device device);
}

/// <summary>What to do with the last, smaller batch of an epoch when the sample count is not a multiple of the batch size.</summary>
public enum LastBatchPolicy
{
    /// <summary>Drop it: every batch has exactly the batch size (the default; keeps batch statistics comparable).</summary>
    Drop = 0,

    /// <summary>Keep it: the last batch of each epoch may be smaller, every sample is seen once per epoch.</summary>
    Keep = 1,
}

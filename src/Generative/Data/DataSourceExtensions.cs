using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>Helpers over <see cref="IDataSource"/>.</summary>
public static class DataSourceExtensions
{
    /// <summary>
    /// Enumerates one epoch of <paramref name="source"/> in batches, in a random order drawn from
    /// <paramref name="generator"/> (or in storage order when it is <see langword="null"/>).
    /// </summary>
    /// <param name="source">The data.</param>
    /// <param name="batchSize">Samples per batch, at least 1.</param>
    /// <param name="generator">The generator that shuffles; <see langword="null"/> for no shuffling.</param>
    /// <param name="lastBatch">Whether a last, smaller batch is dropped or kept.</param>
    /// <param name="device">The device of the batches; CPU when <see langword="null"/>.</param>
    /// <returns>
    /// Batches the caller owns: dispose each one (or enumerate inside a dispose scope) before taking the next when
    /// memory matters.
    /// </returns>
    public static IEnumerable<TrainingBatch> EnumerateBatches(
        this IDataSource source,
        int batchSize,
        Generator? generator = null,
        LastBatchPolicy lastBatch = LastBatchPolicy.Drop,
        Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Enumerate(source, batchSize, generator, lastBatch, device ?? CPU);
    }

    private static IEnumerable<TrainingBatch> Enumerate(IDataSource source, int batchSize, Generator? generator, LastBatchPolicy lastBatch, Device device)
    {
        var order = new DataOrder(source.Count, batchSize, lastBatch, shuffle: generator is not null);
        using var fallback = generator is null ? new Generator(0) : null;
        var g = generator ?? fallback!;
        do
        {
            long[] indices = order.NextBatch(g);
            using var indexTensor = tensor(indices, ScalarType.Int64);
            yield return source.ReadBatch(indexTensor, device);
        }
        while (!order.EpochJustEnded);
    }

    internal static void ValidateIndices(Tensor indices, long count)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.dim() != 1 || indices.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"The indices must be a 1-D int64 tensor, but are {indices.dtype} of shape {TensorShape.Format(indices.shape)}.", nameof(indices));
        }

        if (indices.numel() == 0)
        {
            return;
        }

        long min;
        long max;
        if (indices.device_type == DeviceType.CPU && indices.is_contiguous())
        {
            // Read in place: no tensor is made for a check done once per batch.
            min = long.MaxValue;
            max = long.MinValue;
            using var values = indices.data<long>();
            foreach (long i in values)
            {
                min = Math.Min(min, i);
                max = Math.Max(max, i);
            }
        }
        else
        {
            using var scope = NewDisposeScope();
            min = indices.min().cpu().item<long>();
            max = indices.max().cpu().item<long>();
        }

        if (min < 0 || max >= count)
        {
            throw new ArgumentException($"Sample indices must be in [0, {count}), but range over [{min}, {max}].", nameof(indices));
        }
    }
}

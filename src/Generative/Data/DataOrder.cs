using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>
/// The order in which an epoch visits the samples: a permutation drawn from the run's generator at the start of each
/// epoch, cut into batches. Its state (epoch, position, permutation) is saved in checkpoints so that a resumed run reads
/// the same batches.
/// </summary>
/// <remarks>Not thread-safe.</remarks>
internal sealed class DataOrder
{
    private readonly long _count;
    private readonly int _batchSize;
    private readonly LastBatchPolicy _lastBatch;
    private readonly bool _shuffle;
    private long[]? _permutation;

    public DataOrder(long count, int batchSize, LastBatchPolicy lastBatch, bool shuffle = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (lastBatch == LastBatchPolicy.Drop && batchSize > count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(batchSize), batchSize, $"The batch size exceeds the {count} samples, and the last-batch policy drops incomplete batches: no batch would ever be formed. Lower the batch size or keep the last batch.");
        }

        _count = count;
        _batchSize = batchSize;
        _lastBatch = lastBatch;
        _shuffle = shuffle;
    }

    /// <summary>The current epoch, from 0 (the epoch of the next batch).</summary>
    public int Epoch { get; private set; }

    /// <summary>The position of the next batch in the epoch's permutation.</summary>
    public long Position { get; private set; }

    /// <summary>Whether the batch just returned was the last of its epoch.</summary>
    public bool EpochJustEnded { get; private set; }

    /// <summary>The epoch of the batch just returned.</summary>
    public int EpochOfLastBatch { get; private set; }

    /// <summary>The number of batches per epoch.</summary>
    public long BatchesPerEpoch => _lastBatch == LastBatchPolicy.Drop ? _count / _batchSize : (_count + _batchSize - 1) / _batchSize;

    /// <summary>The indices of the next batch; draws a new permutation from <paramref name="generator"/> at the start of an epoch.</summary>
    public long[] NextBatch(Generator generator)
    {
        if (_permutation is null)
        {
            _permutation = DrawPermutation(generator);
            Position = 0;
        }

        long take = Math.Min(_batchSize, _count - Position);
        var batch = new long[take];
        Array.Copy(_permutation, Position, batch, 0, take);
        Position += take;
        EpochOfLastBatch = Epoch;
        long remaining = _count - Position;
        EpochJustEnded = remaining == 0 || (_lastBatch == LastBatchPolicy.Drop && remaining < _batchSize);
        if (EpochJustEnded)
        {
            _permutation = null;
            Position = 0;
            Epoch++;
        }

        return batch;
    }

    /// <summary>The state to checkpoint: epoch, position and the current permutation (empty between epochs).</summary>
    public (int Epoch, long Position, long[] Permutation) GetState() => (Epoch, Position, _permutation is null ? [] : (long[])_permutation.Clone());

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(int epoch, long position, long[] permutation)
    {
        ArgumentNullException.ThrowIfNull(permutation);
        if (permutation.Length != 0 && permutation.Length != _count)
        {
            throw new InvalidDataException($"The saved data order has {permutation.Length} indices but the data source has {_count} samples; resume with the same data.");
        }

        if (epoch < 0 || position < 0 || position > _count || (permutation.Length == 0 && position != 0))
        {
            throw new InvalidDataException($"The saved data order is inconsistent (epoch {epoch}, position {position}).");
        }

        foreach (long i in permutation)
        {
            if (i < 0 || i >= _count)
            {
                throw new InvalidDataException($"The saved data order holds index {i}, outside [0, {_count}).");
            }
        }

        Epoch = epoch;
        Position = position;
        _permutation = permutation.Length == 0 ? null : (long[])permutation.Clone();
        EpochJustEnded = false;
    }

    private long[] DrawPermutation(Generator generator)
    {
        if (!_shuffle)
        {
            var identity = new long[_count];
            for (long i = 0; i < _count; i++)
            {
                identity[i] = i;
            }

            return identity;
        }

        using var perm = randperm(_count, dtype: ScalarType.Int64, device: generator.device, generator: generator);
        using var cpuPerm = perm.cpu();
        return cpuPerm.data<long>().ToArray();
    }
}

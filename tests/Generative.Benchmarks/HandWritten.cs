using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>Stops a trainer's <see cref="Trainer.Run"/> every <c>steps</c> steps, so one benchmark call runs that many steps of a long run.</summary>
internal sealed class StopEvery(int steps) : TrainingCallback
{
    public override void OnStepEnd(TrainingCallbackContext context)
    {
        if (context.CompletedSteps % steps == 0)
        {
            context.RequestStop("benchmark call done");
        }
    }
}

/// <summary>The hand-written loop's data order: a fresh permutation per epoch, batches drop the remainder.</summary>
internal sealed class HandBatches(Tensor data, Tensor? labels, int batchSize, Generator generator) : IDisposable
{
    private Tensor? _permutation;
    private long _position;

    /// <summary>The next batch (in the caller's dispose scope).</summary>
    public (Tensor Samples, Tensor? Labels) Next()
    {
        long n = data.shape[0];
        if (_permutation is null || _position + batchSize > n)
        {
            _permutation?.Dispose();
            using var scope = NewDisposeScope();
            _permutation = randperm(n, generator: generator).MoveToOuterDisposeScope().DetachFromDisposeScope();
            _position = 0;
        }

        using var idx = _permutation.narrow(0, _position, batchSize);
        _position += batchSize;
        return (data.index_select(0, idx), labels?.index_select(0, idx));
    }

    public void Dispose() => _permutation?.Dispose();
}

/// <summary>The hand-written loop's EMA: shadow ← shadow + (1 − d)(θ − shadow) with d = min(decay, (1 + n)/(10 + n)), by lerp_.</summary>
internal sealed class HandEma : IDisposable
{
    private readonly List<(Tensor Shadow, Tensor Source)> _pairs = [];
    private readonly double _decay;
    private long _updates;

    public HandEma(nn.Module source, double decay)
    {
        _decay = decay;
        using (no_grad())
        {
            foreach (var p in source.parameters())
            {
                _pairs.Add((p.detach().clone().DetachFromDisposeScope(), p));
            }
        }
    }

    public void Update()
    {
        double d = Math.Min(_decay, (1.0 + _updates) / (10.0 + _updates));
        using var noGrad = no_grad();
        using var weight = tensor(1.0 - d, ScalarType.Float32);
        foreach (var (shadow, source) in _pairs)
        {
            shadow.lerp_(source, weight);
        }

        _updates++;
    }

    public void Dispose()
    {
        foreach (var (shadow, _) in _pairs)
        {
            shadow.Dispose();
        }
    }
}

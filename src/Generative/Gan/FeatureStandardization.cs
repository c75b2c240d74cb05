using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Per-feature mean and standard deviation used to map a model's standardised outputs back to data units:
/// x = z·std + mean. Temporary stand-in until <c>Generative.Data.DataStandardization</c> (training helper) is merged.
/// Immutable; the tensors are owned by this object and only read.
/// </summary>
internal sealed class FeatureStandardization : IDisposable
{
    private readonly Tensor _mean;
    private readonly Tensor _std;

    /// <summary>Creates it from per-element statistics shaped like one sample (or broadcastable to it).</summary>
    public FeatureStandardization(Tensor mean, Tensor std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        _mean = mean.detach().to(ScalarType.Float32).cpu().clone().DetachFromDisposeScope();
        _std = std.detach().to(ScalarType.Float32).cpu().clone().DetachFromDisposeScope();
    }

    /// <summary>Maps standardised samples <c>[N, ..]</c> to data units; the result belongs to the caller's scope.</summary>
    public Tensor ToDataUnits(Tensor standardized)
    {
        using var scope = NewDisposeScope();
        var std = _std.to(standardized.dtype, standardized.device);
        var mean = _mean.to(standardized.dtype, standardized.device);
        return (standardized * std + mean).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _mean.Dispose();
        _std.Dispose();
    }
}

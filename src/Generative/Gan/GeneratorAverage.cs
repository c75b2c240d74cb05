using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Exponential moving average of a module's parameters into a second module of the same architecture:
/// θ_avg ← d·θ_avg + (1 − d)·θ; buffers (batch-norm statistics) are copied. Updated in place under no_grad.
/// With warm-up, the n-th update (n = 0, 1, …) uses d = min(decay, (1 + n) / (10 + n)), the same ramp as
/// <see cref="Training.ExponentialMovingAverage"/>: without it, an average that starts at the initial weights keeps
/// e^(−n(1 − decay)) of them after n updates (37 % after 1,000 updates at 0.999), and a GAN whose generator is updated
/// once every five critic steps samples mostly from its untrained initialisation for thousands of steps.
/// </summary>
internal sealed class GeneratorAverage : IDisposable
{
    private readonly List<(Tensor Average, Tensor Source)> _parameters = [];
    private readonly List<(Tensor Average, Tensor Source)> _buffers = [];
    private readonly Scalar _decay;
    private readonly Scalar _weight;

    public GeneratorAverage(nn.Module source, nn.Module average, double decay, bool useWarmup = true)
    {
        var averageParameters = average.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        var averageBuffers = average.named_buffers().ToDictionary(p => p.name, p => p.buffer, StringComparer.Ordinal);
        foreach (var (name, parameter) in source.named_parameters())
        {
            if (!averageParameters.TryGetValue(name, out var target) || !target.shape.SequenceEqual(parameter.shape))
            {
                throw new ArgumentException($"The EMA generator has no parameter '{name}' shaped {TensorShape.Format(parameter.shape)}: it must have the generator's architecture.", nameof(average));
            }

            _parameters.Add((target, parameter));
        }

        foreach (var (name, buffer) in source.named_buffers())
        {
            if (averageBuffers.TryGetValue(name, out var target))
            {
                _buffers.Add((target, buffer));
            }
        }

        Decay = decay;
        UseWarmup = useWarmup;
        _decay = decay.ToScalar();
        _weight = (1 - decay).ToScalar();
        using var noGrad = no_grad();
        foreach (var (a, s) in _parameters)
        {
            a.requires_grad_(false);
            a.copy_(s);
        }

        CopyBuffers();
    }

    public double Decay { get; }

    public bool UseWarmup { get; }

    /// <summary>The decay of update <paramref name="updateIndex"/> (0 for the first update).</summary>
    public double DecayAt(long updateIndex) => UseWarmup ? Math.Min(Decay, (1.0 + updateIndex) / (10.0 + updateIndex)) : Decay;

    /// <summary>Moves the average towards the source's weights.</summary>
    /// <param name="updateIndex">How many updates came before this one; it sets the warm-up's decay, and is derived
    /// from the training step by the caller so that a resumed run continues the same ramp without extra state.</param>
    public void Update(long updateIndex)
    {
        double decay = DecayAt(updateIndex);
        if (decay == Decay)
        {
            Blend(_decay, _weight);
        }
        else
        {
            using var d = decay.ToScalar();
            using var w = (1 - decay).ToScalar();
            Blend(d, w);
        }

        CopyBuffers();
    }

    private void Blend(Scalar decay, Scalar weight)
    {
        using var noGrad = no_grad();
        foreach (var (a, s) in _parameters)
        {
            a.mul_(decay).add_(s, weight);
        }
    }

    private void CopyBuffers()
    {
        using var noGrad = no_grad();
        foreach (var (a, s) in _buffers)
        {
            a.copy_(s);
        }
    }

    public void Dispose()
    {
        _decay.Dispose();
        _weight.Dispose();
    }
}

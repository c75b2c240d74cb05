using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Exponential moving average of a module's parameters into a second module of the same architecture:
/// θ_avg ← d·θ_avg + (1 − d)·θ; buffers (batch-norm statistics) are copied. Updated in place under no_grad.
/// To be replaced by the training loop's EMA class once it is merged (branch <c>training</c>).
/// </summary>
internal sealed class GeneratorAverage : IDisposable
{
    private readonly List<(Tensor Average, Tensor Source)> _parameters = [];
    private readonly List<(Tensor Average, Tensor Source)> _buffers = [];
    private readonly Scalar _decay;
    private readonly Scalar _weight;

    public GeneratorAverage(nn.Module source, nn.Module average, double decay)
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

    public void Update()
    {
        using var noGrad = no_grad();
        foreach (var (a, s) in _parameters)
        {
            a.mul_(_decay).add_(s, _weight);
        }

        CopyBuffers();
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

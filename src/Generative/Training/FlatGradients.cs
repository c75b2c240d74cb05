using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// The gradients of one optimiser's parameters as views of a single flat buffer, so that clearing them is one
/// <c>zero_</c> and checking them for NaN/∞ is one sum, instead of one call per parameter for each.
/// </summary>
/// <remarks>
/// <para>Made after the first update, and only when every parameter then has a dense gradient of one dtype on one
/// device (so no parameter that never receives a gradient is given a zero one, which an optimiser would treat
/// differently from none). Before each backward pass <see cref="Prepare"/> zeroes the buffer and sets every parameter's
/// <c>grad</c> to its view; the backward pass then accumulates into the views in place (autograd adds into a defined
/// gradient when it does not build a graph of the backward pass), exactly as it does after TorchSharp's own
/// <c>zero_grad</c>, which zeroes the gradients in place: the values are the same bit for bit.</para>
/// <para>Used only with TorchSharp's own optimisers, whose <c>zero_grad</c> does nothing but zero each gradient.
/// Owns the buffer and its views; not thread-safe (one trainer, one thread).</para>
/// </remarks>
internal sealed class FlatGradients : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly Tensor _buffer;
    private readonly Tensor[] _views;

    private FlatGradients(IReadOnlyList<Parameter> parameters, Tensor buffer, Tensor[] views)
    {
        _parameters = parameters;
        _buffer = buffer;
        _views = views;
    }

    /// <summary>All the gradients, flat.</summary>
    public Tensor Buffer => _buffer;

    /// <summary>Whether <paramref name="optimizer"/> is one of TorchSharp's own, whose <c>zero_grad</c> only zeroes
    /// every gradient in place (so that zeroing the buffer does the same).</summary>
    public static bool Supports(optim.Optimizer optimizer) => optimizer.GetType().Assembly == typeof(optim.Optimizer).Assembly;

    /// <summary>The flat gradients of <paramref name="parameters"/>, or <see langword="null"/> when a parameter has no
    /// gradient or the gradients differ in dtype or device or are not dense and contiguous.</summary>
    public static FlatGradients? TryCreate(IReadOnlyList<Parameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        using var scope = NewDisposeScope();
        ScalarType? dtype = null;
        Device? device = null;
        long total = 0;
        foreach (var p in parameters)
        {
            using var g = p.grad;
            if (g is null || g.is_sparse || !g.is_contiguous() || !p.is_contiguous()
                || (dtype is { } d && g.dtype != d)
                || (device is { } v && (g.device_type != v.type || g.device_index != v.index)))
            {
                return null;
            }

            dtype = g.dtype;
            device ??= g.device;
            total += g.numel();
        }

        var buffer = zeros([total], dtype!.Value, device).DetachFromDisposeScope();
        var views = new Tensor[parameters.Count];
        long offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            long n = parameters[i].numel();
            views[i] = buffer.narrow(0, offset, n).view(parameters[i].shape).DetachFromDisposeScope();
            offset += n;
        }

        return new FlatGradients(parameters, buffer, views);
    }

    /// <summary>Zeroes every gradient (one call) and makes each parameter's gradient its view again (cheap; undoes any
    /// replacement since the last step).</summary>
    public void Prepare()
    {
        _buffer.zero_();
        for (int i = 0; i < _views.Length; i++)
        {
            _parameters[i].grad = _views[i];
        }
    }

    /// <summary>Zeroes every gradient.</summary>
    public void Zero() => _buffer.zero_();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var v in _views)
        {
            v.Dispose();
        }

        _buffer.Dispose();
    }
}

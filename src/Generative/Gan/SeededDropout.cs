using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Dropout (Srivastava et al. 2014) whose masks are drawn from a given <see cref="Generator"/>, so that a seeded
/// training run is reproducible: in training mode each element is zeroed with probability p and the rest scaled by
/// 1 / (1 − p); in evaluation mode the identity. No parameters.
/// </summary>
internal sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _rate;
    private readonly Generator? _generator;

    /// <param name="rate">p, in [0, 1).</param>
    /// <param name="generator">Draws the masks (kept, not owned); <see langword="null"/> for the global generator.</param>
    internal SeededDropout(double rate, Generator? generator)
        : base(nameof(SeededDropout))
    {
        _rate = rate;
        _generator = generator;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _rate == 0)
        {
            return input.alias();
        }

        using var scope = NewDisposeScope();
        var keep = rand(input.shape, dtype: input.dtype, device: input.device, generator: _generator).AtLeastInPlace(_rate);
        return input.mul(keep).DividedByInPlace(1 - _rate).MoveToOuterDisposeScope();
    }
}

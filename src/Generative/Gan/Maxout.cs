using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// The maxout activation (Goodfellow et al. 2013, "Maxout Networks", arXiv:1302.4389) after a Linear layer of
/// units × k outputs: h_j = max over p &lt; k of z_(j·k + p), i.e. <c>[N, units·k]</c> viewed as <c>[N, units, k]</c>, maximum
/// over the last axis — the pieces of a unit are consecutive outputs, as in Blocks' <c>LinearMaxout</c> (PacGAN's
/// discriminator). No parameters.
/// </summary>
internal sealed class Maxout : nn.Module<Tensor, Tensor>
{
    public Maxout(int pieces)
        : base(nameof(Maxout))
    {
        Pieces = pieces;
    }

    /// <summary>k, the pieces per unit.</summary>
    public int Pieces { get; }

    public override Tensor forward(Tensor input)
    {
        long features = input.shape[^1];
        if (features % Pieces != 0)
        {
            throw new ArgumentException($"Maxout with {Pieces} pieces needs a multiple of {Pieces} features, but got {features}.", nameof(input));
        }

        using var pieces = input.unflatten(input.Dimensions - 1, [features / Pieces, Pieces]);
        return pieces.amax([input.Dimensions]);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Nn;

/// <summary>Creates layers whose TorchSharp defaults need correcting.</summary>
internal static class Layers
{
    /// <summary>A GroupNorm with weight = 1 and bias = 0 (TorchSharp leaves them uninitialised).</summary>
    public static GroupNorm GroupNorm(long groups, long channels)
    {
        var norm = nn.GroupNorm(groups, channels);
        using (no_grad())
        {
            norm.weight!.FillInPlace(1.0f);
            norm.bias!.zero_();
        }

        return norm;
    }

    /// <summary>Zeroes a layer's weight and bias (output layers of residual networks start as the identity/zero map).</summary>
    public static void Zero(Tensor? weight, Tensor? bias)
    {
        // In-place ops return a second managed handle to the same tensor; the scope releases those handles, not the tensors.
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            weight?.zero_();
            bias?.zero_();
        }
    }
}

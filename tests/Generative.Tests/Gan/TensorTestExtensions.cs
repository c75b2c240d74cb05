using static TorchSharp.torch;

namespace Generative.Tests.Gan;

internal static class TensorTestExtensions
{
    /// <summary>Same shape and bit-identical values (torch.equal).</summary>
    public static bool Same(this Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}

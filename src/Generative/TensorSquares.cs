using TorchSharp;
using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// Element-wise squares without TorchSharp's hidden temporary <see cref="Scalar"/>.
/// </summary>
/// <remarks>
/// TorchSharp's <c>Tensor.Squared()</c> is <c>pow(2)</c> through an implicit <see cref="Scalar"/> that nothing references
/// once its native handle has been read. A garbage collection on another thread during the native call can run that
/// Scalar's finaliser, which frees the native scalar while libtorch still reads it: seen here as
/// <c>INTERNAL ASSERT FAILED at c10/core/Scalar.h</c> inside <c>pow</c> in a long tabular GAN run (dotnet/TorchSharp
/// pull requests #1434 and #1496 discuss the implicit Scalars). Here the Scalar is held by a <c>using</c> until the call
/// has returned, so the result is the same <c>pow(x, 2)</c>, to the bit, without the race.
/// </remarks>
internal static class TensorSquares
{
    /// <summary>x², element by element: <c>pow(x, 2)</c> with the exponent kept alive across the native call.</summary>
    /// <param name="x">The tensor.</param>
    public static Tensor Squared(this Tensor x)
    {
        using var two = 2.ToScalar();
        return x.pow(two);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Generative;

/// <summary>Reads one-element tensors (losses, norms) as doubles with as few native calls as possible.</summary>
internal static class TensorValues
{
    /// <summary>
    /// The value of a one-element floating-point tensor as a double: read in place for float32/float64 CPU tensors (one
    /// native call; float → double is exact, so the value is the same as through <c>to_type(Float64)</c>), otherwise
    /// detached, converted to float64 and copied to the CPU. Creates no tensor the caller must dispose.
    /// </summary>
    /// <param name="scalar">A tensor with one element (gradients are not needed).</param>
    public static double ToDouble(Tensor scalar)
    {
        if (scalar.device_type == DeviceType.CPU)
        {
            switch (scalar.dtype)
            {
                case ScalarType.Float32:
                    return scalar.item<float>();
                case ScalarType.Float64:
                    return scalar.item<double>();
            }
        }

        using var scope = NewDisposeScope();
        return scalar.detach().cpu().to_type(ScalarType.Float64).item<double>();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Nn;

/// <summary>
/// Runs the library's convolutions and transposed convolutions on the CPU with their channel counts padded with zeros
/// to sizes that libtorch's oneDNN kernels compute correctly; every convolution of the library's networks goes through
/// here.
/// </summary>
/// <remarks>
/// <para>oneDNN 3.7 (bundled with libtorch 2.10) computes float32 CPU convolutions in blocked layouts (<c>nChw16c</c> on
/// AVX-512 CPUs, <c>nChw8c</c> on AVX2), padding channel dimensions to a whole block and, in several kernels, reading
/// that padding uninitialised. Measured on an AMD EPYC with AVX-512 (docs/troubleshooting.md): NaN or 10–70 % errors in
/// the forward pass or the input gradient for 24 → 16, 16 → 24, 1 → 8 or 8 → 1 channels, and for stride-2 4 × 4 layers
/// with 48 channels — a multiple of 16, so padding to the block alone is not enough; channels-last inputs fixed some
/// shapes and not others.</para>
/// <para>Here the weight and bias get zero channels up to <see cref="PaddedChannels"/> (16 up to 16 channels, else the
/// next multiple of 32), the input gets zero channels to match, and the output is cut back to the real channels: the
/// same values and the same gradients for the real weights and input. Every kernel configuration of the library's
/// networks and a sweep of 1–128 channels × five kernel shapes matched float64 with freed memory poisoned
/// (ConvolutionNumericsTests runs the networks' shapes on whatever CPU the tests run on). Layers whose channel counts
/// already have those sizes run unchanged; the cost falls on thin layers (a network's first and last convolutions on
/// one- or three-channel images). The exact alternatives measured 13× (libtorch without oneDNN) and 24× (unfold and a
/// matrix product) slower than oneDNN on a 64-channel 8 × 8 layer. Float64 never goes through oneDNN and is left alone,
/// as are other devices, grouped convolutions and non-zero padding modes.</para>
/// </remarks>
internal static class Convolutions
{
    /// <summary>The channel count a layer with <paramref name="channels"/> channels is computed with.</summary>
    /// <param name="channels">The layer's real input or output channels.</param>
    /// <returns>16 for up to 16 channels, else the next multiple of 32.</returns>
    public static long PaddedChannels(long channels) => channels <= 16 ? 16 : (channels + 31) / 32 * 32;

    /// <summary>Applies a <see cref="TorchSharp.Modules.Conv2d"/> layer.</summary>
    /// <param name="layer">The layer; its weight, bias, stride, padding and dilation are used.</param>
    /// <param name="input"><c>[N, C_in, H, W]</c>.</param>
    /// <returns>The layer's output, owned by the caller.</returns>
    public static Tensor Apply(TorchSharp.Modules.Conv2d layer, Tensor input)
    {
        if (!NeedsPadding(input, layer.weight!.shape[0], layer.weight.shape[1], layer.groups) || layer.padding_mode != PaddingModes.Zeros || layer.padding is null)
        {
            return layer.call(input);
        }

        return Conv2d(input, layer.weight, layer.bias, layer.stride, layer.padding, layer.dilation);
    }

    /// <summary>Applies a <see cref="ConvTranspose2d"/> layer.</summary>
    /// <param name="layer">The layer; its weight, bias, stride, padding, output padding and dilation are used.</param>
    /// <param name="input"><c>[N, C_in, H, W]</c>.</param>
    /// <returns>The layer's output, owned by the caller.</returns>
    public static Tensor Apply(ConvTranspose2d layer, Tensor input)
    {
        // A transposed convolution's weight is [C_in, C_out, kH, kW].
        var weight = layer.weight!;
        long inChannels = weight.shape[0], outChannels = weight.shape[1];
        if (!NeedsPadding(input, outChannels, inChannels, layer.groups) || layer.padding_mode != PaddingModes.Zeros || layer.padding is null)
        {
            return layer.call(input);
        }

        using var scope = NewDisposeScope();
        long inPad = PaddedChannels(inChannels) - inChannels, outPad = PaddedChannels(outChannels) - outChannels;
        var y = nn.functional.conv_transpose2d(
            PadChannels(input, inPad),
            nn.functional.pad(weight, [0, 0, 0, 0, 0, outPad, 0, inPad]),
            layer.bias is null ? null : nn.functional.pad(layer.bias, [0, outPad]),
            layer.stride,
            layer.padding,
            layer.output_padding,
            dilation: layer.dilation);
        return Narrow(y, outChannels).MoveToOuterDisposeScope();
    }

    /// <summary>A convolution with an explicit weight (spectral normalisation computes its own), padded as the layers are.</summary>
    /// <param name="input"><c>[N, C_in, H, W]</c>.</param>
    /// <param name="weight"><c>[C_out, C_in, kH, kW]</c>.</param>
    /// <param name="bias"><c>[C_out]</c> or <see langword="null"/>.</param>
    /// <param name="stride">The stride (height, width).</param>
    /// <param name="padding">The zero padding (height, width).</param>
    /// <param name="dilation">The dilation (height, width).</param>
    /// <param name="groups">The groups; grouped convolutions are not padded.</param>
    /// <returns>The output, owned by the caller.</returns>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[]? padding, long[] dilation, long groups = 1)
    {
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        if (!NeedsPadding(input, outChannels, inChannels, groups))
        {
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        }

        using var scope = NewDisposeScope();
        long outPad = PaddedChannels(outChannels) - outChannels, inPad = PaddedChannels(inChannels) - inChannels;
        var y = nn.functional.conv2d(
            PadChannels(input, inPad),
            nn.functional.pad(weight, [0, 0, 0, 0, 0, inPad, 0, outPad]),
            bias is null ? null : nn.functional.pad(bias, [0, outPad]),
            stride,
            padding,
            dilation);
        return Narrow(y, outChannels).MoveToOuterDisposeScope();
    }

    /// <summary>Runs a sequence of one-tensor layers, sending its convolutions through <see cref="Apply(TorchSharp.Modules.Conv2d, Tensor)"/>.</summary>
    /// <param name="layers">Convolutions, transposed convolutions, normalisations, activations.</param>
    /// <param name="input">The first layer's input.</param>
    /// <returns>The last layer's output, owned by the caller.</returns>
    public static Tensor Run(Sequential layers, Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in layers.children())
        {
            x = layer switch
            {
                TorchSharp.Modules.Conv2d conv => Apply(conv, x),
                ConvTranspose2d deconv => Apply(deconv, x),
                _ => ((nn.Module<Tensor, Tensor>)layer).call(x),
            };
        }

        return x.MoveToOuterDisposeScope();
    }

    private static bool NeedsPadding(Tensor input, long outChannels, long inChannels, long groups) =>
        groups == 1
        && input.device_type == DeviceType.CPU
        && input.dtype != ScalarType.Float64
        && (PaddedChannels(outChannels) != outChannels || PaddedChannels(inChannels) != inChannels);

    private static Tensor PadChannels(Tensor input, long extra) =>
        extra == 0 ? input : nn.functional.pad(input, [0, 0, 0, 0, 0, extra]);

    private static Tensor Narrow(Tensor output, long channels) =>
        output.shape[1] == channels ? output : output.narrow(1, 0, channels).contiguous();
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Nn;

/// <summary>
/// Runs the library's convolutions and transposed convolutions on the CPU as an explicit im2col product (unfold, then a
/// matrix product; a transposed convolution as the product, then fold) instead of libtorch's oneDNN kernels, which give
/// wrong values on some CPUs. Every convolution of the library's networks goes through here.
/// </summary>
/// <remarks>
/// <para>oneDNN 3.7 (bundled with libtorch 2.10) computes float32 CPU convolutions in blocked layouts (<c>nChw16c</c> on
/// AVX-512 CPUs, <c>nChw8c</c> on AVX2), padding channel dimensions to a whole block and, in several kernels, reading
/// that padding uninitialised. Measured on an AMD EPYC with AVX-512 (ConvolutionNumericsTests and docs/troubleshooting.md):
/// NaN or 10–70 % errors in the forward pass or the input gradient for 24 → 16, 16 → 24, 1 → 8 or 8 → 1 channels, and
/// for stride-2 4 × 4 layers with 48 channels (a multiple of 16); channels-last inputs and channel counts padded to 16
/// each fixed some shapes and not others. The sequence here — <c>unfold</c> (im2col), a matrix product (the same MKL
/// kernel every linear layer uses) and <c>fold</c> (col2im) — uses no blocked layout and gives the same values as the
/// float64 reference for every shape, forward and backward.</para>
/// <para>Float64 (which never goes through oneDNN), other devices, grouped convolutions and non-zero padding modes
/// keep libtorch's own kernels.</para>
/// </remarks>
internal static class Convolutions
{
    /// <summary>Applies a <see cref="TorchSharp.Modules.Conv2d"/> layer.</summary>
    /// <param name="layer">The layer; its weight, bias, stride, padding and dilation are used.</param>
    /// <param name="input"><c>[N, C_in, H, W]</c>.</param>
    /// <returns>The layer's output, owned by the caller.</returns>
    public static Tensor Apply(TorchSharp.Modules.Conv2d layer, Tensor input)
    {
        if (!UsesProduct(input, layer.groups) || layer.padding_mode != PaddingModes.Zeros || layer.padding is null)
        {
            return layer.call(input);
        }

        return Conv2d(input, layer.weight!, layer.bias, layer.stride, layer.padding, layer.dilation);
    }

    /// <summary>Applies a <see cref="ConvTranspose2d"/> layer.</summary>
    /// <param name="layer">The layer; its weight, bias, stride, padding, output padding and dilation are used.</param>
    /// <param name="input"><c>[N, C_in, H, W]</c>.</param>
    /// <returns>The layer's output, owned by the caller.</returns>
    public static Tensor Apply(ConvTranspose2d layer, Tensor input)
    {
        if (!UsesProduct(input, layer.groups) || layer.padding_mode != PaddingModes.Zeros || layer.padding is null)
        {
            return layer.call(input);
        }

        // A transposed convolution's weight is [C_in, C_out, kH, kW]: y = col2im(Wᵀ x).
        using var scope = NewDisposeScope();
        var weight = layer.weight!;
        long n = input.shape[0], inChannels = weight.shape[0], outChannels = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3];
        long h = input.shape[2], w = input.shape[3];
        long outH = ((h - 1) * layer.stride[0]) - (2 * layer.padding[0]) + (layer.dilation[0] * (kh - 1)) + layer.output_padding[0] + 1;
        long outW = ((w - 1) * layer.stride[1]) - (2 * layer.padding[1]) + (layer.dilation[1] * (kw - 1)) + layer.output_padding[1] + 1;
        var columns = weight.reshape(inChannels, outChannels * kh * kw).t().matmul(input.reshape(n, inChannels, h * w));
        var y = nn.functional.fold(columns, (outH, outW), (kh, kw), (layer.dilation[0], layer.dilation[1]), (layer.padding[0], layer.padding[1]), (layer.stride[0], layer.stride[1]));
        if (layer.bias is not null)
        {
            y = y + layer.bias.view(1, outChannels, 1, 1);
        }

        return y.MoveToOuterDisposeScope();
    }

    /// <summary>A convolution with an explicit weight (spectral normalisation computes its own), computed as the layers are.</summary>
    /// <param name="input"><c>[N, C_in, H, W]</c>.</param>
    /// <param name="weight"><c>[C_out, C_in, kH, kW]</c>.</param>
    /// <param name="bias"><c>[C_out]</c> or <see langword="null"/>.</param>
    /// <param name="stride">The stride (height, width).</param>
    /// <param name="padding">The zero padding (height, width).</param>
    /// <param name="dilation">The dilation (height, width).</param>
    /// <param name="groups">The groups; grouped convolutions use libtorch's kernels.</param>
    /// <returns>The output, owned by the caller.</returns>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[]? padding, long[] dilation, long groups = 1)
    {
        padding ??= [0, 0];
        if (!UsesProduct(input, groups))
        {
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        }

        using var scope = NewDisposeScope();
        long n = input.shape[0], outChannels = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3];
        long outH = ((input.shape[2] + (2 * padding[0]) - (dilation[0] * (kh - 1)) - 1) / stride[0]) + 1;
        long outW = ((input.shape[3] + (2 * padding[1]) - (dilation[1] * (kw - 1)) - 1) / stride[1]) + 1;
        var columns = nn.functional.unfold(input, (kh, kw), (dilation[0], dilation[1]), (padding[0], padding[1]), (stride[0], stride[1]));
        var y = weight.reshape(outChannels, -1).matmul(columns).view(n, outChannels, outH, outW);
        if (bias is not null)
        {
            y = y + bias.view(1, outChannels, 1, 1);
        }

        return y.MoveToOuterDisposeScope();
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

    private static bool UsesProduct(Tensor input, long groups) =>
        groups == 1 && input.device_type == DeviceType.CPU && input.dtype != ScalarType.Float64;
}

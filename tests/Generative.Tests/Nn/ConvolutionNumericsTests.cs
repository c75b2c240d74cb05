using Generative.Diffusion;
using Generative.Gan;
using Generative.Nn;
using Generative.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Nn;

/// <summary>
/// The library's convolutional networks against float64 copies of themselves, with stale memory poisoned by NaN.
/// </summary>
/// <remarks>
/// oneDNN's float32 CPU convolutions pad the channel dimension to a block of 16 (AVX-512) or 8 (AVX2) in their blocked
/// layouts and read the padding uninitialised, so a convolution whose channel count is not a multiple of the block
/// gives NaN or wrong values — on some CPUs, depending on what the memory last held. Float64 does not go through those
/// kernels, so a float64 copy of the same network is the reference. Poisoning freed memory with NaN before each pass
/// makes the bug certain on a CPU that has it instead of depending on the heap's history. Every network runs as
/// initialised (the UNet's zeroed output convolution sends an all-zero gradient back, which must stay exactly zero)
/// and with every parameter non-zero; the forward output, the input gradient and every parameter's gradient (each
/// convolution's weight gradient) must agree within 1e-4 of the reference's largest magnitude.
/// </remarks>
[Collection("Sequential")]
public sealed class ConvolutionNumericsTests
{
    /// <summary>Each convolution, every element: the issue's bound.</summary>
    private const double Tolerance = 1e-4;

    /// <summary>A whole network, relative L2 (see <see cref="ShouldMatchOverall"/>).</summary>
    private const double NetworkTolerance = 1e-2;

    public static TheoryData<string> Networks => new()
    {
        "unet-test",            // DenoiserTests' UNet: 1 channel, 8×8, 8 → 16 channels (8, 16, 24 in; 1 out)
        "unet-default",         // the default UNet on 1×8×8 (the comparison and Digits): 32 → 64 channels, attention
        "unet-default-rgb",     // the default UNet on 3×16×16 with classes and learned variance
        "generator-default",    // ConvGenerator's defaults: 32×32, 512 → 64 channels → 1
        "generator-digits",     // the Digits sample's generator: 8×8, width 32, 32-d latent
        "generator-rgb",        // 3 output channels, conditional
        "critic-default",       // ConvCritic's defaults: 1 → 64 → ... at 32×32
        "critic-digits-sn",     // the Digits sample's spectrally normalised critic
        "critic-rgb-projection",
        "unet-stacked",         // the comparison's UNet on stacked digits: 3×8×8 (3 → 32 channels in, 32 → 3 out)
        "generator-stacked",    // the comparison's DCGAN generator on stacked digits: 8×8, 3 channels out
        "critic-stacked-pack2", // the comparison's PacDCGAN2 critic on stacked digits: two 3-channel images, 6 channels in
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Float32_equals_float64_with_stale_memory_poisoned(string network)
    {
        foreach (bool randomized in new[] { false, true })
        {
            for (int repeat = 0; repeat < 2; repeat++)
            {
                using var scope = NewDisposeScope();
                using var single = Build(network, ScalarType.Float32, randomized);
                using var reference = Build(network, ScalarType.Float64, randomized);
                var actual = Run(single, ScalarType.Float32, poison: true);
                var expected = Run(reference, ScalarType.Float64, poison: false);
                foreach (var (name, value) in expected)
                {
                    ShouldMatchOverall(actual[name], value, $"{network} ({(randomized ? "randomised" : "as initialised")}, run {repeat + 1}): {name}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Each_convolution_equals_float64_with_stale_memory_poisoned(string network)
    {
        using var scope = NewDisposeScope();
        using var single = Build(network, ScalarType.Float32, randomized: true);
        using var reference = Build(network, ScalarType.Float64, randomized: true);
        // Float64 runs every layer through its own call (hooks see it); the float32 copy takes the library's path.
        var layers = ConvolutionInputs(reference);
        layers.Keys.Should().HaveCount(single.Module.modules().Count(IsConvolution), "every convolution of the network is tested");
        _ = ConvolutionInputs(single); // the same forward pass: spectral norm's power iteration moves both copies alike
        var singles = single.Module.named_modules().ToDictionary(m => m.name, m => m.module);
        var references = reference.Module.named_modules().ToDictionary(m => m.name, m => m.module);
        foreach (var (name, (_, shape)) in layers)
        {
            var layer = (nn.Module<Tensor, Tensor>)singles[name];
            using var inner = NewDisposeScope();
            var g = new Generator(13);
            var x64 = randn(shape, generator: g).to_type(ScalarType.Float64);
            var x32 = x64.to_type(ScalarType.Float32).requires_grad_();
            x64.requires_grad_();
            using var heap = StaleMemory.KeepOnHeap();
            StaleMemory.Poison();
            var y32 = layer switch
            {
                TorchSharp.Modules.Conv2d conv => Convolutions.Apply(conv, x32),
                TorchSharp.Modules.ConvTranspose2d deconv => Convolutions.Apply(deconv, x32),
                _ => layer.call(x32), // spectral normalisation goes through Convolutions.Conv2d itself
            };
            var y64 = ((nn.Module<Tensor, Tensor>)references[name]).call(x64);
            ShouldMatch(y32, y64, $"{network}: {name} {TensorShape.Format(shape)} forward");
            var dy = randn(y64.shape, generator: g).to_type(ScalarType.Float64);
            StaleMemory.Poison();
            y32.backward([dy.to_type(ScalarType.Float32)]);
            y64.backward([dy]);
            ShouldMatch(x32.grad!, x64.grad!, $"{network}: {name} input gradient");
            var weights64 = references[name].named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (parameterName, parameter) in layer.named_parameters())
            {
                ShouldMatch(parameter.grad!, weights64[parameterName].grad!, $"{network}: {name} gradient of {parameterName}");
            }
        }
    }

    /// <summary>
    /// Channel counts a user may choose (BaseChannels = 24, RGB, 48-channel levels) under every kernel shape the networks
    /// use, through the library's convolution path, against float64 with poisoned memory. Before the fix, 26 of these
    /// layer/layout combinations were wrong on an AVX-512 CPU (NaN or 10–70 % off).
    /// </summary>
    [Theory]
    [InlineData(3, 1, 1, false)] // the UNet's and DCGAN's 3 × 3 convolutions
    [InlineData(1, 1, 0, false)] // the UNet's skips and attention projections
    [InlineData(3, 2, 1, false)] // the UNet's downsamplers
    [InlineData(4, 2, 1, false)] // the DCGAN critic's downsampling
    [InlineData(4, 2, 1, true)]  // the DCGAN generator's upsampling
    public void Any_channel_count_equals_float64_with_stale_memory_poisoned(int kernel, int stride, int padding, bool transposed)
    {
        int[] channels = [1, 3, 8, 24, 48, 80];
        foreach (int inChannels in channels)
        {
            foreach (int outChannels in channels)
            {
                using var scope = NewDisposeScope();
                using var single = transposed
                    ? (nn.Module<Tensor, Tensor>)nn.ConvTranspose2d(inChannels, outChannels, kernel, stride: stride, padding: padding)
                    : nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding);
                using var reference = transposed
                    ? (nn.Module<Tensor, Tensor>)nn.ConvTranspose2d(inChannels, outChannels, kernel, stride: stride, padding: padding)
                    : nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding);
                reference.to(ScalarType.Float64);
                using (no_grad())
                {
                    foreach (var ((_, p32), (_, p64)) in single.named_parameters().Zip(reference.named_parameters()))
                    {
                        p64.copy_(p32);
                    }
                }

                var g = new Generator(17);
                var x64 = randn([16, inChannels, 8, 8], generator: g).to_type(ScalarType.Float64);
                var x32 = x64.to_type(ScalarType.Float32).requires_grad_();
                x64.requires_grad_();
                var y64 = reference.call(x64);
                var dy = randn(y64.shape, generator: g).to_type(ScalarType.Float64);
                y64.backward([dy]);
                using var heap = StaleMemory.KeepOnHeap();
                StaleMemory.Poison();
                var y32 = single is TorchSharp.Modules.ConvTranspose2d deconv ? Convolutions.Apply(deconv, x32) : Convolutions.Apply((TorchSharp.Modules.Conv2d)single, x32);
                StaleMemory.Poison();
                y32.backward([dy.to_type(ScalarType.Float32)]);
                string what = $"{(transposed ? "transposed " : string.Empty)}{kernel}×{kernel}/{stride} {inChannels} → {outChannels}";
                ShouldMatch(y32, y64, what + " forward");
                ShouldMatch(x32.grad!, x64.grad!, what + " input gradient");
                foreach (var ((name, p32), (_, p64)) in single.named_parameters().Zip(reference.named_parameters()))
                {
                    ShouldMatch(p32.grad!, p64.grad!, $"{what} gradient of {name}");
                }
            }
        }
    }

    /// <summary>Every convolution the network runs (by module name) with the shape of the input it gets.</summary>
    private static Dictionary<string, (nn.Module<Tensor, Tensor> Layer, long[] Shape)> ConvolutionInputs(ConvNet net)
    {
        var found = new Dictionary<string, (nn.Module<Tensor, Tensor>, long[])>();
        var hooks = new List<Action>();
        foreach (var (name, module) in net.Module.named_modules())
        {
            if (IsConvolution(module))
            {
                var layer = (nn.Module<Tensor, Tensor>)module;
                var remover = layer.register_forward_pre_hook((_, input) =>
                {
                    found[name] = (layer, input.shape);
                    return input;
                });
                hooks.Add(remover.remove);
            }
        }

        using (no_grad())
        {
            using var scope = NewDisposeScope();
            net.Forward(randn(net.InputShape).to_type(net.Module.parameters().First().dtype));
        }

        foreach (var hook in hooks)
        {
            hook();
        }

        foreach (var layer in found.Values)
        {
            layer.Item1.zero_grad();
        }

        return found;
    }

    /// <summary>
    /// Finite, and within <see cref="NetworkTolerance"/> in relative L2 norm. A whole network is not held to each
    /// element: where float32 and float64 disagree on the sign of a near-zero activation before a ReLU (about 10⁻⁸
    /// apart), that element's gradient is cut in one and not the other, and one such element early in a network reaches
    /// many inputs (measured on the default generator: one sign flip among 262,144 activations at 8 × 8 gave the input
    /// gradient a 3·10⁻³ relative L2 error, while every layer alone is within 10⁻⁶). The faults this test is for were
    /// NaN or 5–70 % off.
    /// </summary>
    private static void ShouldMatchOverall(Tensor actual, Tensor expected, string what) =>
        ShouldMatch(actual, expected, what, overall: true);

    private static bool IsConvolution(nn.Module module) =>
        module is TorchSharp.Modules.Conv2d or TorchSharp.Modules.ConvTranspose2d
        || (module is SpectralNorm && module.named_parameters().Any(p => p.parameter.dim() == 4));

    /// <summary>Finite, and within <see cref="Tolerance"/> of the largest magnitude in every element (or, overall, in L2 norm).</summary>
    private static void ShouldMatch(Tensor actual, Tensor expected, string what, bool overall = false)
    {
        using var scope = NewDisposeScope();
        actual.shape.Should().Equal(expected.shape, what);
        var a = actual.to_type(ScalarType.Float64);
        long nonFinite = (~a.isfinite()).sum().item<long>();
        nonFinite.Should().Be(0, $"{what} must be finite ({nonFinite} of {a.numel()} elements are not)");
        var difference = a - expected;
        double scale = overall ? expected.norm().item<double>() : expected.abs().max().item<double>();
        double error = overall ? difference.norm().item<double>() : difference.abs().max().item<double>();
        error.Should().BeLessThanOrEqualTo(
            (overall ? NetworkTolerance : Tolerance) * scale,
            $"{what}: {(overall ? "error norm" : "largest error")} {error:G3} against {(overall ? "norm" : "largest magnitude")} {scale:G3}");
    }

    /// <summary>Runs forward and backward with a fixed random output gradient; returns output and gradients by name.</summary>
    private static Dictionary<string, Tensor> Run(ConvNet net, ScalarType dtype, bool poison)
    {
        var g = new Generator(11);
        var input = randn(net.InputShape, generator: g).to_type(dtype).requires_grad_();
        using var heap = poison ? StaleMemory.KeepOnHeap() : null;
        if (poison)
        {
            StaleMemory.Poison();
        }

        var output = net.Forward(input);
        var outputGradient = randn(output.shape, generator: g).to_type(dtype);
        if (poison)
        {
            StaleMemory.Poison();
        }

        output.backward([outputGradient]);
        var results = new Dictionary<string, Tensor> { ["output"] = output.detach(), ["input gradient"] = input.grad!.detach().clone() };
        foreach (var (name, parameter) in net.Module.named_parameters())
        {
            results[$"gradient of {name}"] = parameter.grad is null ? zeros_like(parameter) : parameter.grad.detach().clone();
        }

        return results;
    }

    private static ConvNet Build(string network, ScalarType dtype, bool randomized)
    {
        var init = new Generator(5);
        var sn = new Generator(6);
        ConvNet net = network switch
        {
            "unet-test" => Unet(1, 8, new UNetDenoiserOptions { BaseChannels = 8, GroupCount = 4 }, init),
            "unet-default" => Unet(1, 8, new UNetDenoiserOptions(), init),
            "unet-default-rgb" => Unet(3, 16, new UNetDenoiserOptions { ClassCount = 4, LearnVariance = true }, init),
            "generator-default" => Generator(new ConvGeneratorOptions(), init),
            "generator-digits" => Generator(new ConvGeneratorOptions { ImageSize = 8, LatentDimension = 32, Width = 32 }, init),
            "generator-rgb" => Generator(new ConvGeneratorOptions { ImageSize = 16, Channels = 3, Width = 24, ClassCount = 3 }, init),
            "critic-default" => Critic(new ConvCriticOptions(), init),
            "critic-digits-sn" => Critic(new ConvCriticOptions { ImageSize = 8, Width = 32, SpectralNormalization = true }, sn),
            "critic-rgb-projection" => Critic(new ConvCriticOptions { ImageSize = 16, Channels = 3, Width = 24, ClassCount = 3 }, init),
            "unet-stacked" => Unet(3, 8, new UNetDenoiserOptions(), init),
            "generator-stacked" => Generator(new ConvGeneratorOptions { ImageSize = 8, Channels = 3 }, init),
            "critic-stacked-pack2" => Critic(new ConvCriticOptions { ImageSize = 8, Channels = 6 }, init),
            _ => throw new ArgumentOutOfRangeException(nameof(network), network, "no such test network"),
        };
        net.Module.to(dtype);
        net.Module.train();
        if (net.Module is ConvGenerator)
        {
            // Batch statistics amplify the ReLU sign flips described at ShouldMatchOverall past any fixed bound (a
            // batch-norm bias gradient 1.3·10⁻³ off in training mode); the running statistics keep the convolutions in view.
            net.Module.eval();
        }
        if (randomized)
        {
            // Give every all-zero parameter (the UNet's output convolution, biases) small random values.
            var g = new Generator(9);
            using var noGrad = no_grad();
            foreach (var (_, parameter) in net.Module.named_parameters())
            {
                if (parameter.count_nonzero().item<long>() == 0)
                {
                    parameter.copy_(randn(parameter.shape, generator: g).to_type(dtype) * 0.05);
                }
            }
        }

        return net;
    }

    private static ConvNet Unet(int channels, int size, UNetDenoiserOptions options, Generator init)
    {
        var net = new UNetDenoiser(channels, size, size, options, init);
        const int batch = 16;
        var timesteps = arange(batch, ScalarType.Int64) * 61;
        var labels = options.ClassCount > 0 ? arange(batch, ScalarType.Int64) % (options.ClassCount + 1) : null;
        return new ConvNet(net, [batch, channels, size, size], x => net.Predict(x, timesteps, labels));
    }

    private static ConvNet Generator(ConvGeneratorOptions options, Generator init)
    {
        var net = new ConvGenerator(options, init);
        const int batch = 16;
        var labels = options.ClassCount > 0 ? arange(batch, ScalarType.Int64) % options.ClassCount : null;
        return new ConvNet(net, [batch, options.LatentDimension], x => net.Generate(x, labels));
    }

    private static ConvNet Critic(ConvCriticOptions options, Generator init)
    {
        var net = new ConvCritic(options, init);
        const int batch = 16;
        var labels = options.ClassCount > 0 ? arange(batch, ScalarType.Int64) % options.ClassCount : null;
        return new ConvNet(net, [batch, options.Channels, options.ImageSize, options.ImageSize], x => net.Score(x, labels));
    }

    private sealed class ConvNet(nn.Module module, long[] inputShape, Func<Tensor, Tensor> forward) : IDisposable
    {
        public nn.Module Module { get; } = module;

        public long[] InputShape { get; } = inputShape;

        public Tensor Forward(Tensor input) => forward(input);

        public void Dispose() => Module.Dispose();
    }
}

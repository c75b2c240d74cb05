using System.Globalization;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Gan;
using Generative.TestSupport;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Interop;

/// <summary>
/// The same networks in PyTorch (python/generative_torch): each network kind is built here with a seed, every weight
/// moved off its initial value (output layers start at zero, norms at 1/0), saved as a checkpoint directory, loaded
/// by the package with <c>load_state_dict(strict=True)</c> and run on the same inputs; the outputs agree within 1e-5.
/// Skipped where /usr/bin/python3 has no torch.
/// </summary>
public sealed class ForwardEqualityTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-5;

    private readonly string _dir = Directory.CreateTempSubdirectory("gen-forward-").FullName;

    [SkippableFact]
    public void Every_network_gives_the_same_output_in_pytorch()
    {
        Skip.IfNot(PyTorchPackage.IsAvailable, PyTorchPackage.SkipReason);
        var cases = new List<Case>();
        using var g = new Generator(42);

        // Denoisers: MLP (unconditional; conditional with learned variance, labels and the null class), UNet with
        // attention, and a conditional UNet with three channels, two blocks per level and no attention.
        cases.Add(Denoiser("mlp", new MlpDenoiser(3, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16 }, g), g, null));
        var conditional = new MlpDenoiser(3, new MlpDenoiserOptions { Width = 24, Depth = 1, TimeEmbeddingDimension = 8, ClassCount = 3, LearnVariance = true }, g);
        cases.Add(Denoiser("mlp-conditional", conditional, g, tensor(new long[] { 0, 1, 2, 3, 1, 0 })));
        cases.Add(Denoiser("unet", new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 8, ChannelMultipliers = [1, 2], GroupCount = 4 }, g), g, null));
        var unet = new UNetDenoiser(3, 8, 8, new UNetDenoiserOptions
        {
            BaseChannels = 8, ChannelMultipliers = [1, 2, 2], ResidualBlocksPerLevel = 2, AttentionAtLowestResolution = false, GroupCount = 2, ClassCount = 2,
        }, g);
        cases.Add(Denoiser("unet-conditional", unet, g, tensor(new long[] { 0, 1, 2, 1, 0, 2 })));

        // Generators: MLP (and conditional), conv in eval mode (BatchNorm running statistics) and in training mode.
        cases.Add(Generator("mlp-generator", new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 8, HiddenWidth = 16, HiddenLayers = 2 }, g), g, null, train: false));
        cases.Add(Generator("mlp-generator-conditional", new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2, 3), LatentDimension = 8, HiddenWidth = 16, HiddenLayers = 2, ClassCount = 3, ClassEmbeddingDimension = 4 }, g), g, tensor(new long[] { 0, 1, 2, 2, 1, 0 }), train: false));
        var conv = new ConvGeneratorOptions { ImageSize = 16, Channels = 1, LatentDimension = 8, Width = 4 };
        cases.Add(Generator("conv-generator", new ConvGenerator(conv, g), g, null, train: false));
        cases.Add(Generator("conv-generator-train", new ConvGenerator(conv with { ClassCount = 2, ClassEmbeddingDimension = 3, TanhOutput = false }, g), g, tensor(new long[] { 0, 1, 1, 0, 1, 0 }), train: true));

        // Critics: MLP and conv, without and with spectral normalisation (eval: stored u, v; training: one power iteration).
        var mlpCritic = new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 16, HiddenLayers = 2 };
        cases.Add(Critic("mlp-critic", new MlpCritic(mlpCritic, g), g, null, train: false, MlpCriticJson(mlpCritic)));
        var sn = mlpCritic with { SpectralNormalization = true, ClassCount = 3, SampleShape = new TensorShape(2, 2) };
        cases.Add(Critic("mlp-critic-sn", new MlpCritic(sn, g), g, tensor(new long[] { 0, 1, 2, 2, 1, 0 }), train: false, MlpCriticJson(sn)));
        cases.Add(Critic("mlp-critic-sn-train", new MlpCritic(sn, g), g, tensor(new long[] { 2, 1, 0, 0, 1, 2 }), train: true, MlpCriticJson(sn)));
        var convCritic = new ConvCriticOptions { ImageSize = 8, Channels = 1, Width = 4 };
        cases.Add(Critic("conv-critic", new ConvCritic(convCritic, g), g, null, train: false, ConvCriticJson(convCritic)));
        var convSn = convCritic with { SpectralNormalization = true, Channels = 3, PowerIterations = 2 };
        cases.Add(Critic("conv-critic-sn", new ConvCritic(convSn, g), g, null, train: false, ConvCriticJson(convSn)));
        cases.Add(Critic("conv-critic-sn-train", new ConvCritic(convSn, g), g, null, train: true, ConvCriticJson(convSn)));

        PyTorchPackage.RunPython(Path.Combine(PyTorchPackage.Folder, "tests", "forward_outputs.py"), _dir);

        var errors = new List<string>();
        foreach (var c in cases)
        {
            using var outputs = SafeTensors.Load(Path.Combine(_dir, c.Name, "outputs.safetensors"));
            var theirs = outputs.Tensors["y"];
            theirs.shape.Should().Equal(c.Expected.shape, c.Name);
            double error = (theirs.to_type(ScalarType.Float64) - c.Expected.to_type(ScalarType.Float64)).abs().max().item<double>();
            double scale = c.Expected.abs().max().to_type(ScalarType.Float64).item<double>();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name,-28} max |PyTorch − TorchSharp| = {error:E2} (outputs up to {scale:F3})"));
            scale.Should().BeGreaterThan(0.01, $"{c.Name}: a network whose outputs are all near zero checks nothing");
            if (error > Tolerance)
            {
                errors.Add($"{c.Name}: {error:E3}");
            }

            c.Expected.Dispose();
        }

        errors.Should().BeEmpty($"every network's outputs must agree within {Tolerance}");
    }

    private Case Denoiser(string name, IDenoiser denoiser, Generator g, Tensor? labels)
    {
        Perturb(denoiser.Module, g);
        using var schedule = new NoiseSchedule();
        var options = denoiser.OutputShape.Equals(denoiser.SampleShape)
            ? null
            : new DiffusionModelOptions { Sampler = "ddpm", Ddpm = new DdpmSamplerOptions { VarianceType = DdpmVarianceType.LearnedRange } };
        var model = new DiffusionModel(denoiser, schedule, options);
        denoiser.Module.eval();
        string dir = Path.Combine(_dir, name);
        model.Save(dir);
        var x = randn([6, .. denoiser.SampleShape.Dimensions], generator: g);
        var t = tensor(new long[] { 0, 1, 17, 250, 999, 500 });
        using var noGrad = no_grad();
        var expected = denoiser.Predict(x, t, labels).detach();
        WriteCase(dir, "denoiser", train: false, x, t, labels);
        model.Dispose();
        return new Case(name, expected);
    }

    private Case Generator(string name, IGenerator generator, Generator g, Tensor? labels, bool train)
    {
        Perturb(generator.Module, g);
        using var model = new GanModel(generator);
        string dir = Path.Combine(_dir, name);
        model.Save(dir);
        generator.Module.train(train);
        var z = randn([6, .. generator.LatentShape.Dimensions], generator: g);
        using var noGrad = no_grad();
        var expected = generator.Generate(z, labels).detach();
        WriteCase(dir, "generator", train, z, null, labels);
        return new Case(name, expected);
    }

    private Case Critic(string name, IDiscriminator critic, Generator g, Tensor? labels, bool train, JsonObject description)
    {
        Perturb(critic.Module, g);
        if (!train)
        {
            // As in a trained critic, u and v have converged (a few power iterations in training mode); with the random
            // initial u, v of a fresh spectral norm σ is underestimated and the scores are in the thousands.
            critic.Module.train();
            using var warmUp = randn([2, .. critic.SampleShape.Dimensions], generator: g);
            using var noGrad0 = no_grad();
            for (int i = 0; i < 20; i++)
            {
                critic.Score(warmUp, labels?[..2]).Dispose();
            }
        }

        string dir = Path.Combine(_dir, name);
        // The library saves no critic in a model directory; the package reads its architecture from options.critic.
        ModelCheckpoint.Save(dir, new Dictionary<string, nn.Module> { ["critic"] = critic.Module }, "gan", new JsonObject { ["critic"] = description });
        critic.Module.train(train);
        var x = randn([6, .. critic.SampleShape.Dimensions], generator: g);
        using var noGrad = no_grad();
        var expected = critic.Score(x, labels).detach();
        WriteCase(dir, "critic", train, x, null, labels);
        critic.Module.Dispose();
        return new Case(name, expected);
    }

    /// <summary>Moves every parameter and BatchNorm statistic off its initial value (zeroed output layers, unit norms).</summary>
    private static void Perturb(nn.Module module, Generator g)
    {
        using var noGrad = no_grad();
        foreach (var (_, p) in module.named_parameters())
        {
            using var noise = randn(p.shape, generator: g);
            p.add_(noise.mul_(0.2));
        }

        foreach (var (name, b) in module.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
            {
                using var noise = randn(b.shape, generator: g);
                b.add_(noise.mul_(0.1));
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                using var noise = rand(b.shape, generator: g);
                b.add_(noise);
            }
        }
    }

    private static void WriteCase(string dir, string module, bool train, Tensor x, Tensor? t, Tensor? labels)
    {
        var inputs = new Dictionary<string, Tensor> { ["x"] = x };
        if (t is not null)
        {
            inputs["t"] = t;
        }

        if (labels is not null)
        {
            inputs["labels"] = labels;
        }

        SafeTensors.Save(Path.Combine(dir, "inputs.safetensors"), inputs);
        File.WriteAllText(Path.Combine(dir, "case.json"), new JsonObject { ["module"] = module, ["train"] = train }.ToJsonString());
    }

    private static JsonObject MlpCriticJson(MlpCriticOptions o) => new()
    {
        ["critic"] = "mlp",
        ["sampleShape"] = new JsonArray([.. o.SampleShape.Dimensions.Select(d => (JsonNode)JsonValue.Create(d))]),
        ["hiddenWidth"] = o.HiddenWidth,
        ["hiddenLayers"] = o.HiddenLayers,
        ["leakyReluSlope"] = o.LeakyReluSlope,
        ["classCount"] = o.ClassCount,
        ["spectralNormalization"] = o.SpectralNormalization,
        ["powerIterations"] = o.PowerIterations,
    };

    private static JsonObject ConvCriticJson(ConvCriticOptions o) => new()
    {
        ["critic"] = "conv",
        ["imageSize"] = o.ImageSize,
        ["channels"] = o.Channels,
        ["width"] = o.Width,
        ["leakyReluSlope"] = o.LeakyReluSlope,
        ["classCount"] = o.ClassCount,
        ["spectralNormalization"] = o.SpectralNormalization,
        ["powerIterations"] = o.PowerIterations,
    };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Case(string Name, Tensor Expected);
}

using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Gan;
using Generative.Models;
using Generative.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>A generator type and a critic type from another assembly (this one), registered like the built-ins: the
/// generator trains with an EMA copy, saves, loads (directly and by family) and samples the same; the critic is described
/// and rebuilt; both keep the network contract through their registered type.</summary>
public sealed class GanNetworkRegistryTests : IDisposable
{
    private const string GeneratorKey = "tiny-test-generator";
    private const string CriticKey = "tiny-test-critic";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gan-registry-" + Guid.NewGuid().ToString("N"));

    static GanNetworkRegistryTests()
    {
        GeneratorRegistry.Default.TryAdd("tiny-test-generator", TinyGenerator.Type);
        CriticRegistry.Default.TryAdd(CriticKey, TinyCritic.Type);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_registered_generator_trains_with_EMA_saves_loads_and_samples_the_same()
    {
        GeneratorRegistry.Default.Keys.Should().Contain(["conv", "mlp", GeneratorKey]);
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([128, 2], generator: new Generator(1)) * 0.5 + 1);
        using var generator = new TinyGenerator(2, 3, 16, new Generator(2));
        using var critic = new TinyCritic(2, 16, new Generator(3));
        var options = new GanTrainerOptions { Steps = 20, BatchSize = 64, Training = GanTrainingOptions.WganGp(), EmaDecay = 0.9 };
        var (model, summary) = GanTrainer.Train(generator, critic, data, options);
        using (model)
        {
            summary.CompletedSteps.Should().Be(20);
            model.Generator.Should().BeOfType<TinyGenerator>("the registry describes the generator, so the trainer can copy it for the EMA")
                .And.NotBeSameAs(generator);
            model.Save(_dir);
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, ModelCheckpoint.ConfigFileName)))!["options"]!;
            config["generator"]!.GetValue<string>().Should().Be(GeneratorKey);
            config["latent"]!.GetValue<int>().Should().Be(3);
            config["hidden"]!.GetValue<int>().Should().Be(16);

            using var expected = model.Sample(32, new Generator(4));
            using var loaded = GanModel.Load(_dir);
            using var byFamily = (GanModel)ModelFamilyRegistry.Default.Load(_dir);
            loaded.Generator.Should().BeOfType<TinyGenerator>();
            using var actual = loaded.Sample(32, new Generator(4));
            using var actualByFamily = byFamily.Sample(32, new Generator(4));
            actual.equal(expected).all().item<bool>().Should().BeTrue("the loaded model samples exactly as the saved one");
            actualByFamily.equal(expected).all().item<bool>().Should().BeTrue("the family registry loads the same model");
        }
    }

    [Fact]
    public void A_trainer_step_records_a_registered_generators_architecture()
    {
        using var generator = new TinyGenerator(2, 3, 8, new Generator(5));
        using var critic = new TinyCritic(2, 8, new Generator(6));
        using var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { EmaDecay = 0.99 });
        step.EmaGenerator.Should().BeOfType<TinyGenerator>();
        var configuration = step.GetCheckpointConfiguration()!.AsObject();
        JsonNode.DeepEquals(configuration, new JsonObject { ["generator"] = GeneratorKey, ["features"] = 2, ["latent"] = 3, ["hidden"] = 8 })
            .Should().BeTrue(configuration.ToJsonString());
    }

    [Fact]
    public void An_unregistered_generator_type_in_a_checkpoint_is_a_format_error_naming_it()
    {
        using var model = new GanModel(new TinyGenerator(2, 3, 8, new Generator(7)));
        model.Save(_dir);
        string config = Path.Combine(_dir, ModelCheckpoint.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace($"\"{GeneratorKey}\"", "\"not-registered\"", StringComparison.Ordinal));
        var load = () => GanModel.Load(_dir);
        load.Should().Throw<CheckpointFormatException>().WithMessage(
            "*'options.generator' must name a registered network type (\"conv\", \"mlp\", *\"tiny-test-generator\"*; a plugin registers others with GeneratorRegistry.Default.Add, a host with services.AddGenerative().AddGenerator), but is \"not-registered\"*");

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"not-registered\"", $"\"{GeneratorKey}\"", StringComparison.Ordinal).Replace("\"hidden\": 8", "\"hidden\": 100000", StringComparison.Ordinal));
        load.Should().Throw<CheckpointFormatException>().WithMessage($"*the registered network type '{GeneratorKey}' cannot build this description: hidden 100000 out of range.*");

        var unregistered = () => new GanModel(new UnregisteredGenerator()).Save(Path.Combine(_dir, "other"));
        unregistered.Should().Throw<NotSupportedException>().WithMessage(
            "A UnregisteredGenerator cannot be saved or copied: its type is not registered. No generator network type is registered under the name 'UnregisteredGenerator'; registered: conv, mlp, *GeneratorRegistry.Default.Add*");
    }

    [Fact]
    public void Critics_are_described_and_rebuilt_by_their_registered_type()
    {
        CriticRegistry.Default.Keys.Should().Contain(["conv", "mlp", CriticKey]);
        using var scope = NewDisposeScope();
        var critics = new IDiscriminator[]
        {
            new TinyCritic(3, 8, new Generator(8)),
            new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2, 2), HiddenWidth = 8, HiddenLayers = 2, ClassCount = 3, SpectralNormalization = true }, new Generator(8)),
            new ConvCritic(new ConvCriticOptions { ImageSize = 8, Channels = 2, Width = 4, LeakyReluSlope = 0.1 }, new Generator(8)),
        };
        foreach (var critic in critics)
        {
            using var module = critic.Module;
            var description = CriticRegistry.Default.Describe(critic);
            using var rebuilt = CriticRegistry.Default.Create(description, new Generator(8)).Module;
            rebuilt.GetType().Should().Be(module.GetType());
            var expected = module.state_dict();
            var actual = rebuilt.state_dict();
            actual.Keys.Should().Equal(expected.Keys, description.ToJsonString());
            expected.All(p => p.Value.equal(actual[p.Key]).all().item<bool>()).Should().BeTrue(
                $"a critic rebuilt from {description.ToJsonString()} with the same seed has the same weights");
        }

        CriticRegistry.Default.Invoking(r => r.Create(new JsonObject { ["critic"] = "transformer" }))
            .Should().Throw<CheckpointFormatException>().WithMessage("*'network.critic' must name a registered network type (\"conv\", \"mlp\", *; a plugin registers others with CriticRegistry.Default.Add, a host with services.AddGenerative().AddCritic), but is \"transformer\"*");
    }

    [Fact]
    public void Registered_and_built_in_types_keep_the_network_contract()
    {
        NetworkContract.VerifyGeneratorType(TinyGenerator.Type, new JsonObject { ["features"] = 2, ["latent"] = 3, ["hidden"] = 8 });
        NetworkContract.VerifyDiscriminatorType(TinyCritic.Type, new JsonObject { ["features"] = 2, ["hidden"] = 8 });
        using (var mlp = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(3), LatentDimension = 4, HiddenWidth = 16, ClassCount = 3 }))
        using (var conv = new ConvGenerator(new ConvGeneratorOptions { ImageSize = 8, Channels = 1, LatentDimension = 16, Width = 8 }))
        {
            NetworkContract.VerifyGeneratorType(GeneratorRegistry.Default.Get("mlp"), GeneratorRegistry.Default.Get("mlp").Describe(mlp));
            NetworkContract.VerifyGeneratorType(GeneratorRegistry.Default.Get("conv"), GeneratorRegistry.Default.Get("conv").Describe(conv));
        }

        using (var mlp = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 16, SpectralNormalization = true, ClassCount = 3 }))
        using (var conv = new ConvCritic(new ConvCriticOptions { ImageSize = 8, Channels = 1, Width = 8 }))
        {
            NetworkContract.VerifyDiscriminatorType(CriticRegistry.Default.Get("mlp"), CriticRegistry.Default.Get("mlp").Describe(mlp));
            NetworkContract.VerifyDiscriminatorType(CriticRegistry.Default.Get("conv"), CriticRegistry.Default.Get("conv").Describe(conv));
        }

        using (var mlp = new Generative.Diffusion.MlpDenoiser(2, new Generative.Diffusion.MlpDenoiserOptions { Width = 32, Depth = 2 }))
        using (var unet = new Generative.Diffusion.UNetDenoiser(1, 8, 8, new Generative.Diffusion.UNetDenoiserOptions { BaseChannels = 8, GroupCount = 4 }))
        {
            var registry = Generative.Diffusion.DenoiserRegistry.Default;
            NetworkContract.VerifyDenoiserType(registry.Get("mlp"), registry.Get("mlp").Describe(mlp));
            NetworkContract.VerifyDenoiserType(registry.Get("unet"), registry.Get("unet").Describe(unet));
        }
    }

    /// <summary>A small generator: latent → hidden → SiLU → sample.</summary>
    internal sealed class TinyGenerator : nn.Module, IGenerator
    {
        private readonly nn.Module<Tensor, Tensor> _net;

        public TinyGenerator(int features, int latent, int hidden, Generator? generator = null)
            : base(nameof(TinyGenerator))
        {
            Hidden = hidden;
            SampleShape = new TensorShape(features);
            LatentShape = new TensorShape(latent);
            _net = nn.Sequential(nn.Linear(latent, hidden), nn.SiLU(), nn.Linear(hidden, features));
            RegisterComponents();
            Initialize(_net, generator);
        }

        /// <summary>How the type is described and rebuilt (every value checked: the file may come from anywhere).</summary>
        public static ComponentType<IGenerator> Type { get; } = new(
            typeof(TinyGenerator),
            network => new JsonObject { ["features"] = (int)network.SampleShape[0], ["latent"] = (int)network.LatentShape[0], ["hidden"] = ((TinyGenerator)network).Hidden },
            (json, generator) =>
            {
                int features = (int?)json["features"] ?? throw new ArgumentException("'features' is missing.");
                int latent = (int?)json["latent"] ?? throw new ArgumentException("'latent' is missing.");
                int hidden = (int?)json["hidden"] ?? throw new ArgumentException("'hidden' is missing.");
                return hidden is < 1 or > 4096 ? throw new ArgumentException($"hidden {hidden} out of range.")
                    : features is >= 1 and <= 1024 && latent is >= 1 and <= 1024 ? new TinyGenerator(features, latent, hidden, generator)
                    : throw new ArgumentException($"features {features} or latent {latent} out of range.");
            });

        public int Hidden { get; }
        public TensorShape LatentShape { get; }
        public TensorShape SampleShape { get; }
        public int ClassCount => 0;
        public nn.Module Module => this;

        public Tensor Generate(Tensor latent, Tensor? classLabels = null)
        {
            LatentShape.EnsureBatch(latent, nameof(latent));
            return _net.call(latent);
        }
    }

    /// <summary>A small critic: sample → hidden → LeakyReLU → one score.</summary>
    internal sealed class TinyCritic : nn.Module, IDiscriminator
    {
        private readonly nn.Module<Tensor, Tensor> _net;

        public TinyCritic(int features, int hidden, Generator? generator = null)
            : base(nameof(TinyCritic))
        {
            Hidden = hidden;
            SampleShape = new TensorShape(features);
            _net = nn.Sequential(nn.Linear(features, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1));
            RegisterComponents();
            Initialize(_net, generator);
        }

        /// <summary>How the type is described and rebuilt.</summary>
        public static ComponentType<IDiscriminator> Type { get; } = new(
            typeof(TinyCritic),
            network => new JsonObject { ["features"] = (int)network.SampleShape[0], ["hidden"] = ((TinyCritic)network).Hidden },
            (json, generator) =>
            {
                int features = (int?)json["features"] ?? throw new ArgumentException("'features' is missing.");
                int hidden = (int?)json["hidden"] ?? throw new ArgumentException("'hidden' is missing.");
                return features is >= 1 and <= 1024 && hidden is >= 1 and <= 4096
                    ? new TinyCritic(features, hidden, generator)
                    : throw new ArgumentException($"features {features} or hidden {hidden} out of range.");
            });

        public int Hidden { get; }
        public TensorShape SampleShape { get; }
        public int ClassCount => 0;
        public nn.Module Module => this;

        public Tensor Score(Tensor samples, Tensor? classLabels = null)
        {
            SampleShape.EnsureBatch(samples, nameof(samples));
            using var scope = NewDisposeScope();
            return _net.call(samples).squeeze(1).MoveToOuterDisposeScope();
        }
    }

    private sealed class UnregisteredGenerator : IGenerator
    {
        private readonly nn.Module<Tensor, Tensor> _net = nn.Linear(2, 2);
        public TensorShape LatentShape => new(2);
        public TensorShape SampleShape => new(2);
        public int ClassCount => 0;
        public nn.Module Module => _net;
        public Tensor Generate(Tensor latent, Tensor? classLabels = null) => _net.call(latent);
    }

    private static void Initialize(nn.Module network, Generator? generator)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in network.named_parameters())
        {
            using var values = name.EndsWith("bias", StringComparison.Ordinal) ? zeros(p.shape) : randn(p.shape, generator: generator).div_(Math.Sqrt(p.shape[1]));
            p.copy_(values);
        }
    }
}

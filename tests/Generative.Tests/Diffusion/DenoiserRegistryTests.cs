using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>A denoiser type from another assembly (this one), registered like the built-ins: trained with an EMA copy,
/// saved, loaded and sampled.</summary>
public sealed class DenoiserRegistryTests : IDisposable
{
    private const string Key = "tiny-test";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "denoiser-registry-" + Guid.NewGuid().ToString("N"));

    static DenoiserRegistryTests() =>
        DenoiserRegistry.Default.TryAdd("tiny-test", new ComponentType<IDenoiser>(
            typeof(TinyDenoiser),
            network => new JsonObject { ["features"] = (int)network.SampleShape[0], ["hidden"] = ((TinyDenoiser)network).Hidden },
            (json, generator) =>
            {
                int features = (int?)json["features"] ?? throw new ArgumentException("'features' is missing.");
                int hidden = (int?)json["hidden"] ?? throw new ArgumentException("'hidden' is missing.");
                return features is >= 1 and <= 1024 && hidden is >= 1 and <= 4096
                    ? new TinyDenoiser(features, hidden, generator)
                    : throw new ArgumentException($"features {features} or hidden {hidden} out of range.");
            }));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_registered_denoiser_trains_with_EMA_saves_loads_and_samples_the_same()
    {
        DenoiserRegistry.Default.Keys.Should().Contain(["mlp", "unet", Key]);
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([128, 2], generator: new Generator(1)));
        var (model, summary) = DiffusionTrainer.Train(new TinyDenoiser(2, 16, new Generator(2)), data, new DiffusionTrainerOptions { Steps = 20, BatchSize = 64 });
        using (model)
        {
            summary.CompletedSteps.Should().Be(20);
            model.EmaDenoiser.Should().BeOfType<TinyDenoiser>("the registry describes the network, so the trainer can copy it");
            model.Save(_dir);
            File.ReadAllText(Path.Combine(_dir, ModelCheckpoint.ConfigFileName)).Should().Contain($"\"type\": \"{Key}\"").And.Contain("\"hidden\": 16");

            using var loaded = DiffusionModel.Load(_dir);
            loaded.Denoiser.Should().BeOfType<TinyDenoiser>();
            loaded.EmaDenoiser.Should().BeOfType<TinyDenoiser>();
            var options = new SamplingOptions { Sampler = "ddim", Steps = 10 };
            using var expected = model.Sample(32, new Generator(3), options);
            using var actual = loaded.Sample(32, new Generator(3), options);
            actual.equal(expected).all().item<bool>().Should().BeTrue("the loaded model samples exactly as the saved one");
        }
    }

    [Fact]
    public void An_unregistered_network_type_in_a_checkpoint_is_a_format_error_naming_it()
    {
        using var model = new DiffusionModel(new TinyDenoiser(2, 8, new Generator(4)), new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 20 }));
        model.Save(_dir);
        string config = Path.Combine(_dir, ModelCheckpoint.ConfigFileName);
        // Rename the type, keeping the config's own hash check out of the way: a checkpoint's config.json carries no hash of itself.
        File.WriteAllText(config, File.ReadAllText(config).Replace($"\"{Key}\"", "\"not-registered\"", StringComparison.Ordinal));
        var load = () => DiffusionModel.Load(_dir);
        load.Should().Throw<CheckpointFormatException>().WithMessage("*'options.network.type' must name a registered network type (\"mlp\", \"tabular-mlp\", \"tiny-test\", \"unet\"; a plugin registers others with DenoiserRegistry.Default.Add, a host with services.AddGenerative().AddDenoiser), but is \"not-registered\"*");

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"not-registered\"", $"\"{Key}\"", StringComparison.Ordinal).Replace("\"hidden\": 8", "\"hidden\": 100000", StringComparison.Ordinal));
        load.Should().Throw<CheckpointFormatException>().WithMessage($"*the registered network type '{Key}' cannot build this description: features 2 or hidden 100000 out of range.*");
    }

    /// <summary>A small denoiser: an MLP over the sample and the scaled timestep.</summary>
    private sealed class TinyDenoiser : IDenoiser
    {
        private readonly nn.Module<Tensor, Tensor> _net;

        public TinyDenoiser(int features, int hidden, Generator? generator = null)
        {
            Hidden = hidden;
            SampleShape = new TensorShape(features);
            _net = nn.Sequential(nn.Linear(features + 1, hidden), nn.SiLU(), nn.Linear(hidden, features));
            using var noGrad = no_grad();
            foreach (var p in _net.parameters())
            {
                p.copy_(randn(p.shape, generator: generator) * 0.1);
            }
        }

        public int Hidden { get; }
        public TensorShape SampleShape { get; }
        public TensorShape OutputShape => SampleShape;
        public int ClassCount => 0;
        public nn.Module Module => _net;

        public Tensor Predict(Tensor noisySamples, Tensor timesteps, Tensor? classLabels = null)
        {
            SampleShape.EnsureBatch(noisySamples, nameof(noisySamples));
            using var scope = NewDisposeScope();
            var t = timesteps.to_type(noisySamples.dtype).div(1000).unsqueeze(1);
            return _net.call(cat([noisySamples, t], 1)).MoveToOuterDisposeScope();
        }
    }
}

using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Gan;
using Generative.Hosting;
using Generative.Models;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>A network type added to a container is how that container's checkpoint loader rebuilds models saved with it;
/// a container (or the process-wide registry) that did not add it refuses them, saying how to register one.</summary>
public sealed class NetworkTypeTests : IDisposable
{
    // Registered in containers only, never in GeneratorRegistry.Default: no test of this assembly may register it there.
    private const string Key = "di-only-generator";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "di-network-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void A_generator_added_to_the_container_loads_there_and_only_there()
    {
        GeneratorRegistry.Default.Contains(Key).Should().BeFalse();
        using var generator = new LinearGenerator(2, new torch.Generator(1));
        // Saved as GanModel.Save would with the type registered: its description (with the key) is the GAN's options.
        var local = new GeneratorRegistry(GeneratorRegistry.Default);
        local.Add(Key, new ComponentType<IGenerator>(typeof(LinearGenerator), n => Describe((LinearGenerator)n), (json, g) => Create(json, g)));
        ModelCheckpoint.Save(_directory, new Dictionary<string, nn.Module> { ["generator"] = generator.Module }, ModelFamilyRegistry.Gan, local.Describe(generator));

        var services = new ServiceCollection();
        services.AddGenerative().AddGenerator<LinearGenerator>(Key, Describe, Create);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<NetworkTypes>().Generators.Contains(Key).Should().BeTrue();
        using var loaded = provider.GetRequiredService<IGenerativeModelLoader>().Load(_directory);
        ((GanModel)loaded).Generator.Should().BeOfType<LinearGenerator>();
        using var expected = new GanModel(generator, ownsGenerator: false);
        using var a = loaded.Sample(8, new torch.Generator(3));
        using var b = expected.Sample(8, new torch.Generator(3));
        a.equal(b).all().item<bool>().Should().BeTrue("the container's loader rebuilt the network and its saved weights");

        string message = $"*'options.generator' must name a registered network type (\"conv\", \"mlp\"*; a plugin registers others with GeneratorRegistry.Default.Add, a host with services.AddGenerative().AddGenerator), but is \"{Key}\"*";
        var otherServices = new ServiceCollection();
        otherServices.AddGenerative();
        using var other = otherServices.BuildServiceProvider();
        var inOther = () => other.GetRequiredService<IGenerativeModelLoader>().Load(_directory);
        inOther.Should().Throw<CheckpointFormatException>().WithMessage(message);
        var direct = () => GanModel.Load(_directory);
        direct.Should().Throw<CheckpointFormatException>().WithMessage(message);
    }

    [Fact]
    public void Denoisers_and_critics_added_to_the_container_stay_in_it()
    {
        var services = new ServiceCollection();
        services.AddGenerative()
            .AddDenoiser<Generative.Diffusion.MlpDenoiser>("di-only-denoiser", n => new JsonObject { ["features"] = (int)n.SampleShape[0] }, (json, g) => new Generative.Diffusion.MlpDenoiser((int)json["features"]!, generator: g))
            .AddCritic<MlpCritic>("di-only-critic", c => new JsonObject { ["features"] = (int)c.SampleShape[0] }, (json, g) => new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape((int)json["features"]!) }, g));
        using var provider = services.BuildServiceProvider();
        var networks = provider.GetRequiredService<NetworkTypes>();
        networks.Denoisers.Contains("di-only-denoiser").Should().BeTrue();
        networks.Denoisers.Contains("unet").Should().BeTrue("the container's registry sits over the default one");
        networks.Critics.Contains("di-only-critic").Should().BeTrue();
        provider.GetRequiredService<ModelFamilyRegistry>().Networks.Should().BeSameAs(networks);
        Generative.Diffusion.DenoiserRegistry.Default.Contains("di-only-denoiser").Should().BeFalse();
        CriticRegistry.Default.Contains("di-only-critic").Should().BeFalse();
        var again = () => services.AddGenerative().AddCritic<MlpCritic>("mlp", c => [], (json, g) => null!);
        again.Should().Throw<ArgumentException>().WithMessage("A critic network type named 'mlp' is already registered*");
    }

    private static JsonObject Describe(LinearGenerator generator) => new() { ["features"] = (int)generator.SampleShape[0] };

    private static LinearGenerator Create(JsonObject json, torch.Generator? generator)
    {
        int features = (int?)json["features"] ?? throw new ArgumentException("'features' is missing.");
        return features is >= 1 and <= 64 ? new LinearGenerator(features, generator) : throw new ArgumentException($"features {features} out of range.");
    }

    /// <summary>A generator from outside the library: one linear layer from a latent of the sample's size.</summary>
    public sealed class LinearGenerator : IGenerator, IDisposable
    {
        private readonly nn.Module<Tensor, Tensor> _net;

        public LinearGenerator(int features, torch.Generator? generator)
        {
            SampleShape = new TensorShape(features);
            _net = nn.Linear(features, features);
            using var noGrad = no_grad();
            foreach (var p in _net.parameters())
            {
                p.copy_(randn(p.shape, generator: generator));
            }
        }

        public TensorShape LatentShape => SampleShape;
        public TensorShape SampleShape { get; }
        public int ClassCount => 0;
        public nn.Module Module => _net;
        public Tensor Generate(Tensor latent, Tensor? classLabels = null) => _net.call(latent);
        public void Dispose() => _net.Dispose();
    }
}

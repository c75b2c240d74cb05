using Generative.Checkpoints;
using Generative.Gan;
using Generative.Hosting;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>A family added to the container is how the checkpoint loader rebuilds models whose config.json names it.</summary>
public sealed class ModelFamilyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "di-family-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void AddModelFamily_teaches_the_loader_a_family_without_changing_the_default()
    {
        // A checkpoint of a family the library does not know: a generator saved under the family name "toy".
        using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 8 }, new torch.Generator(1));
        ModelCheckpoint.Save(_directory, new Dictionary<string, torch.nn.Module> { ["generator"] = generator.Module }, "toy");

        var services = new ServiceCollection();
        var loads = new List<string>();
        services.AddGenerative().AddModelFamily("toy", (directory, _) =>
        {
            loads.Add(directory);
            var model = new GanModel(new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 8 }));
            ModelCheckpoint.LoadModules(directory, new Dictionary<string, torch.nn.Module> { ["generator"] = model.Generator.Module });
            return model;
        });
        using var provider = services.BuildServiceProvider();

        using var loaded = provider.GetRequiredService<IGenerativeModelLoader>().Load(_directory);
        loads.Should().Equal(_directory);
        using var expected = new GanModel(generator);
        using var a = loaded.Sample(4, new torch.Generator(3));
        using var b = expected.Sample(4, new torch.Generator(3));
        a.equal(b).all().item<bool>().Should().BeTrue("the container's loader rebuilt the saved weights");

        var plain = () => new CheckpointModelLoader().Load(_directory);
        plain.Should().Throw<CheckpointFormatException>().WithMessage("*holds a 'toy' model. No model family is registered under the name 'toy'*AddModelFamily*");
    }
}

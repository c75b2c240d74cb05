using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Models;
using TorchSharp;

namespace Generative.Tests.Models;

/// <summary>Any saved model by the family name in its config.json, through a registry the built-ins use like anyone's.</summary>
public sealed class ModelFamilyRegistryTests : IDisposable
{
    private readonly string _gan = Path.Combine(Path.GetTempPath(), "family-gan-" + Guid.NewGuid().ToString("N"));
    private readonly string _diffusion = Path.Combine(Path.GetTempPath(), "family-diffusion-" + Guid.NewGuid().ToString("N"));

    public ModelFamilyRegistryTests()
    {
        using (var gan = new GanModel(new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 8 }, new torch.Generator(1))))
        {
            gan.Save(_gan);
        }

        using var diffusion = new DiffusionModel(new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1 }, new torch.Generator(2)), new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50 }));
        diffusion.Save(_diffusion);
    }

    public void Dispose()
    {
        foreach (string dir in new[] { _gan, _diffusion })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void The_default_registry_loads_both_built_in_families()
    {
        ModelFamilyRegistry.Default.Keys.Should().Contain([ModelFamilyRegistry.Diffusion, ModelFamilyRegistry.Gan]);
        using var gan = ModelFamilyRegistry.Default.Load(_gan);
        using var diffusion = ModelFamilyRegistry.Default.Load(_diffusion);
        gan.Should().BeOfType<GanModel>();
        diffusion.Should().BeOfType<DiffusionModel>();

        // A model's family is the key its loader is registered under and its config.json records, not a closed enum.
        gan.Family.Key.Should().Be(ModelFamilyRegistry.Gan).And.Be(ModelCheckpoint.ReadConfig(_gan).Family);
        diffusion.Family.Key.Should().Be(ModelFamilyRegistry.Diffusion).And.Be(ModelCheckpoint.ReadConfig(_diffusion).Family);
        ModelFamilyRegistry.Default.Keys.Should().Contain([gan.Family.Key, diffusion.Family.Key]);
        using var expected = GanModel.Load(_gan);
        using var a = gan.Sample(8, new torch.Generator(5));
        using var b = expected.Sample(8, new torch.Generator(5));
        a.equal(b).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void A_family_is_loaded_by_whatever_is_registered_under_its_name()
    {
        var empty = new ModelFamilyRegistry();
        var act = () => empty.Load(_gan);
        act.Should().Throw<CheckpointFormatException>().WithMessage($"The checkpoint in '{_gan}' holds a 'gan' model. No model family is registered under the name 'gan'; registered: . Register one with*");

        int calls = 0;
        var own = new ModelFamilyRegistry();
        own.Add("GAN", (directory, _) =>
        {
            calls++;
            return GanModel.Load(directory);
        });
        using var model = own.Load(_gan);
        calls.Should().Be(1);
        model.Family.Should().Be(ModelFamily.Gan);
    }
}

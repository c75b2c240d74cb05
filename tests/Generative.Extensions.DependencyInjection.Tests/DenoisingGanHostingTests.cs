using Generative.Data;
using Generative.DenoisingGan;
using Generative.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TorchSharp;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>A denoising diffusion GAN, the fourth family, is hosted by the unchanged checkpoint loader through its family key.</summary>
public sealed class DenoisingGanHostingTests : IDisposable
{
    private static readonly string[] Columns = ["alcohol", "malic_acid", "ash"];
    private readonly TempCheckpoint _directory = new(withConfig: false);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_saved_ddgan_model_is_loaded_by_its_family_and_serves_the_in_process_samples()
    {
        using var init = new torch.Generator(3);
        var generator = new MlpDenoisingGenerator(
            new MlpDenoisingGeneratorOptions { SampleShape = new TensorShape(3), LatentDimension = 4, HiddenWidth = 16, HiddenLayers = 2, Steps = 2 }, init);
        using var model = new DenoisingGanModel(generator, new DenoisingGanProcessOptions { Steps = 2 }, standardization: new DataStandardization([10, 2, 2], [1, 0.5, 0.25], Columns));
        model.Save(_directory.Path);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGenerative().AddModel("wine-ddgan", _directory.Path);
        using var host = builder.Build();
        await host.StartAsync();

        var descriptor = host.Services.GetRequiredService<IGenerativeModelRegistry>().Describe("wine-ddgan");
        descriptor.Family.Should().Be(new ModelFamily("ddgan"));
        descriptor.FeatureNames.Should().Equal(Columns);
        var service = host.Services.GetRequiredService<ISyntheticDataGenerator>();
        using var served = service.Generate("wine-ddgan", new GenerationRequest(6) { Seed = 11 });
        using var expected = model.Sample(6, new torch.Generator(11));
        served.Samples.data<float>().ToArray().Should().Equal(expected.data<float>().ToArray());

        // The family's one sampler may be named; another is refused, naming it.
        using var named = service.Generate("wine-ddgan", new GenerationRequest(6) { Seed = 11, Sampler = "ddgan", Steps = 2 });
        named.Samples.data<float>().ToArray().Should().Equal(expected.data<float>().ToArray());
        service.Invoking(g => g.Generate("wine-ddgan", new GenerationRequest(6) { Seed = 11, Sampler = "ddim" }))
            .Should().Throw<ArgumentException>().WithMessage("*ddim*").And.Message.Should().Contain("ddgan");
        await host.StopAsync();
    }
}

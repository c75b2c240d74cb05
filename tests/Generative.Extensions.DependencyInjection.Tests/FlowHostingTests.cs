using Generative.Data;
using Generative.Diffusion;
using Generative.Flow;
using Generative.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TorchSharp;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>A flow-matching model, the third family, is hosted by the unchanged checkpoint loader through its family key.</summary>
public sealed class FlowHostingTests : IDisposable
{
    private static readonly string[] Columns = ["alcohol", "malic_acid", "ash"];
    private readonly TempCheckpoint _directory = new(withConfig: false);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_saved_flow_model_is_loaded_by_its_family_and_serves_the_in_process_samples()
    {
        using var init = new torch.Generator(3);
        var network = new MlpDenoiser(3, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16 }, init);
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            foreach (var p in network.parameters())
            {
                p.add_(torch.randn(p.shape, generator: init) * 0.1f); // off the zero-initialised output layer, so the field is not 0
            }
        }

        using var model = new FlowModel(network, new FlowModelOptions { Steps = 4 }, new DataStandardization([10, 2, 2], [1, 0.5, 0.25], Columns));
        model.Save(_directory.Path, DenoiserRegistry.Default);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGenerative().AddModel("wine-flow", _directory.Path, o => o.Steps = 3);
        using var host = builder.Build();
        await host.StartAsync();

        var descriptor = host.Services.GetRequiredService<IGenerativeModelRegistry>().Describe("wine-flow");
        descriptor.Family.Should().Be(new ModelFamily("flow"));
        descriptor.FeatureNames.Should().Equal(Columns);
        var generator = host.Services.GetRequiredService<ISyntheticDataGenerator>();
        using var served = generator.Generate("wine-flow", new GenerationRequest(6) { Seed = 11 });
        using var expected = model.Sample(6, new torch.Generator(11), new SamplingOptions { Steps = 3 });
        served.Samples.data<float>().ToArray().Should().Equal(expected.data<float>().ToArray());

        // A request names one of the flow family's solvers, as a diffusion request names a sampler.
        using var heun = generator.Generate("wine-flow", new GenerationRequest(6) { Seed = 11, Sampler = "heun", Steps = 2 });
        using var heunExpected = model.Sample(6, new torch.Generator(11), new SamplingOptions { Sampler = "heun", Steps = 2 });
        heun.Samples.data<float>().ToArray().Should().Equal(heunExpected.data<float>().ToArray());
        heun.Samples.data<float>().ToArray().Should().NotEqual(served.Samples.data<float>().ToArray());
        generator.Invoking(g => g.Generate("wine-flow", new GenerationRequest(6) { Seed = 11, Sampler = "plms" }))
            .Should().Throw<ArgumentException>().WithMessage("*plms*").And.Message.Should().Contain("heun");
        await host.StopAsync();
    }
}

using Generative.Checkpoints;
using Generative.Data;
using Generative.Diffusion;
using Generative.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TorchSharp;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>
/// The default loader with real checkpoints: a small (untrained) diffusion model saved by the library, loaded by
/// <see cref="CheckpointModelLoader"/> through the container, sampled concurrently.
/// </summary>
public sealed class RealModelTests : IDisposable
{
    private static readonly string[] Columns = ["alcohol", "malic_acid", "ash"];
    private readonly TempCheckpoint _directory = new(withConfig: false);

    public RealModelTests()
    {
        torch.manual_seed(0);
        var denoiser = new MlpDenoiser(3, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16 });
        using var model = new DiffusionModel(
            denoiser,
            new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 100 }),
            new DiffusionModelOptions { Steps = 4, BatchSize = 16 },
            // Feature names reach the checkpoint through the standardisation (DiffusionModel.Save drops names given alone).
            standardization: new DataStandardization([10, 2, 2], [1, 0.5, 0.25], Columns));
        model.Save(_directory.Path);
    }

    public void Dispose() => _directory.Dispose();

    private static float[] Values(GeneratedSamples samples) => samples.Samples.data<float>().ToArray();

    [Fact]
    public async Task A_saved_diffusion_model_is_loaded_at_start_described_and_sampled_with_seeds()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGenerative().AddModel("wine", _directory.Path, o => { o.Sampler = "ddim"; o.Steps = 3; });
        using var host = builder.Build();
        await host.StartAsync();

        var descriptor = host.Services.GetRequiredService<IGenerativeModelRegistry>().Describe("wine");
        descriptor.Family.Should().Be(ModelFamily.Diffusion);
        descriptor.SampleShape.Should().Be(new TensorShape(3));
        descriptor.Kind.Should().Be(SampleKind.Table);
        descriptor.FeatureNames.Should().Equal(Columns);

        var generator = host.Services.GetRequiredService<ISyntheticDataGenerator>();
        using var a = generator.Generate("wine", new GenerationRequest(5) { Seed = 11 });
        using var b = generator.Generate("wine", new GenerationRequest(5) { Seed = 11 });
        using var c = generator.Generate("wine", new GenerationRequest(5) { Seed = 12 });
        Values(a).Should().Equal(Values(b));
        Values(a).Should().NotEqual(Values(c));
        Values(a).Should().OnlyContain(v => float.IsFinite(v));
        a.ToTable().Columns.Should().Equal(Columns);
        await host.StopAsync();
    }

    [Fact]
    public async Task Samplers_added_to_the_container_sample_the_hosted_model_by_name_from_options_and_requests()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new SamplerOffset(1.0));
        builder.Services.AddGenerative()
            .AddModel("wine", _directory.Path, o => { o.Sampler = "zero"; o.Steps = 3; })
            .AddSampler("zero", context => new ConstantSampler(context.Schedule, 0))
            .AddSampler<OffsetSampler>("offset");
        using var host = builder.Build();
        await host.StartAsync();
        var generator = host.Services.GetRequiredService<ISyntheticDataGenerator>();

        // The model's loop ends on the sampler's value in standardised units, then undoes the standardisation
        // (mean [10, 2, 2], standard deviation [1, 0.5, 0.25]): 0 gives the means, 1 gives mean + std.
        using (var zero = generator.Generate("wine", new GenerationRequest(4) { Seed = 1 }))
        {
            zero.Options.Sampler.Should().Be("zero");
            Values(zero).Should().Equal(10, 2, 2, 10, 2, 2, 10, 2, 2, 10, 2, 2);
        }

        using (var offset = generator.Generate("wine", new GenerationRequest(2) { Seed = 1, Sampler = "Offset" }))
        {
            Values(offset).Should().Equal(11, 2.5f, 2.25f, 11, 2.5f, 2.25f);
        }

        // The built-ins still sample as before: the same numbers as the model sampled directly.
        using (var ddim = generator.Generate("wine", new GenerationRequest(5) { Seed = 3, Sampler = "ddim" }))
        using (var model = DiffusionModel.Load(_directory.Path))
        using (var direct = model.Sample(5, new torch.Generator(3), new SamplingOptions { Sampler = "ddim", Steps = 3 }))
        {
            Values(ddim).Should().Equal(direct.data<float>().ToArray());
        }

        // The container's registry sees the process-wide default's samplers and its own.
        host.Services.GetRequiredService<SamplerRegistry>().Keys.Should().Contain(["ddim", "ddpm", "offset", "zero"]);
        generator.Invoking(g => g.Generate("wine", new GenerationRequest(1) { Sampler = "euler" })).Should().Throw<ArgumentException>()
            .WithMessage("Sampler 'euler' is unknown; known samplers: ddim, ddpm, offset, zero. Register a sampler with GenerativeBuilder.AddSampler*");
        await host.StopAsync();
    }

    [Fact]
    public void A_sampler_type_whose_constructor_needs_an_unregistered_service_fails_naming_it()
    {
        var services = new ServiceCollection();
        services.AddGenerative().AddModel("wine", _directory.Path).AddSampler<OffsetSampler>("offset");
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<ISyntheticDataGenerator>()
            .Invoking(g => g.Generate("wine", new GenerationRequest(2) { Sampler = "offset" }))
            .Should().Throw<InvalidOperationException>()
            .WithMessage("No public constructor of the sampler type OffsetSampler can be called: nothing provides SamplerOffset offset.*");
    }

    [Fact]
    public void Thirty_two_parallel_seeded_calls_on_a_real_model_equal_the_same_calls_made_sequentially()
    {
        var services = new ServiceCollection();
        services.AddGenerative().AddModel("wine", _directory.Path);
        using var provider = services.BuildServiceProvider();
        var generator = provider.GetRequiredService<ISyntheticDataGenerator>();
        var requests = Enumerable.Range(0, 32)
            .Select(i => new GenerationRequest(1 + (i % 4) * 5) { Seed = 500 + i, Steps = 2 + (i % 3), Sampler = i % 2 == 0 ? "ddim" : "ddpm" })
            .ToArray();

        var sequential = requests.Select(r => { using var s = generator.Generate("wine", r); return Values(s); }).ToArray();

        var parallel = new float[requests.Length][];
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var gate = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, requests.Length).Select(i => new Thread(() =>
        {
            try
            {
                gate.Wait();
                using var s = generator.Generate("wine", requests[i]);
                parallel[i] = Values(s);
            }
            catch (Exception ex)
            {
                errors.Enqueue(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        gate.Set();
        threads.ForEach(t => t.Join());

        errors.Should().BeEmpty();
        for (int i = 0; i < requests.Length; i++)
        {
            parallel[i].Should().Equal(sequential[i], $"call {i} ({requests[i]})");
        }
    }

    [Fact]
    public void A_checkpoint_of_an_unknown_family_is_refused_naming_the_family()
    {
        using var other = new TempCheckpoint(withConfig: false);
        using (var module = torch.nn.Linear(2, 2))
        {
            ModelCheckpoint.Save(other.Path, new Dictionary<string, torch.nn.Module> { ["net"] = module }, "vae"); // a family nobody registers ("flow" is built in)
        }

        var services = new ServiceCollection();
        services.AddGenerative().AddModel("vae", other.Path);
        using var provider = services.BuildServiceProvider();

        var error = provider.Invoking(p => p.GetRequiredKeyedService<IGenerativeModel>("vae"))
            .Should().Throw<InvalidOperationException>().WithMessage("Generative model 'vae' could not be loaded from*").Which;
        error.InnerException.Should().BeOfType<CheckpointFormatException>().Which.Message.Should().Contain("'vae' model");
    }
}

using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusionTrainingTests;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>
/// A sampler written in this (another) assembly: one step at timestep <see cref="Timestep"/>, whose result is the network's
/// output itself. Sampling with it therefore returns exactly <c>network.Predict(noise, Timestep)</c>, a number anyone can
/// check, and shows which network the model's loop used.
/// </summary>
internal sealed class EchoSampler(INoiseSchedule schedule) : ISampler
{
    public const long Timestep = 7;
    private long[] _timesteps = [];

    public INoiseSchedule Schedule { get; } = schedule;

    public IReadOnlyList<long> Timesteps => _timesteps;

    public double InitNoiseSigma => 1.0;

    public int SetTimestepsCalls { get; private set; }

    public void SetTimesteps(int inferenceSteps)
    {
        SetTimestepsCalls++;
        _timesteps = [Timestep];
    }

    public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

    public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null) =>
        new(modelOutput.clone(), null);
}

/// <summary>The sampler registry: built-ins registered like anyone else's, custom samplers by name and by factory through the
/// model's one sampling loop, clear errors, thread safety.</summary>
[Collection("Sequential")]
public sealed class SamplerRegistryTests
{
    private const string EchoName = "tests-echo";
    private static readonly NoiseSchedule Schedule = new(new NoiseScheduleOptions { TrainTimesteps = 100, BetaEnd = 0.1 });

    static SamplerRegistryTests()
    {
        // Registered once per process from this test assembly, exactly as a plugin would at start-up.
        SamplerRegistry.Default.Add(EchoName, context => new EchoSampler(context.Schedule));
    }

    /// <summary>A small network with every weight perturbed (the output layer starts at zero), so that outputs differ per seed.</summary>
    private static MlpDenoiser Net(int seed)
    {
        var net = SmallMlp(seed);
        using (no_grad())
        {
            using var g = new Generator((ulong)seed);
            foreach (var p in net.parameters())
            {
                using var noise = randn(p.shape, generator: g) * 0.1f;
                p.add_(noise);
            }
        }

        return net;
    }

    private static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void The_default_registry_holds_the_built_ins()
    {
        SamplerRegistry.Default.Keys.Should().Contain(["ddim", "ddpm", EchoName]);
        SamplerRegistry.Default.Contains("DDIM").Should().BeTrue("keys are case-insensitive");
        using var model = new DiffusionModel(Net(1), Schedule);
        model.CreateSampler(new SamplingOptions { Sampler = "ddpm" }).Should().BeOfType<DdpmSampler>().Which.Timesteps.Should().HaveCount(100);
        model.CreateSampler().Should().BeOfType<DdimSampler>().Which.Timesteps.Should().HaveCount(50);
        model.CreateSampler(new SamplingOptions { Sampler = "ddim", Steps = 4, Eta = 0.5 }).Should().BeOfType<DdimSampler>()
            .Which.Options.Eta.Should().Be(0.5);
    }

    [Fact]
    public void A_sampler_registered_in_another_assembly_samples_by_name_through_the_models_loop()
    {
        using var scope = NewDisposeScope();
        using var model = new DiffusionModel(Net(2), Schedule, emaDenoiser: Net(3), standardization: null);

        // Expected: the network's output at timestep 7 for the model's first draw, N(0, 1) from the seed.
        using var g = new Generator(42);
        var noise = randn([6, 2], generator: g);
        var t = full([6], EchoSampler.Timestep, ScalarType.Int64);
        Tensor expectedEma, expectedRaw;
        using (inference_mode())
        {
            expectedEma = model.EmaDenoiser!.Predict(noise, t).clone();
            expectedRaw = model.Denoiser.Predict(noise, t).clone();
        }

        var byName = model.Sample(6, new Generator(42), new SamplingOptions { Sampler = EchoName });
        Values(byName).Should().Equal(Values(expectedEma), "the model samples with its EMA network by default");
        Values(byName).Should().OnlyContain(v => v != 0f);
        var raw = model.Sample(6, new Generator(42), new SamplingOptions { Sampler = "TESTS-ECHO", UseEma = false });
        Values(raw).Should().Equal(Values(expectedRaw), "UseEma = false samples with the trained network");
        Values(raw).Should().NotEqual(Values(expectedEma));
    }

    [Fact]
    public void A_factory_or_an_instance_samples_without_registration_and_equals_sampling_by_name()
    {
        using var scope = NewDisposeScope();
        using var model = new DiffusionModel(Net(4), Schedule);
        var options = new SamplingOptions { Steps = 5, Eta = 1, BatchSize = 3 };
        var byName = model.Sample(7, new Generator(8), options with { Sampler = "ddim" });
        var byFactory = model.SampleWith(
            context => new DdimSampler(context.Schedule, new DdimSamplerOptions { ClipSample = false, Eta = context.Options.Eta!.Value }),
            7, new Generator(8), options);
        Values(byFactory).Should().Equal(Values(byName), "one sampling loop, the same numbers to the last digit");

        var echo = new EchoSampler(model.Schedule);
        var byInstance = model.SampleWith(_ => echo, 7, new Generator(8), options);
        Values(byInstance).Should().Equal(Values(model.Sample(7, new Generator(8), options with { Sampler = EchoName })));
        echo.SetTimestepsCalls.Should().BeGreaterThan(1, "the steps are set for every batch");
    }

    [Fact]
    public void Cancellation_and_progress_reach_a_custom_sampler_run()
    {
        using var model = new DiffusionModel(Net(5), Schedule);
        var reports = new List<SamplingProgress>();
        using var x = model.SampleWith(c => new EchoSampler(c.Schedule), 5, new Generator(1), new SamplingOptions { BatchSize = 2, Progress = new SynchronousProgress(reports.Add) });
        reports.Select(r => r.SamplesDone).Should().Equal(2, 4, 5);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        model.Invoking(m => m.SampleWith(c => new EchoSampler(c.Schedule), 5, new Generator(1), null, cts.Token)).Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void The_context_fills_the_calls_settings_from_the_models_defaults()
    {
        var model = new DiffusionModelOptions { Sampler = "ddpm", Steps = 12, Eta = 0.3, PredictionType = PredictionType.VPrediction };
        var context = new SamplerContext(Schedule, model, new SamplingOptions { Eta = 0.7, BatchSize = 5 });
        context.Schedule.Should().BeSameAs(Schedule);
        context.PredictionType.Should().Be(PredictionType.VPrediction);
        context.Options.Should().BeEquivalentTo(new SamplingOptions { Sampler = "ddpm", Steps = 12, Eta = 0.7, GuidanceScale = 1, BatchSize = 5, UseEma = true });
    }

    [Fact]
    public void Unknown_duplicate_and_invalid_names_are_clear_errors()
    {
        var registry = new SamplerRegistry(SamplerRegistry.Default);
        registry.Invoking(r => r.Get("euler")).Should().Throw<KeyNotFoundException>()
            .WithMessage("No sampler is registered under the name 'euler'; registered: ddim, ddpm*. Register a sampler with SamplerRegistry.Default.Add(name, factory)*AddSampler*");
        registry.Invoking(r => r.Add("DDIM", c => new EchoSampler(c.Schedule))).Should().Throw<ArgumentException>()
            .WithMessage("A sampler named 'DDIM' is already registered*").WithParameterName("key");
        registry.Invoking(r => r.Add("bad name", c => new EchoSampler(c.Schedule))).Should().Throw<ArgumentException>().WithMessage("*'bad name' is invalid*");
        registry.Invoking(r => r.Add("", c => new EchoSampler(c.Schedule))).Should().Throw<ArgumentException>();

        registry.Add("local", c => new EchoSampler(c.Schedule));
        registry.Contains("LOCAL").Should().BeTrue();
        SamplerRegistry.Default.Contains("local").Should().BeFalse("an explicit registry keeps its registrations");
        new SamplerRegistry().Keys.Should().BeEmpty();
    }

    [Fact]
    public void Registration_and_lookup_are_thread_safe()
    {
        var registry = new SamplerRegistry(SamplerRegistry.Default);
        SamplerFactory factory = c => new EchoSampler(c.Schedule);
        int duplicates = 0;
        Parallel.For(0, 400, i =>
        {
            try
            {
                registry.Add($"s{i % 200}", factory);      // every name is added twice, concurrently
            }
            catch (ArgumentException)
            {
                Interlocked.Increment(ref duplicates);
            }

            registry.TryGet("ddim", out _).Should().BeTrue();
        });
        duplicates.Should().Be(200);
        registry.Keys.Count(k => k.StartsWith('s')).Should().Be(200);
    }

    private sealed class SynchronousProgress(Action<SamplingProgress> report) : IProgress<SamplingProgress>
    {
        public void Report(SamplingProgress value) => report(value);
    }
}

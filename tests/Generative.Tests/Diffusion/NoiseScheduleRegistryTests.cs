using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Diffusion;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusionTrainingTests;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>A schedule written in this (another) assembly, not a <see cref="NoiseSchedule"/>: β_t = <see cref="Beta"/> for every t.</summary>
internal sealed class ConstantBetaSchedule : INoiseSchedule, IDisposable
{
    private readonly NoiseSchedule _inner;

    public ConstantBetaSchedule(int trainTimesteps, double beta)
    {
        Beta = beta;
        _inner = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = trainTimesteps, TrainedBetas = Enumerable.Repeat(beta, trainTimesteps).ToArray() });
    }

    public double Beta { get; }

    public int TrainTimesteps => _inner.TrainTimesteps;

    public Tensor Betas => _inner.Betas;

    public Tensor Alphas => _inner.Alphas;

    public Tensor AlphasCumprod => _inner.AlphasCumprod;

    public double AlphaCumprodAt(long timestep) => _inner.AlphaCumprodAt(timestep);

    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) => _inner.AddNoise(originalSamples, noise, timesteps);

    public Tensor GetVelocity(Tensor samples, Tensor noise, Tensor timesteps) => _inner.GetVelocity(samples, noise, timesteps);

    public Tensor SignalToNoiseRatio(Tensor timesteps) => _inner.SignalToNoiseRatio(timesteps);

    public void Dispose() => _inner.Dispose();
}

/// <summary>Noise schedules by type key in config.json: the built-in written as before, a custom one saved and loaded once registered.</summary>
[Collection("Sequential")]
public sealed class NoiseScheduleRegistryTests : IDisposable
{
    private const string ConstantKey = "constant-beta";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "generative-schedules-" + Guid.NewGuid().ToString("N"));

    static NoiseScheduleRegistryTests()
    {
        NoiseScheduleRegistry.Default.Add("constant-beta", new ComponentType<INoiseSchedule>(
            typeof(ConstantBetaSchedule),
            schedule => new JsonObject { ["train_timesteps"] = schedule.TrainTimesteps, ["beta"] = ((ConstantBetaSchedule)schedule).Beta },
            (json, _) => new ConstantBetaSchedule(json["train_timesteps"]!.GetValue<int>(), json["beta"]!.GetValue<double>())));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string OptionsJson(string dir) => ModelCheckpoint.ReadConfig(dir).Options!.ToJsonString();

    [Fact]
    public void The_built_in_schedule_is_written_without_a_type_key_as_before()
    {
        NoiseScheduleRegistry.Default.Keys.Should().Contain([NoiseScheduleRegistry.Betas, ConstantKey]);
        using var model = new DiffusionModel(SmallMlp(1), new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 20 }));
        string dir = Path.Combine(_root, "betas");
        model.Save(dir);
        string json = OptionsJson(dir);
        json.Should().StartWith("{\"network\":").And.Contain("\"schedule\":{\"train_timesteps\":20,").And.NotContain("schedule_type");
        using var loaded = DiffusionModel.Load(dir);
        loaded.Schedule.Should().BeOfType<NoiseSchedule>();
    }

    [Fact]
    public void A_registered_custom_schedule_is_saved_and_loaded_and_samples_the_same()
    {
        using var scope = NewDisposeScope();
        var schedule = new ConstantBetaSchedule(30, 0.05);
        using var model = new DiffusionModel(SmallMlp(2), schedule, new DiffusionModelOptions { Steps = 6 });
        string dir = Path.Combine(_root, "constant");
        model.Save(dir);
        OptionsJson(dir).Should().Contain("\"schedule\":{\"train_timesteps\":30,\"beta\":0.05}").And.Contain("\"schedule_type\":\"constant-beta\"");

        using var loaded = DiffusionModel.Load(dir);
        loaded.Schedule.Should().BeOfType<ConstantBetaSchedule>().Which.Beta.Should().Be(0.05);
        loaded.Sample(5, new Generator(3)).data<float>().ToArray().Should().Equal(model.Sample(5, new Generator(3)).data<float>().ToArray());
        schedule.Dispose();
    }

    [Fact]
    public void An_unknown_schedule_key_is_a_clear_error()
    {
        using var model = new DiffusionModel(SmallMlp(3), new ConstantBetaSchedule(10, 0.1));
        string dir = Path.Combine(_root, "unknown");
        model.Save(dir);
        string config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("constant-beta", "cosine-plus"));
        // config.json carries a hash of its options in some versions; either way the key must never be loaded as a type.
        FluentActions.Invoking(() => DiffusionModel.Load(dir)).Should().Throw<CheckpointFormatException>();

        NoiseScheduleRegistry.Default.Invoking(r => r.Read(new JsonObject { ["schedule_type"] = "cosine-plus", ["schedule"] = new JsonObject() }))
            .Should().Throw<CheckpointFormatException>()
            .WithMessage("The checkpoint's noise schedule: No noise schedule is registered under the name 'cosine-plus'; registered: betas, *Register a noise schedule*");

        var registry = new NoiseScheduleRegistry(NoiseScheduleRegistry.Default);
        registry.Invoking(r => r.Get("cosine-plus")).Should().Throw<KeyNotFoundException>()
            .WithMessage("No noise schedule is registered under the name 'cosine-plus'; registered: betas, *NoiseScheduleRegistry.Default.Add*");
        FluentActions.Invoking(() => new ComponentType<INoiseSchedule>(typeof(string), s => new JsonObject(), (j, _) => null!)).Should().Throw<ArgumentException>();
    }
}

using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusersTestFixtures;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>Reading diffusers' scheduler_config.json (texts as published on the Hugging Face hub) and writing ours.</summary>
[Collection("Sequential")]
public sealed class DiffusersSchedulerTests
{
    // google/ddpm-cifar10-32, scheduler/scheduler_config.json.
    private const string DdpmCifar10 = """
        {
          "_class_name": "DDPMScheduler",
          "_diffusers_version": "0.1.1",
          "beta_end": 0.02,
          "beta_schedule": "linear",
          "beta_start": 0.0001,
          "clip_sample": true,
          "num_train_timesteps": 1000,
          "trained_betas": null,
          "variance_type": "fixed_small"
        }
        """;

    // Stable Diffusion 1.x style DDIM configuration (with PNDM-only keys diffusers also ignores).
    private const string DdimStableDiffusion = """
        {
          "_class_name": "DDIMScheduler",
          "_diffusers_version": "0.8.0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "clip_sample": false,
          "num_train_timesteps": 1000,
          "set_alpha_to_one": false,
          "skip_prk_steps": true,
          "steps_offset": 1,
          "trained_betas": null
        }
        """;

    [Fact]
    public void ReadsAPublishedDdpmConfiguration()
    {
        var sampler = DiffusersScheduler.FromConfig(DdpmCifar10).Should().BeOfType<DdpmSampler>().Subject;
        sampler.Options.Should().Be(new DdpmSamplerOptions());
        ((NoiseSchedule)sampler.Schedule).Options.Should().BeEquivalentTo(new NoiseScheduleOptions());
    }

    [Fact]
    public void ReadsAPublishedDdimConfigurationAndSamplesLikeTheDirectlyBuiltSampler()
    {
        using var scope = NewDisposeScope();
        var loaded = DiffusersScheduler.FromConfig(DdimStableDiffusion).Should().BeOfType<DdimSampler>().Subject;
        loaded.Options.Should().Be(new DdimSamplerOptions { ClipSample = false, SetAlphaToOne = false, StepsOffset = 1 });
        var direct = new DdimSampler(
            new NoiseSchedule(new() { BetaSchedule = BetaSchedule.ScaledLinear, BetaStart = 0.00085, BetaEnd = 0.012 }),
            new DdimSamplerOptions { ClipSample = false, SetAlphaToOne = false, StepsOffset = 1 });
        loaded.SetTimesteps(10);
        direct.SetTimesteps(10);
        loaded.Timesteps.Should().Equal(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
        var a = DummySampleDeter();
        var b = DummySampleDeter();
        foreach (long t in loaded.Timesteps)
        {
            a = loaded.Step(DummyModel(a, t), t, a).PrevSample;
            b = direct.Step(DummyModel(b, t), t, b).PrevSample;
        }

        Tolerance.AssertClose(a, b, 0, what: "loaded vs direct");
    }

    [Fact]
    public void WritesTheSameJsonShapeAndRoundTrips()
    {
        var sampler = new DdpmSampler(
            new NoiseSchedule(new() { BetaSchedule = BetaSchedule.SquaredCosCapV2, RescaleBetasZeroSnr = true }),
            new DdpmSamplerOptions { PredictionType = PredictionType.VPrediction, VarianceType = DdpmVarianceType.LearnedRange, TimestepSpacing = TimestepSpacing.Trailing, ClipSampleRange = 2.5 });
        string json = DiffusersScheduler.ToConfig(sampler);
        json.Should().Contain("\"_class_name\": \"DDPMScheduler\"").And.Contain("\"prediction_type\": \"v_prediction\"")
            .And.Contain("\"variance_type\": \"learned_range\"").And.Contain("\"beta_schedule\": \"squaredcos_cap_v2\"")
            .And.Contain("\"trained_betas\": null").And.Contain("\"timestep_spacing\": \"trailing\"");
        var keys = System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        keys.Should().BeInAscendingOrder(StringComparer.Ordinal);
        var back = (DdpmSampler)DiffusersScheduler.FromConfig(json);
        back.Options.Should().Be(sampler.Options);
        ((NoiseSchedule)back.Schedule).Options.Should().BeEquivalentTo(((NoiseSchedule)sampler.Schedule).Options);

        var ddim = new DdimSampler(new NoiseSchedule(new() { TrainTimesteps = 4, TrainedBetas = [0.1, 0.2, 0.3, 0.4] }), new() { SetAlphaToOne = false, Thresholding = true });
        var ddimBack = (DdimSampler)DiffusersScheduler.FromConfig(DiffusersScheduler.ToConfig((ISampler)ddim));
        ddimBack.Options.Should().Be(ddim.Options);
        ddimBack.Schedule.AlphaCumprodAt(3).Should().Be(ddim.Schedule.AlphaCumprodAt(3));
    }

    [Theory]
    [InlineData("""{"_class_name": "PNDMScheduler"}""", "*PNDMScheduler*")]
    [InlineData("""{"beta_start": 0.001}""", "*_class_name*")]
    [InlineData("""[1, 2]""", "*JSON object*")]
    [InlineData("""{"_class_name": "DDPMScheduler", "beta_schedule": "laplace"}""", "*'beta_schedule'*")]
    [InlineData("""{"_class_name": "DDPMScheduler", "beta_start": "small"}""", "*'beta_start'*")]
    [InlineData("""{"_class_name": "DDPMScheduler", "beta_end": 2}""", "*'beta_end'*")]
    [InlineData("""{"_class_name": "DDPMScheduler", "variance_type": "other"}""", "*'variance_type'*")]
    [InlineData("""{"_class_name": "DDIMScheduler", "clip_sample": "yes"}""", "*'clip_sample'*")]
    [InlineData("""{"_class_name": "DDIMScheduler", "num_train_timesteps": 10.5}""", "*'num_train_timesteps'*")]
    [InlineData("""{"_class_name": "DDIMScheduler", "steps_offset": -1}""", "*'steps_offset'*")]
    [InlineData("""{"_class_name": "DDIMScheduler", "timestep_spacing": "uniform"}""", "*'timestep_spacing'*")]
    [InlineData("""{"_class_name": "DDIMScheduler", "trained_betas": [0.1, 1.5], "num_train_timesteps": 2}""", "*'trained_betas'*")]
    [InlineData("""not json""", "*not valid JSON*")]
    public void RejectsUnknownClassesAndInvalidValuesNamingTheKey(string json, string message)
    {
        FluentActions.Invoking(() => DiffusersScheduler.FromConfig(json)).Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void TrainedBetasAloneSetTheNumberOfTimesteps()
    {
        var sampler = DiffusersScheduler.FromConfig("""{"_class_name": "DDPMScheduler", "trained_betas": [0.1, 0.2, 0.3]}""");
        sampler.Schedule.TrainTimesteps.Should().Be(3);
    }

    [Fact]
    public void A_registered_class_name_is_read_and_written_with_its_format()
    {
        // A format of one's own, in a registry of one's own: here diffusers' PNDMScheduler read as a DDIM sampler.
        var formats = new DiffusersSchedulerRegistry();
        formats.Add("PNDMScheduler", new ComponentType<ISampler>(
            typeof(DdimSampler),
            sampler => new System.Text.Json.Nodes.JsonObject { ["num_train_timesteps"] = sampler.Schedule.TrainTimesteps },
            (json, _) => new DdimSampler(new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = (int)json["num_train_timesteps"]! }))));
        var sampler = DiffusersScheduler.FromConfig("""{"_class_name": "PNDMScheduler", "num_train_timesteps": 50, "skip_prk_steps": true}""", formats)
            .Should().BeOfType<DdimSampler>().Subject;
        sampler.Schedule.TrainTimesteps.Should().Be(50);
        DiffusersScheduler.ToConfig(sampler, formats).Should().Be("{\n  \"_class_name\": \"PNDMScheduler\",\n  \"num_train_timesteps\": 50\n}".Replace("\n", Environment.NewLine, StringComparison.Ordinal));
        FluentActions.Invoking(() => DiffusersScheduler.FromConfig("""{"_class_name": "DDPMScheduler"}""", formats)).Should().Throw<ArgumentException>()
            .WithMessage("Unsupported scheduler '_class_name' \"DDPMScheduler\"; supported: \"PNDMScheduler\". Register one with DiffusersSchedulerRegistry.Default.Add*");
        FluentActions.Invoking(() => DiffusersScheduler.FromConfig("""{"_class_name": "PNDMScheduler"}""")).Should().Throw<ArgumentException>()
            .WithMessage("Unsupported scheduler '_class_name' \"PNDMScheduler\"; supported: \"DDIMScheduler\", \"DDPMScheduler\". *");
        FluentActions.Invoking(() => DiffusersScheduler.ToConfig(new DdpmSampler(sampler.Schedule), formats)).Should().Throw<ArgumentException>()
            .WithMessage("No diffusers scheduler format is registered for DdpmSampler.*");
    }
}

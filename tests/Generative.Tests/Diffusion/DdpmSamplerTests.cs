using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusersTestFixtures;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>
/// Ports of diffusers' tests/schedulers/test_scheduler_ddpm.py (huggingface/diffusers@58eb52c) with their expected sums
/// and means (diffusers' tolerances: 1e-2 on the sum, 1e-3 on the mean), plus element-wise comparisons (1e-4) with
/// reference/scheduler_reference.py, which re-implements diffusers' DDPMScheduler in torch 1.13 and reproduces those
/// sums first.
/// </summary>
[Collection("Sequential")]
public sealed class DdpmSamplerTests
{
    private static DdpmSampler Create(NoiseScheduleOptions? schedule = null, DdpmSamplerOptions? options = null) =>
        new(new NoiseSchedule(schedule), options);

    private static Tensor RunLoop(DdpmSampler sampler, Tensor sample, long seed, Func<Tensor, long, Tensor>? model = null)
    {
        model ??= DummyModel;
        using var generator = new Generator((ulong)seed);
        var x = sample.alias();
        foreach (long t in sampler.Timesteps)
        {
            using var scope = NewDisposeScope();
            var output = model(x, t);
            var next = sampler.Step(output, t, x, generator).PrevSample;
            x.Dispose();
            x = next.MoveToOuterDisposeScope();
        }

        return x;
    }

    [Fact]
    public void FullLoopMatchesDiffusers() // test_full_loop_no_noise (it draws noise from manual_seed(0))
    {
        using var scope = NewDisposeScope();
        var sampler = Create();
        sampler.SetTimesteps(1000);
        var x = RunLoop(sampler, DummySampleDeter(), 0);
        SumAbs(x).Should().BeApproximately(258.9606, 1e-2);
        MeanAbs(x).Should().BeApproximately(0.3372, 1e-3);
        Tolerance.AssertClose(x.flatten(), Reference("ddpm_eps_1000"), 1e-4, what: "ddpm_eps_1000");
    }

    [Fact]
    public void FullLoopWithVPredictionMatchesDiffusers() // test_full_loop_with_v_prediction
    {
        using var scope = NewDisposeScope();
        var sampler = Create(options: new DdpmSamplerOptions { PredictionType = PredictionType.VPrediction });
        sampler.SetTimesteps(1000);
        var x = RunLoop(sampler, DummySampleDeter(), 0);
        SumAbs(x).Should().BeApproximately(202.0296, 1e-2);
        MeanAbs(x).Should().BeApproximately(0.2631, 1e-3);
    }

    [Fact]
    public void FullLoopWithNoiseMatchesDiffusers() // test_full_loop_with_noise: timesteps[998:] = [1, 0]
    {
        using var scope = NewDisposeScope();
        var sampler = Create();
        sampler.SetTimesteps(new long[] { 1, 0 });
        var x = sampler.Schedule.AddNoise(DummySampleDeter(), DummyNoiseDeter(), tensor(new long[] { 1 }));
        x = RunLoop(sampler, x, 0);
        SumAbs(x).Should().BeApproximately(387.9466, 1e-2);
        MeanAbs(x).Should().BeApproximately(0.5051, 1e-3);
    }

    [Fact]
    public void VarianceMatchesDiffusers() // test_variance
    {
        var sampler = Create();
        sampler.SetTimesteps(1000);
        sampler.PosteriorVariance(0).Should().BeApproximately(0f, 1e-5f);
        sampler.PosteriorVariance(487).Should().BeApproximately(0.00979f, 1e-5f);
        sampler.PosteriorVariance(999).Should().BeApproximately(0.02f, 1e-5f);
    }

    [Fact]
    public void CustomTimestepsGivePreviousTimesteps() // test_custom_timesteps
    {
        var sampler = Create();
        long[] timesteps = [100, 87, 50, 1, 0];
        sampler.SetTimesteps(timesteps);
        sampler.CustomTimesteps.Should().BeTrue();
        for (int i = 0; i < timesteps.Length; i++)
        {
            sampler.PreviousTimestep(timesteps[i]).Should().Be(i == timesteps.Length - 1 ? -1 : timesteps[i + 1]);
        }
    }

    [Fact]
    public void InvalidCustomTimestepsAreRejected() // test_custom_timesteps_increasing_order, _too_large
    {
        var sampler = Create();
        sampler.Invoking(s => s.SetTimesteps(new long[] { 100, 87, 50, 51, 0 })).Should().Throw<ArgumentException>().WithMessage("*descending*");
        sampler.Invoking(s => s.SetTimesteps(new long[] { 1000 })).Should().Throw<ArgumentException>().WithMessage("*below the number of train timesteps (1000)*");
        sampler.Invoking(s => s.SetTimesteps(new long[] { 5, -1 })).Should().Throw<ArgumentException>();
        sampler.Invoking(s => s.SetTimesteps(Array.Empty<long>())).Should().Throw<ArgumentException>();
        sampler.Invoking(s => s.SetTimesteps(1001)).Should().Throw<ArgumentOutOfRangeException>();
        sampler.Invoking(s => s.SetTimesteps(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void StepBeforeSetTimestepsThrows()
    {
        using var scope = NewDisposeScope();
        var sampler = Create();
        var x = DummySampleDeter();
        sampler.Invoking(s => s.Step(x, 10, x)).Should().Throw<InvalidOperationException>();
        sampler.SetTimesteps(10);
        sampler.Invoking(s => s.Step(x, 11, x)).Should().Throw<ArgumentException>().WithMessage("*not one of*");
        sampler.Invoking(s => s.Step(x[..2], 900, x)).Should().Throw<ArgumentException>().WithMessage("*Expected modelOutput of shape [4, 3, 8, 8]*");
    }

    public static TheoryData<string> NoisyCases() => new()
    {
        "ddpm_50_fixed_large_sample_seed3",
        "ddpm_50_fixed_small_log_seed5",
        "ddpm_20_trailing_v_rescaled_seed7",
        "ddpm_25_linspace_threshold_seed11",
        "ddpm_custom_seed13",
        "ddpm_learned_range_seed17",
        "ddpm_learned_seed19",
    };

    [Theory]
    [MemberData(nameof(NoisyCases))]
    public void NoisyLoopsEqualTheReferenceElementWise(string name)
    {
        using var scope = NewDisposeScope();
        var (sampler, seed, model) = name switch
        {
            "ddpm_50_fixed_large_sample_seed3" => (Steps(Create(options: new() { VarianceType = DdpmVarianceType.FixedLarge, PredictionType = PredictionType.Sample }), 50), 3,
                (Func<Tensor, long, Tensor>)((x, _) => SampleModel(x))),
            "ddpm_50_fixed_small_log_seed5" => (Steps(Create(options: new() { VarianceType = DdpmVarianceType.FixedSmallLog }), 50), 5, null),
            "ddpm_20_trailing_v_rescaled_seed7" => (Steps(Create(
                new() { BetaSchedule = BetaSchedule.ScaledLinear, BetaStart = 0.00085, BetaEnd = 0.012, RescaleBetasZeroSnr = true },
                new() { TimestepSpacing = TimestepSpacing.Trailing, PredictionType = PredictionType.VPrediction }), 20), 7, null),
            "ddpm_25_linspace_threshold_seed11" => (Steps(Create(options: new()
            {
                TimestepSpacing = TimestepSpacing.Linspace, Thresholding = true, SampleMaxValue = 2.0, DynamicThresholdingRatio = 0.9,
            }), 25), 11, null),
            "ddpm_custom_seed13" => (Custom(Create(new() { BetaSchedule = BetaSchedule.SquaredCosCapV2 }, new() { ClipSampleRange = 0.5 }), [900, 700, 420, 99, 3, 0]), 13, null),
            "ddpm_learned_range_seed17" => (Steps(Create(options: new() { VarianceType = DdpmVarianceType.LearnedRange }), 10), 17,
                (x, t) => cat([DummyModel(x, t), (x - 0.5).tanh()], 1)),
            "ddpm_learned_seed19" => (Steps(Create(new() { BetaSchedule = BetaSchedule.Sigmoid }, new() { VarianceType = DdpmVarianceType.Learned, ClipSample = false }), 10), 19,
                (x, t) => cat([DummyModel(x, t), full_like(x, 0.01)], 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var result = RunLoop(sampler, DummySampleDeter(), seed, model);
        Tolerance.AssertClose(result.flatten(), Reference(name), 1e-4, what: name);
    }

    [Fact]
    public void SameSeedSameSamplesAndLoopsDoNotLeak()
    {
        var sampler = Create();
        sampler.SetTimesteps(20);
        using var sample = DummySampleDeter();
        using (var warm = RunLoop(sampler, sample, 1))
        {
        }

        long baseline = LiveTensors.Count;
        using var a = RunLoop(sampler, sample, 42);
        using var b = RunLoop(sampler, sample, 42);
        using var c = RunLoop(sampler, sample, 43);
        LiveTensors.Count.Should().Be(baseline + 3);
        (a - b).abs().max().item<float>().Should().Be(0f);
        (a - c).abs().max().item<float>().Should().BeGreaterThan(0f);
    }

    private static DdpmSampler Steps(DdpmSampler sampler, int n)
    {
        sampler.SetTimesteps(n);
        return sampler;
    }

    private static DdpmSampler Custom(DdpmSampler sampler, long[] timesteps)
    {
        sampler.SetTimesteps(timesteps);
        return sampler;
    }
}

using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusersTestFixtures;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>
/// Ports of diffusers' tests/schedulers/test_scheduler_ddim.py (huggingface/diffusers@58eb52c) with their expected sums
/// and means (tolerances 1e-2 / 1e-3 as there), element-wise comparisons (1e-4) with reference/scheduler_reference.py,
/// and the property DDIM(all train timesteps, η = 1) = DDPM(fixed_small).
/// </summary>
[Collection("Sequential")]
public sealed class DdimSamplerTests
{
    private static DdimSampler Create(NoiseScheduleOptions? schedule = null, DdimSamplerOptions? options = null, int steps = 10)
    {
        var sampler = new DdimSampler(new NoiseSchedule(schedule), options);
        sampler.SetTimesteps(steps);
        return sampler;
    }

    private static Tensor RunLoop(ISampler sampler, Tensor sample, long seed = 0, int start = 0, Func<Tensor, long, Tensor>? model = null)
    {
        model ??= DummyModel;
        using var generator = new Generator((ulong)seed);
        var x = sample.alias();
        foreach (long t in sampler.Timesteps.Skip(start))
        {
            using var scope = NewDisposeScope();
            var next = sampler.Step(model(x, t), t, x, generator).PrevSample;
            x.Dispose();
            x = next.MoveToOuterDisposeScope();
        }

        return x;
    }

    [Theory] // test_full_loop_no_noise, _with_v_prediction, _with_set_alpha_to_one, _with_no_set_alpha_to_one
    [InlineData("eps", 172.0067, 0.223967)]
    [InlineData("v", 52.5302, 0.0684)]
    [InlineData("alpha_to_one", 149.8295, 0.1951)]
    [InlineData("no_alpha_to_one", 149.0784, 0.1941)]
    public void FullLoopsMatchDiffusers(string variant, double expectedSum, double expectedMean)
    {
        using var scope = NewDisposeScope();
        var sampler = variant switch
        {
            "eps" => Create(),
            "v" => Create(options: new() { PredictionType = PredictionType.VPrediction }),
            "alpha_to_one" => Create(new() { BetaStart = 0.01 }, new() { SetAlphaToOne = true }),
            _ => Create(new() { BetaStart = 0.01 }, new() { SetAlphaToOne = false }),
        };
        var x = RunLoop(sampler, DummySampleDeter());
        SumAbs(x).Should().BeApproximately(expectedSum, 1e-2);
        MeanAbs(x).Should().BeApproximately(expectedMean, 1e-3);
    }

    [Fact]
    public void FullLoopWithNoiseMatchesDiffusers() // test_full_loop_with_noise (t_start = 8)
    {
        using var scope = NewDisposeScope();
        var sampler = Create();
        var x = sampler.Schedule.AddNoise(DummySampleDeter(), DummyNoiseDeter(), tensor(new[] { sampler.Timesteps[8] }));
        x = RunLoop(sampler, x, start: 8);
        SumAbs(x).Should().BeApproximately(354.5418, 1e-2);
        MeanAbs(x).Should().BeApproximately(0.4616, 1e-3);
    }

    [Fact]
    public void StepsOffsetMatchesDiffusers() // test_steps_offset
    {
        Create(options: new() { StepsOffset = 1 }, steps: 5).Timesteps.Should().Equal(801, 601, 401, 201, 1);
        Create(steps: 5).Timesteps.Should().Equal(800, 600, 400, 200, 0);
    }

    [Fact]
    public void AnOffsetBeyondTheLastTrainTimestepIsRejected() // diffusers would index past ᾱ's end at the first step
    {
        var sampler = new DdimSampler(new NoiseSchedule(), new DdimSamplerOptions { StepsOffset = 1 });
        sampler.Invoking(s => s.SetTimesteps(1000)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*steps_offset 1*1000*999*");
        sampler.SetTimesteps(999);
        sampler.Timesteps[0].Should().Be(999);
    }

    [Fact]
    public void TimestepsMatchNumpyForEverySpacing()
    {
        // np.linspace(0, 999, 7).round()[::-1], np.round(np.arange(1000, 0, -1000/6)) - 1, leading 1000 // 3 = 333.
        Create(options: new() { TimestepSpacing = TimestepSpacing.Linspace }, steps: 7).Timesteps.Should().Equal(999, 832, 666, 500, 333, 166, 0);
        Create(options: new() { TimestepSpacing = TimestepSpacing.Trailing }, steps: 6).Timesteps.Should().Equal(999, 832, 666, 499, 332, 166);
        Create(steps: 3).Timesteps.Should().Equal(666, 333, 0);
        // numpy's arange yields 62 values for n = 61 (the last is −1); ours gives exactly n.
        Create(options: new() { TimestepSpacing = TimestepSpacing.Trailing }, steps: 61).Timesteps.Should().HaveCount(61).And.OnlyContain(t => t >= 0);
    }

    [Fact]
    public void VarianceMatchesDiffusers() // test_variance
    {
        var sampler = Create();
        sampler.Variance(0, 0).Should().BeApproximately(0f, 1e-5f);
        sampler.Variance(420, 400).Should().BeApproximately(0.14771f, 1e-5f);
        sampler.Variance(980, 960).Should().BeApproximately(0.32460f, 1e-5f);
        sampler.Variance(487, 486).Should().BeApproximately(0.00979f, 1e-5f);
        sampler.Variance(999, 998).Should().BeApproximately(0.02f, 1e-5f);
    }

    public static TheoryData<string> Cases() => new()
    {
        "ddim_10_eta1_seed0",
        "ddim_50_eta05_clipped_seed23",
        "ddim_10_trailing_v_rescaled_offset",
        "ddim_5_leading_offset1",
        "ddim_10_sample_pred_threshold",
        "ddim_7_linspace_ours",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoopsEqualTheReferenceElementWise(string name)
    {
        using var scope = NewDisposeScope();
        Func<Tensor, long, Tensor>? model = null;
        long seed = 0;
        DdimSampler sampler;
        switch (name)
        {
            case "ddim_10_eta1_seed0":
                sampler = Create(options: new() { Eta = 1.0 });
                break;
            case "ddim_50_eta05_clipped_seed23":
                sampler = Create(options: new() { Eta = 0.5, UseClippedModelOutput = true }, steps: 50);
                seed = 23;
                break;
            case "ddim_10_trailing_v_rescaled_offset":
                sampler = Create(new() { RescaleBetasZeroSnr = true }, new() { TimestepSpacing = TimestepSpacing.Trailing, PredictionType = PredictionType.VPrediction });
                break;
            case "ddim_5_leading_offset1":
                sampler = Create(options: new() { StepsOffset = 1 }, steps: 5);
                break;
            case "ddim_10_sample_pred_threshold":
                sampler = Create(options: new() { PredictionType = PredictionType.Sample, Thresholding = true, SampleMaxValue = 1.5 });
                model = (x, _) => SampleModel(x);
                break;
            default:
                sampler = Create(options: new() { TimestepSpacing = TimestepSpacing.Linspace }, steps: 7);
                break;
        }

        var result = RunLoop(sampler, DummySampleDeter(), seed, model: model);
        Tolerance.AssertClose(result.flatten(), Reference(name), 1e-4, what: name);
    }

    [Fact]
    public void LinspaceDiffersFromDiffusersOnPurpose() // diffusers issue #12633: diffusers steps to t − T/n, ours to the next timestep
    {
        using var scope = NewDisposeScope();
        var ours = RunLoop(Create(options: new() { TimestepSpacing = TimestepSpacing.Linspace }, steps: 7), DummySampleDeter()).flatten();
        var theirs = Reference("ddim_7_linspace_diffusers");
        (ours.to_type(ScalarType.Float64) - theirs).abs().max().item<double>().Should().BeGreaterThan(0.01);
    }

    [Fact]
    public void WithAllTrainTimestepsAndEtaOneDdimEqualsDdpmFixedSmall()
    {
        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50, BetaEnd = 0.2 });
        foreach (var prediction in new[] { PredictionType.Epsilon, PredictionType.VPrediction, PredictionType.Sample })
        {
            var ddim = new DdimSampler(schedule, new() { Eta = 1.0, PredictionType = prediction, ClipSample = false });
            var ddpm = new DdpmSampler(schedule, new() { VarianceType = DdpmVarianceType.FixedSmall, PredictionType = prediction, ClipSample = false });
            ddim.SetTimesteps(50);
            ddpm.SetTimesteps(50);
            Func<Tensor, long, Tensor> model = (x, t) => (x * 0.7) + ((float)t / 100);
            var start = randn([16, 2], generator: new Generator(5));
            var a = RunLoop(ddim, start, 9, model: model);
            var b = RunLoop(ddpm, start, 9, model: model);
            // Both draw one randn per step from the same stream (DDIM also at t = 0, where σ = 0, after the last use).
            Tolerance.AssertClose(a, b, 1e-4, 1e-4, what: prediction.ToString());
        }
    }
}

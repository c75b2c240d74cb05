using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static Generative.Tests.Diffusion.DiffusersTestFixtures;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>Schedules against closed forms and against reference/scheduler_reference.py (diffusers' float32 computation), and
/// AddNoise/GetVelocity/SNR against their definitions.</summary>
[Collection("Sequential")]
public sealed class NoiseScheduleTests
{
    [Fact]
    public void LinearBetasAndCumulativeProductsFollowTheClosedForm()
    {
        var s = new NoiseSchedule();
        var betas = s.Betas.to_type(ScalarType.Float64).data<double>().ToArray();
        betas.Should().HaveCount(1000);
        double product = 1;
        for (int t = 0; t < 1000; t++)
        {
            double expected = 0.0001 + (t * (0.02 - 0.0001) / 999);
            betas[t].Should().BeApproximately(expected, 1e-8);
            product *= 1 - expected;
            s.AlphaCumprodAt(t).Should().BeApproximately(product, 1e-5 * product + 1e-7);
        }

        s.Alphas.to_type(ScalarType.Float64).data<double>()[10].Should().BeApproximately(1 - betas[10], 1e-7);
    }

    [Fact]
    public void CosineScheduleFollowsNicholAndDhariwal()
    {
        var s = new NoiseSchedule(new NoiseScheduleOptions { BetaSchedule = BetaSchedule.SquaredCosCapV2 });
        static double F(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        foreach (int t in new[] { 0, 100, 500, 900 })
        {
            // ᾱ_t = f((t + 1)/T) / f(0) while no β is capped at 0.999.
            s.AlphaCumprodAt(t).Should().BeApproximately(F((t + 1) / 1000.0) / F(0), 1e-4 * F((t + 1) / 1000.0) + 1e-6);
        }

        s.Betas[999].item<float>().Should().BeApproximately(0.999f, 1e-6f);
    }

    [Theory]
    [InlineData("betas_squaredcos_1000")]
    [InlineData("betas_sigmoid_100")]
    [InlineData("betas_scaled_linear_1000")]
    [InlineData("betas_linear_rescaled_1000")]
    public void BetasEqualDiffusersFloat32Computation(string name)
    {
        var options = name switch
        {
            "betas_squaredcos_1000" => new NoiseScheduleOptions { BetaSchedule = BetaSchedule.SquaredCosCapV2 },
            "betas_sigmoid_100" => new NoiseScheduleOptions { BetaSchedule = BetaSchedule.Sigmoid, TrainTimesteps = 100 },
            "betas_scaled_linear_1000" => new NoiseScheduleOptions { BetaSchedule = BetaSchedule.ScaledLinear, BetaStart = 0.00085, BetaEnd = 0.012 },
            _ => new NoiseScheduleOptions { RescaleBetasZeroSnr = true },
        };
        using var scope = NewDisposeScope();
        // Rescaling subtracts √ᾱ_T from √ᾱ_t: near t = T the difference cancels, and one-ulp differences between
        // libtorch 2.10's and torch 1.13's float32 cumprod grow to a few 1e-6 there. Elsewhere the betas agree to 1e-6 relative.
        double atol = options.RescaleBetasZeroSnr ? 1e-5 : 1e-7;
        Tolerance.AssertClose(new NoiseSchedule(options).Betas, Reference(name), atol, 1e-6, what: name);
    }

    [Fact]
    public void ZeroTerminalSnrRescalingKeepsTheFirstAlphaAndZeroesTheLast()
    {
        var plain = new NoiseSchedule();
        var rescaled = new NoiseSchedule(new NoiseScheduleOptions { RescaleBetasZeroSnr = true });
        rescaled.AlphaCumprodAt(0).Should().BeApproximately(plain.AlphaCumprodAt(0), 1e-6);
        rescaled.AlphaCumprodAt(999).Should().Be(0);
        using var snr = rescaled.SignalToNoiseRatio(tensor(new long[] { 999 }));
        snr.item<float>().Should().Be(0);
    }

    [Fact]
    public void TrainedBetasAreUsedAsGiven()
    {
        var s = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 3, TrainedBetas = [0.1, 0.2, 0.5] });
        s.AlphaCumprodAt(2).Should().BeApproximately(0.9 * 0.8 * 0.5, 1e-7);
    }

    [Fact]
    public void InvalidOptionsAreRejectedWithTheirName()
    {
        FluentActions.Invoking(() => new NoiseSchedule(new() { TrainTimesteps = 0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("TrainTimesteps");
        FluentActions.Invoking(() => new NoiseSchedule(new() { BetaStart = 0.03 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("BetaEnd");
        FluentActions.Invoking(() => new NoiseSchedule(new() { BetaStart = 0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("BetaStart");
        FluentActions.Invoking(() => new NoiseSchedule(new() { BetaEnd = 1.5 })).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new NoiseSchedule(new() { TrainTimesteps = 2, TrainedBetas = [0.1, 1.0] })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*(0, 1)*");
        FluentActions.Invoking(() => new NoiseSchedule(new() { TrainTimesteps = 3, TrainedBetas = [0.1, 0.2] })).Should().Throw<ArgumentException>().WithMessage("*2 values*3*");
        new NoiseSchedule(new() { BetaSchedule = BetaSchedule.SquaredCosCapV2, BetaStart = 5 }).TrainTimesteps.Should().Be(1000); // start/end unused
        FluentActions.Invoking(() => new NoiseSchedule().AlphaCumprodAt(1000)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void AddNoiseHasTheForwardProcessMeanAndVariance()
    {
        using var scope = NewDisposeScope();
        var s = new NoiseSchedule();
        const int n = 40000;
        var x0 = full(new long[] { n, 2 }, 2.0f);
        var noise = randn(new long[] { n, 2 }, generator: new Generator(3));
        var t = full(new long[] { n }, 300L, ScalarType.Int64);
        var xt = s.AddNoise(x0, noise, t);
        double a = s.AlphaCumprodAt(300);
        // Mean √ᾱ·2 within 5 standard errors; variance 1 − ᾱ within 5 % (n = 80 000 values).
        xt.mean().item<float>().Should().BeApproximately((float)(Math.Sqrt(a) * 2), (float)(5 * Math.Sqrt((1 - a) / (2.0 * n))));
        xt.var().item<float>().Should().BeApproximately((float)(1 - a), (float)(0.05 * (1 - a)));
    }

    [Fact]
    public void VelocityAndNoiseRecoverTheCleanSample()
    {
        using var scope = NewDisposeScope();
        var s = new NoiseSchedule(new() { BetaSchedule = BetaSchedule.SquaredCosCapV2 });
        var g = new Generator(1);
        var x0 = randn(new long[] { 64, 3, 4, 4 }, generator: g);
        var eps = randn(new long[] { 64, 3, 4, 4 }, generator: g);
        var t = randint(0, 1000, new long[] { 64 }, generator: g);
        var xt = s.AddNoise(x0, eps, t);
        var v = s.GetVelocity(x0, eps, t);
        var ac = s.AlphasCumprod.index_select(0, t).view(64, 1, 1, 1);
        // x₀ = √ᾱ·x_t − √(1−ᾱ)·v and ε = √(1−ᾱ)·x_t + √ᾱ·v (Salimans & Ho 2022).
        Tolerance.AssertClose(ac.sqrt() * xt - (1 - ac).sqrt() * v, x0, 1e-5, what: "x0");
        Tolerance.AssertClose((1 - ac).sqrt() * xt + ac.sqrt() * v, eps, 1e-5, what: "eps");
        var snr = s.SignalToNoiseRatio(t);
        Tolerance.AssertClose(snr, ac.flatten() / (1 - ac.flatten()), 1e-6, 1e-5, what: "snr");
    }

    [Fact]
    public void AddNoiseKeepsTheSampleDtypeAndLeaksNothing()
    {
        var s = new NoiseSchedule();
        using var x64 = ones(new long[] { 8, 2 }, ScalarType.Float64);
        using var t = arange(8L, ScalarType.Int64);
        using (var warm = s.AddNoise(x64, x64, t))
        {
            warm.dtype.Should().Be(ScalarType.Float64);
        }

        using (var warm32 = s.AddNoise(x64.to_type(ScalarType.Float32), x64.to_type(ScalarType.Float32), t))
        {
        }

        long baseline = LiveTensors.Count;
        for (int i = 0; i < 200; i++)
        {
            using var y = s.AddNoise(x64, x64, t);
            using var v = s.GetVelocity(x64, x64, t);
            using var r = s.SignalToNoiseRatio(t);
        }

        LiveTensors.Count.Should().Be(baseline);
    }

    [Fact]
    public void IsSafeToShareBetweenThreads()
    {
        var s = new NoiseSchedule();
        var results = new float[8];
        Parallel.For(0, 8, i =>
        {
            using var scope = NewDisposeScope();
            var x = ones(new long[] { 4, 2 });
            var y = s.AddNoise(x, x, full(new long[] { 4 }, 10L * i, ScalarType.Int64));
            results[i] = y.sum().item<float>();
        });
        for (int i = 0; i < 8; i++)
        {
            double a = s.AlphaCumprodAt(10 * i);
            results[i].Should().BeApproximately((float)(8 * (Math.Sqrt(a) + Math.Sqrt(1 - a))), 1e-4f);
        }
    }
}

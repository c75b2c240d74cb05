using Generative.DenoisingGan;
using Generative.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.DenoisingGan;

/// <summary>The forward process of the denoising diffusion GAN: the discretised VP-SDE and its Gaussian posterior, against
/// float64 formulas written out here and against the diffusion family's DDPM posterior for the same betas.</summary>
[Collection("Sequential")]
public sealed class DenoisingGanProcessTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Betas_and_cumulative_products_are_the_discretised_VP_SDE(int steps)
    {
        using var process = new DenoisingGanProcess(new DenoisingGanProcessOptions { Steps = steps });
        for (int t = 1; t <= steps; t++)
        {
            // ᾱ(s) = exp(−∫₀ˢ β(u) du) with β(u) = 0.1 + 19.9·u, at s = t/T.
            double s = t / (double)steps;
            double alphaBar = Math.Exp((-0.1 * s) - (0.5 * 19.9 * s * s));
            double previousS = (t - 1) / (double)steps;
            double previousAlphaBar = Math.Exp((-0.1 * previousS) - (0.5 * 19.9 * previousS * previousS));
            process.AlphaCumprod(t).Should().BeApproximately(alphaBar, 1e-12 * Math.Max(1, alphaBar) + 1e-15);
            process.Beta(t).Should().BeApproximately(1 - (alphaBar / previousAlphaBar), 1e-12);
        }

        process.AlphaCumprod(0).Should().Be(1.0);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Posterior_coefficients_and_variance_are_the_closed_forms(int steps)
    {
        using var process = new DenoisingGanProcess(new DenoisingGanProcessOptions { Steps = steps });
        double[] betas = DenoisingGanProcess.VpBetas(steps, 0.1, 20);
        double alphaBarPrevious = 1;
        for (int t = 1; t <= steps; t++)
        {
            double beta = betas[t - 1];
            double alphaBar = alphaBarPrevious * (1 - beta);
            var (original, noisy) = process.PosteriorMeanCoefficients(t);
            original.Should().BeApproximately(Math.Sqrt(alphaBarPrevious) * beta / (1 - alphaBar), 1e-12);
            noisy.Should().BeApproximately(Math.Sqrt(1 - beta) * (1 - alphaBarPrevious) / (1 - alphaBar), 1e-12);
            process.PosteriorVariance(t).Should().BeApproximately(beta * (1 - alphaBarPrevious) / (1 - alphaBar), 1e-12);
            alphaBarPrevious = alphaBar;
        }

        // At t = 1 the posterior is x₀ itself.
        process.PosteriorMeanCoefficients(1).Should().Be((1.0, 0.0));
        process.PosteriorVariance(1).Should().Be(0.0);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void The_posterior_draw_is_the_DDPM_samplers_step_for_the_same_betas(int steps)
    {
        using var scope = NewDisposeScope();
        using var process = new DenoisingGanProcess(new DenoisingGanProcessOptions { Steps = steps });
        var ddpm = new DdpmSampler(process.Schedule, new DdpmSamplerOptions { PredictionType = PredictionType.Sample, ClipSample = false });
        ddpm.SetTimesteps([.. Enumerable.Range(0, steps).Reverse().Select(i => (long)i)]);
        using var data = new Generator(5);
        var x0 = randn([64, 3], generator: data);
        var xt = randn([64, 3], generator: data);
        for (int t = 1; t <= steps; t++)
        {
            Tensor ours, theirs;
            using (var g = new Generator(11))
            {
                ours = t > 1 ? process.Posterior(x0, xt, full([64], t, ScalarType.Int64), g) : process.PosteriorMean(x0, xt, full([64], t, ScalarType.Int64));
            }

            using (var g = new Generator(11))
            {
                theirs = ddpm.Step(x0, t - 1, xt, g).PrevSample;
            }

            // The DDPM sampler computes in float32 (diffusers' arithmetic), the process in float64.
            (ours - theirs).abs().max().item<float>().Should().BeLessThan(2e-5f, $"step {t} of {steps}");
        }
    }

    [Fact]
    public void Marginal_and_step_draws_have_the_documented_moments()
    {
        using var scope = NewDisposeScope();
        using var process = new DenoisingGanProcess(new DenoisingGanProcessOptions { Steps = 4 });
        const int n = 200_000;
        var x0 = full([n, 1], 1.5f);
        var t = full([n], 2L, ScalarType.Int64);
        using var g = new Generator(3);
        var (previous, noisy) = process.Pair(x0, t, g);
        // x₁ ~ N(√ᾱ₁·1.5, 1 − ᾱ₁); x₂ ~ N(√ᾱ₂·1.5, 1 − ᾱ₂): the step composes into the marginal.
        previous.mean().item<float>().Should().BeApproximately((float)(Math.Sqrt(process.AlphaCumprod(1)) * 1.5), 0.01f);
        previous.var().item<float>().Should().BeApproximately((float)(1 - process.AlphaCumprod(1)), 0.01f);
        noisy.mean().item<float>().Should().BeApproximately((float)(Math.Sqrt(process.AlphaCumprod(2)) * 1.5), 0.01f);
        noisy.var().item<float>().Should().BeApproximately((float)(1 - process.AlphaCumprod(2)), 0.01f);

        // q(x₀ | x₀) = x₀.
        using var h = new Generator(3);
        process.Marginal(x0, zeros([n], ScalarType.Int64), h).equal(x0).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Bad_options_and_steps_are_refused_naming_the_expected_values()
    {
        var problems = new DenoisingGanProcessOptions { Steps = 0, BetaMin = -1, BetaMax = double.NaN }.Validate();
        problems.Should().BeEquivalentTo(
            "DenoisingGanProcessOptions.Steps must be in [1, 1000] (was 0).",
            "DenoisingGanProcessOptions.BetaMin must be finite and at least 0 (was -1).",
            "DenoisingGanProcessOptions.BetaMax must be finite, greater than 0 and at least BetaMin (-1) (was NaN).");
        var build = () => new DenoisingGanProcess(new DenoisingGanProcessOptions { Steps = 0 });
        build.Should().Throw<ArgumentException>().WithMessage("*Steps must be in [1, 1000] (was 0)*");

        using var process = new DenoisingGanProcess();
        var beta = () => process.Beta(5);
        beta.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[1, 4]*");
        using var scope = NewDisposeScope();
        var mean = () => process.PosteriorMean(zeros(3, 2), zeros(3, 2), zeros([2], ScalarType.Int64));
        mean.Should().Throw<ArgumentException>().WithMessage("*one step per sample, shaped [3]*[2]*");
    }
}

using Generative.Diffusion;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Tabular;

/// <summary>The multinomial diffusion's q(x_t | x₀), posterior and KL in log space against the float64 formulas written
/// out by hand over probabilities, for two groups (K = 3 and K = 2); and the β schedule against the cosine formula.</summary>
public sealed class MultinomialDiffusionTests
{
    private static readonly int[] Widths = [3, 2];

    [Fact]
    public void Q_of_xt_given_x0_is_abar_x0_plus_uniform_remainder()
    {
        using var m = new MultinomialDiffusion(Widths);
        double abar = 0.37;
        double[] x0 = [0, 1, 0, 1, 0];
        using var logX0 = LogOf(x0);
        using var mixed = m.Mix(logX0, Col(Math.Log(abar)), Col(Math.Log(1 - abar)));
        double[] got = mixed.exp().to_type(ScalarType.Float64).data<double>().ToArray();
        double[] expected = [(1 - abar) / 3, abar + ((1 - abar) / 3), (1 - abar) / 3, abar + ((1 - abar) / 2), (1 - abar) / 2];
        got.Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Posterior_is_the_normalised_product_of_the_step_and_the_marginal()
    {
        using var m = new MultinomialDiffusion(Widths);
        double abarS = 0.6, a = 0.8; // ᾱ_t = 0.48
        double[] x0 = [0.2, 0.5, 0.3, 0.9, 0.1]; // a soft x̂₀ (a model's), per group summing to 1
        double[] xt = [0, 0, 1, 1, 0];
        using var post = m.Posterior(LogOf(x0), LogOf(xt), Col(Math.Log(abarS)), Col(Math.Log(1 - abarS)), Col(Math.Log(a)), Col(Math.Log(1 - a)), tensor(false));
        double[] got = post.exp().data<double>().ToArray();

        var expected = new double[5];
        foreach (var (offset, k) in new[] { (0, 3), (3, 2) })
        {
            double total = 0;
            for (int i = 0; i < k; i++)
            {
                double marginal = (abarS * x0[offset + i]) + ((1 - abarS) / k);       // q(x_s = i | x₀)
                double step = (a * xt[offset + i]) + ((1 - a) / k);                  // q(x_t | x_s = i), x_t one-hot
                expected[offset + i] = marginal * step;
                total += marginal * step;
            }

            for (int i = 0; i < k; i++)
            {
                expected[offset + i] /= total;
            }
        }

        got.Should().Equal(expected, (p, q) => Math.Abs(p - q) < 1e-12);
        // At the first step (s is the data) the posterior is x̂₀ times the step, normalised.
        using var first = m.Posterior(LogOf(x0), LogOf(xt), Col(0), Col(MultinomialDiffusion.LogZero), Col(Math.Log(a)), Col(Math.Log(1 - a)), tensor(true));
        double g0 = x0[0] * ((1 - a) / 3), g2 = x0[2] * (a + ((1 - a) / 3)), g1 = x0[1] * ((1 - a) / 3);
        first.exp().data<double>()[2].Should().BeApproximately(g2 / (g0 + g1 + g2), 1e-12);
    }

    [Fact]
    public void Kl_sums_p_log_p_over_q_over_every_group()
    {
        double[] p = [0.2, 0.5, 0.3, 0.9, 0.1];
        double[] q = [0.3, 0.3, 0.4, 0.5, 0.5];
        using var kl = MultinomialDiffusion.Kl(LogOf(p), LogOf(q));
        double expected = p.Zip(q).Sum(pq => pq.First * Math.Log(pq.First / pq.Second));
        kl.data<double>()[0].Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Sampling_draws_each_group_at_its_probabilities()
    {
        using var m = new MultinomialDiffusion(Widths);
        using var generator = new torch.Generator(5);
        using var logP = LogOf([0.1, 0.6, 0.3, 0.25, 0.75]).to_type(ScalarType.Float32).expand(20_000, 5);
        using var draws = m.Sample(logP, generator).exp();
        double[] frequencies = draws.mean([0]).to_type(ScalarType.Float64).data<double>().ToArray();
        frequencies.Should().Equal([0.1, 0.6, 0.3, 0.25, 0.75], (f, e) => Math.Abs(f - e) < 0.015);
        draws.sum(1).data<float>().ToArray().Should().AllBeEquivalentTo(2f, "one slot per group");
    }

    [Fact]
    public void The_cosine_schedule_matches_its_formula_in_float64()
    {
        var c = new DiffusionCoefficients(100, BetaSchedule.SquaredCosCapV2);
        static double F(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        double abar = 1;
        for (int t = 0; t < 100; t++)
        {
            double beta = Math.Min(1 - (F((t + 1) / 100.0) / F(t / 100.0)), 0.999);
            abar *= 1 - beta;
            Math.Exp(c.LogAbar(t)).Should().BeApproximately(abar, 1e-6 * Math.Max(abar, 1e-3));
            Math.Exp(c.Log1MinusAbar(t)).Should().BeApproximately(1 - abar, 1e-6);
        }

        var step = c.Between(10, 9);
        Math.Exp(step.LogA).Should().BeApproximately(Math.Exp(c.LogAbar(10) - c.LogAbar(9)), 1e-12);
        step.MeanCoefficientX0.Should().BeApproximately(step.Beta * Math.Sqrt(Math.Exp(c.LogAbar(9))) / (1 - Math.Exp(c.LogAbar(10))), 1e-9);
        c.SamplingTimesteps(100).Should().Equal(Enumerable.Range(0, 100).Reverse());
        c.SamplingTimesteps(4).Should().Equal(99, 66, 33, 0);
    }

    private static Tensor LogOf(double[] p) =>
        tensor(p.Select(v => v > 0 ? Math.Log(v) : MultinomialDiffusion.LogZero).ToArray(), ScalarType.Float64).unsqueeze(0);

    private static Tensor Col(double value) => full(1, 1, value, ScalarType.Float64);
}

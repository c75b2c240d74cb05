using Generative.Data;
using Generative.Diffusion;
using Generative.Flow;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Flow;

/// <summary>
/// Flow matching against the one case solved in closed form: data N(μ, σ²), noise x₀ ~ N(0, 1), x_t = (1 − t)x₀ + t x₁.
/// Then x_t ~ N(tμ, s_t²) with s_t² = (1 − t)² + t²σ², Cov(x₁ − x₀, x_t) = tσ² − (1 − t), so the optimal field is
/// v*(x, t) = E[x₁ − x₀ | x_t = x] = μ + (tσ² − (1 − t)) / s_t² · (x − tμ); its flow is x_t = tμ + s_t·z, which carries a
/// noise value z to μ + σz at t = 1 — every solver's end point has an exact reference per sample.
/// </summary>
[Collection("Sequential")]
public sealed class FlowClosedFormTests
{
    private const double Mu = 2.0;
    private const double Sigma = 0.5;

    internal static Tensor ExactVelocity(Tensor x, Tensor t)
    {
        var tb = t.reshape(-1, 1);
        var variance = (1 - tb).square() + (tb.square() * (Sigma * Sigma));
        return Mu + ((((tb * (Sigma * Sigma)) - (1 - tb)) / variance) * (x - (tb * Mu)));
    }

    private static double EndPointError(string solver, int steps)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        var z = randn([4096, 1], ScalarType.Float64, generator: g);
        var x1 = FlowSolvers.Integrate(FlowSolverRegistry.Default.Get(solver), ExactVelocity, z, steps);
        return (x1 - (Mu + (Sigma * z))).abs().max().item<double>();
    }

    [Theory]
    [InlineData("euler", 200, 0.02)]
    [InlineData("midpoint", 20, 1e-4)]
    [InlineData("heun", 20, 3e-3)]
    public void The_solvers_with_the_exact_field_land_on_the_data_distribution(string solver, int steps, double tolerance)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var z = randn([20000, 1], ScalarType.Float64, generator: g);
        var x1 = FlowSolvers.Integrate(FlowSolverRegistry.Default.Get(solver), ExactVelocity, z, steps);
        // Against the exact flow, per sample, and against N(μ, σ²) (the sample mean/std of 20 000 draws lie within ~1 % of them).
        (x1 - (Mu + (Sigma * z))).abs().max().item<double>().Should().BeLessThan(tolerance);
        x1.mean().item<double>().Should().BeApproximately(Mu, 0.02);
        x1.std().item<double>().Should().BeApproximately(Sigma, 0.02);
    }

    [Theory]
    [InlineData("euler", 1.8, 2.2)]    // first order: halving the step halves the error
    [InlineData("midpoint", 3.5, 9.0)] // second order (at least): a quarter or less
    [InlineData("heun", 3.5, 4.5)]     // second order
    public void Halving_the_step_divides_the_error_by_two_for_Euler_and_by_four_for_the_second_order_solvers(string solver, double low, double high)
    {
        double coarse = EndPointError(solver, 32);
        double fine = EndPointError(solver, 64);
        (coarse / fine).Should().BeInRange(low, high, "errors {0} at 32 steps and {1} at 64", coarse, fine);
    }

    [Fact]
    public void Integrate_does_not_change_its_input_and_counts_steps()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[] { -1, 0, 1 }).reshape(3, 1);
        var copy = z.clone();
        int calls = 0;
        int lastStep = 0;
        _ = FlowSolvers.Integrate(new HeunSolver(), (x, t) => { calls++; return ExactVelocity(x, t); }, z, 5, step => lastStep = step);
        z.allclose(copy, 0, 0).Should().BeTrue("the solver must not change its input");
        calls.Should().Be(10, "Heun evaluates the field twice per step");
        lastStep.Should().Be(5);
        new EulerSolver().EvaluationsPerStep.Should().Be(1);
        new MidpointSolver().EvaluationsPerStep.Should().Be(2);
    }

    [Fact]
    public void A_trained_network_matches_the_closed_form_field_and_samples_the_data()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        var data = (randn([4096, 1], generator: g) * (float)Sigma) + (float)Mu;
        using var source = new TensorDataSource(data);
        random.manual_seed(5);
        var network = new MlpDenoiser(1, new MlpDenoiserOptions { Width = 64, Depth = 2, TimeEmbeddingDimension = 32 });
        var (model, summary) = FlowTrainer.Train(network, source, new FlowTrainerOptions
        {
            Steps = 1500,
            BatchSize = 512,
            Seed = 1,
            Training = new FlowTrainingOptions { LearningRate = 2e-3 },
        });
        using var _ = model;
        summary.CompletedSteps.Should().Be(1500);

        // The field on a grid of (x, t) where the data's path has mass: x = tμ + s_t·z for z in [−2, 2].
        double[] times = [0.1, 0.3, 0.5, 0.7, 0.9];
        double[] zs = [-2, -1, -0.5, 0, 0.5, 1, 2];
        var t = tensor(times.SelectMany(ti => zs.Select(_ => ti)).ToArray(), ScalarType.Float32);
        var zz = tensor(times.SelectMany(_ => zs).ToArray(), ScalarType.Float32);
        var s = ((1 - t).square() + (t.square() * (float)(Sigma * Sigma))).sqrt();
        var x = ((t * (float)Mu) + (s * zz)).reshape(-1, 1);
        Tensor learned;
        using (inference_mode())
        {
            learned = model.Velocity(x, t);
        }

        var exact = ExactVelocity(x, t);
        double rmsError = (learned - exact).square().mean().sqrt().item<float>();
        double rmsField = exact.square().mean().sqrt().item<float>();
        Console.WriteLine($"flow closed form: rms error {rmsError:F4} of an rms field {rmsField:F4} ({rmsError / rmsField:P2}); max {(learned - exact).abs().max().item<float>():F4}");
        (rmsError / rmsField).Should().BeLessThan(0.05);

        foreach (var (solver, steps) in new[] { ("euler", 50), ("heun", 10) })
        {
            var samples = model.Sample(8192, new Generator(21), new SamplingOptions { Sampler = solver, Steps = steps });
            double mean = samples.mean().item<float>();
            double std = samples.std().item<float>();
            Console.WriteLine($"flow closed form: {solver}-{steps} mean {mean:F4} std {std:F4}");
            mean.Should().BeApproximately(Mu, 0.05, solver);
            std.Should().BeApproximately(Sigma, 0.03, solver);
        }
    }
}

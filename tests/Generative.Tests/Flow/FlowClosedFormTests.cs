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

    private static MlpDenoiser SmallNetwork()
    {
        using var init = new Generator(5);
        return new MlpDenoiser(1, new MlpDenoiserOptions { Width = 64, Depth = 2, TimeEmbeddingDimension = 32 }, init);
    }

    private static FlowModel TrainOnGaussian()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        var data = (randn([4096, 1], generator: g) * (float)Sigma) + (float)Mu;
        using var source = new TensorDataSource(data);
        var (model, summary) = FlowTrainer.Train(SmallNetwork(), source, new FlowTrainerOptions
        {
            Steps = 1500,
            BatchSize = 512,
            Seed = 1,
            Training = new FlowTrainingOptions { LearningRate = 2e-3 },
        });
        summary.CompletedSteps.Should().Be(1500);
        return model;
    }

    [Fact]
    public void Reflow_straightens_the_paths_so_that_one_Euler_step_lands_on_the_data()
    {
        // The first flow of N(0, 1) → N(μ, σ²) is x_t = tμ + s_t·z, curved in t: one Euler step from z follows v*(z, 0) =
        // μ − z and lands every sample on μ (spread 0). Reflow trains on the pairs (z, μ + σz), whose straight path has the
        // velocity μ + (σ − 1)z = μ + (σ − 1)(x − tμ)/(1 − t + tσ): one Euler step is then exact.
        using var scope = NewDisposeScope();
        using var teacher = TrainOnGaussian();
        var student = SmallNetwork();
        student.load_state_dict(teacher.Network.Module.state_dict());
        var (reflowed, summary) = FlowTrainer.Reflow(teacher, student, new FlowReflowOptions
        {
            PairCount = 8192,
            PairSteps = 50,
            Training = new FlowTrainerOptions { Steps = 800, BatchSize = 512, Seed = 2, Training = new FlowTrainingOptions { LearningRate = 1e-3 } },
        });
        using var _ = reflowed;
        summary.CompletedSteps.Should().Be(800);

        var oneStep = new SamplingOptions { Sampler = "euler", Steps = 1 };
        var before = teacher.Sample(8192, new Generator(21), oneStep);
        var after = reflowed.Sample(8192, new Generator(21), oneStep);
        Console.WriteLine($"reflow: Euler-1 before mean {before.mean().item<float>():F4} std {before.std().item<float>():F4}; after mean {after.mean().item<float>():F4} std {after.std().item<float>():F4}");
        before.std().item<float>().Should().BeLessThan(0.15f, "one Euler step of the curved first flow collapses towards μ");
        after.mean().item<float>().Should().BeApproximately((float)Mu, 0.05f);
        after.std().item<float>().Should().BeApproximately((float)Sigma, 0.05f);

        // The reflowed field against its closed form on the grid of the straight paths.
        double[] times = [0.1, 0.3, 0.5, 0.7, 0.9];
        double[] zs = [-2, -1, -0.5, 0, 0.5, 1, 2];
        var t = tensor(times.SelectMany(ti => zs.Select(_ => ti)).ToArray(), ScalarType.Float32);
        var z = tensor(times.SelectMany(_ => zs).ToArray(), ScalarType.Float32);
        var x = ((1 - t) * z) + (t * ((float)Mu + ((float)Sigma * z)));
        var exact = (float)Mu + ((float)(Sigma - 1) * z);
        Tensor learned;
        using (inference_mode())
        {
            learned = reflowed.Velocity(x.reshape(-1, 1), t).reshape(-1);
        }

        double rmsError = (learned - exact).square().mean().sqrt().item<float>();
        double rmsField = exact.square().mean().sqrt().item<float>();
        Console.WriteLine($"reflow closed form: rms error {rmsError:F4} of an rms field {rmsField:F4} ({rmsError / rmsField:P2})");
        (rmsError / rmsField).Should().BeLessThan(0.05);
    }

    [Fact]
    public void A_trained_network_matches_the_closed_form_field_and_samples_the_data()
    {
        using var scope = NewDisposeScope();
        using var model = TrainOnGaussian();

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

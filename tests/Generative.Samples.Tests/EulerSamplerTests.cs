using Generative.Diffusion;
using Generative.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Generative.Samples.CustomSampler;
using Generative.TestSupport;
using Generative.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.Tests;

/// <summary>The Euler sampler written outside the library (samples/Generative.CustomSampler).</summary>
public sealed class EulerSamplerTests
{
    /// <summary>The sampler keeps the contract every sampler keeps (Generative.Testing), for ε, x₀ and v prediction.</summary>
    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.Sample)]
    [InlineData(PredictionType.VPrediction)]
    public void Keeps_the_sampler_contract(PredictionType prediction) =>
        SamplerContract.Verify(schedule => new EulerSampler(schedule, prediction));

    private static readonly NoiseSchedule Linear = new();   // diffusers' defaults: T = 1000, linear β 1e-4 … 0.02

    /// <summary>The dummy-model loop of diffusers' scheduler tests against reference/euler_reference.py (float64).</summary>
    [Theory]
    [InlineData(10, new long[] { 999, 888, 777, 666, 555, 444, 333, 222, 111, 0 }, new[] { -0.176755, -0.121519, -0.066283, -0.011047, 0.044189, 0.099425, 0.154661, 0.209897 })]
    [InlineData(7, new long[] { 999, 832, 666, 500, 333, 166, 0 }, new[] { -0.161748, -0.111202, -0.060656, -0.010109, 0.040437, 0.090983, 0.141530, 0.192076 })]
    public void Dummy_model_loop_matches_the_reference(int steps, long[] timesteps, double[] expected)
    {
        var sampler = new EulerSampler(Linear);
        sampler.SetTimesteps(steps);
        sampler.Timesteps.Should().Equal(timesteps);
        sampler.InitNoiseSigma.Should().BeApproximately(157.410440, 1e-4);   // printed by the script

        using var scope = NewDisposeScope();
        var x = (torch.arange(8, dtype: ScalarType.Float32).reshape(2, 4) / 8 - 0.4) * sampler.InitNoiseSigma;
        foreach (long t in sampler.Timesteps)
        {
            var output = sampler.ScaleModelInput(x, t) * (t / (t + 1.0));
            x = sampler.Step(output, t, x).PrevSample;
        }

        // float32 against float64: the first step works at |x| ≈ 60, so a few 1e-6 relative errors reach ≈ 1e-5 absolute.
        Tolerance.AssertClose((IReadOnlyList<double>)x.flatten().to(ScalarType.Float64).data<double>().ToArray(), expected, atol: 1e-4);
    }

    /// <summary>
    /// With the exact noise prediction for a single point x₀ (ε = (x − x₀)/σ in the σ parameterisation), the probability-flow
    /// ODE is a straight line and Euler solves it exactly: any number of steps lands on x₀. Tested for ε- and v-prediction.
    /// </summary>
    [Theory]
    [InlineData(PredictionType.Epsilon, 1)]
    [InlineData(PredictionType.Epsilon, 13)]
    [InlineData(PredictionType.VPrediction, 4)]
    [InlineData(PredictionType.VPrediction, 50)]
    public void Exact_denoiser_lands_on_the_data_point(PredictionType prediction, int steps)
    {
        var sampler = new EulerSampler(Linear, prediction);
        sampler.SetTimesteps(steps);
        using var g = new Generator(3);
        using var scope = NewDisposeScope();
        var x0 = torch.tensor(new float[] { 0.7f, -1.2f, 0.05f });
        var x = torch.randn([5, 3], generator: g) * sampler.InitNoiseSigma;
        foreach (long t in sampler.Timesteps)
        {
            double abar = Linear.AlphaCumprodAt(t);
            var xt = sampler.ScaleModelInput(x, t);                                  // the VP sample √ᾱ·x₀ + √(1−ᾱ)·ε
            var eps = (xt - (x0 * Math.Sqrt(abar))) / Math.Sqrt(1 - abar);
            var output = prediction == PredictionType.Epsilon ? eps : (eps * Math.Sqrt(abar)) - (x0 * Math.Sqrt(1 - abar));
            var step = sampler.Step(output, t, x);
            Tolerance.AssertClose(step.PredictedOriginalSample!, x0.expand(5, 3), atol: 2e-3, what: $"x̂₀ at t = {t}");
            x = step.PrevSample;
        }

        Tolerance.AssertClose(x, x0.expand(5, 3), atol: 2e-3);
    }

    [Fact]
    public void Misuse_is_reported()
    {
        var sampler = new EulerSampler(Linear);
        using var x = torch.zeros(2, 3);
        sampler.Invoking(s => s.Step(x, 999, x)).Should().Throw<InvalidOperationException>();
        sampler.Invoking(s => s.SetTimesteps(0)).Should().Throw<ArgumentOutOfRangeException>();
        sampler.Invoking(s => s.SetTimesteps(1001)).Should().Throw<ArgumentOutOfRangeException>();
        sampler.SetTimesteps(10);
        sampler.Invoking(s => s.Step(x, 500, x)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timestep");
        using var wrong = torch.zeros(2, 4);
        sampler.Invoking(s => s.Step(wrong, 999, x)).Should().Throw<ArgumentException>().WithMessage("*[2, 3]*[2, 4]*");
    }

    /// <summary>
    /// Registered by name and passed as a factory, Euler runs through the model's own loop and gives, to the last digit,
    /// what the hand-written loop of ISampler's documentation (the loop this sample used to carry) gives, with the EMA
    /// network and the data's units.
    /// </summary>
    [Fact]
    public void By_name_and_by_factory_the_library_loop_equals_the_documented_manual_loop()
    {
        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 200 });
        using var model = new DiffusionModel(
            Perturbed(1), schedule, emaDenoiser: Perturbed(2),
            standardization: new Generative.Data.DataStandardization([1, -2], [0.5, 3]));
        CustomSamplerDemo.Register();
        CustomSamplerDemo.Register();   // idempotent

        var byName = model.Sample(64, new Generator(9), new SamplingOptions { Sampler = "euler", Steps = 6, BatchSize = 64 });
        var byFactory = CustomSamplerDemo.SampleWithEuler(model, 64, 6, new Generator(9));
        var manual = ManualLoop(model, new EulerSampler(schedule), 64, 6, new Generator(9));
        byName.data<float>().ToArray().Should().Equal(manual.data<float>().ToArray());
        byFactory.data<float>().ToArray().Should().Equal(manual.data<float>().ToArray());
    }

    /// <summary>In a container (<c>AddSampler&lt;EulerSampler&gt;</c>), a request naming the sampler samples the hosted
    /// model with it, with the numbers of the manual loop.</summary>
    [Fact]
    public void In_a_container_a_request_naming_the_sampler_samples_the_hosted_model_with_it()
    {
        var services = new ServiceCollection();
        services.AddGenerative()
            .AddModel("points", _ => new DiffusionModel(
                Perturbed(3), new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 200 }),
                standardization: new Generative.Data.DataStandardization([1, -2], [0.5, 3])))
            .AddEulerSampler("euler-hosted");   // "euler" may already be in SamplerRegistry.Default in this test process
        using var provider = services.BuildServiceProvider();
        var model = (DiffusionModel)provider.GetRequiredKeyedService<IGenerativeModel>("points");

        using var hosted = provider.GetRequiredService<ISyntheticDataGenerator>()
            .Generate("points", new GenerationRequest(32) { Seed = 9, Sampler = "euler-hosted", Steps = 6, BatchSize = 32 });
        using var scope = NewDisposeScope();
        var manual = ManualLoop(model, new EulerSampler(model.Schedule), 32, 6, new Generator(9));
        hosted.Samples.data<float>().ToArray().Should().Equal(manual.data<float>().ToArray());
    }

    /// <summary>A 2-D denoiser with every weight perturbed (its output layer starts at zero).</summary>
    private static MlpDenoiser Perturbed(int seed)
    {
        var net = new MlpDenoiser(2, generator: new Generator((ulong)seed));
        using (torch.no_grad())
        using (var g = new Generator((ulong)seed + 50))
        {
            foreach (var p in net.parameters())
            {
                using var noise = torch.randn(p.shape, generator: g) * 0.1f;
                p.add_(noise);
            }
        }

        return net;
    }

    /// <summary>The sampling loop of ISampler's documentation, written out by hand over public members.</summary>
    private static Tensor ManualLoop(DiffusionModel model, ISampler sampler, int count, int steps, Generator g)
    {
        var denoiser = model.EmaDenoiser ?? model.Denoiser;
        sampler.SetTimesteps(steps);
        using var inference = torch.inference_mode();
        var x = torch.randn(model.SampleShape.WithBatch(count), generator: g) * sampler.InitNoiseSigma;
        foreach (long t in sampler.Timesteps)
        {
            var output = denoiser.Predict(sampler.ScaleModelInput(x, t), torch.full([count], t, dtype: ScalarType.Int64));
            x = sampler.Step(output, t, x, g).PrevSample;
        }

        return model.Standardization!.Unstandardize(x).clone();
    }

    /// <summary>A short training run: Euler, driven through the public API only, reaches every mode about as often as DDIM.</summary>
    [Fact]
    public void Short_run_lands_near_the_modes_like_ddim()
    {
        var scores = CustomSamplerDemo.Run(new CustomSamplerSettings(TrainingSteps: 400, SamplingSteps: 10, SampleCount: 500));
        var ddim = scores.Single(s => s.Name == "ddim");
        var euler = scores.Single(s => s.Name == "euler");
        euler.Coverage.ModesCaptured.Should().Be(4);
        ddim.Coverage.ModesCaptured.Should().Be(4);
        euler.Coverage.HighQualityFraction!.Value.Should().BeGreaterThan(ddim.Coverage.HighQualityFraction!.Value - 0.15);
    }
}

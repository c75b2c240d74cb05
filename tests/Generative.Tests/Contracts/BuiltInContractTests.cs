using Generative.Diffusion;
using Generative.Gan;
using Generative.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Contracts;

/// <summary>The built-in samplers, schedules and networks pass the contract kit that extension authors run.</summary>
public sealed class BuiltInContractTests
{
    public static TheoryData<string> Samplers() => new() { "ddpm", "ddpm-fixed-large", "ddim", "ddim-eta-1", "ddim-cosine" };

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Built_in_samplers_keep_the_sampler_contract(string name)
    {
        using var cosine = new NoiseSchedule(new NoiseScheduleOptions { BetaSchedule = BetaSchedule.SquaredCosCapV2 });
        Func<INoiseSchedule, ISampler> create = name switch
        {
            "ddpm" => s => new DdpmSampler(s),
            "ddpm-fixed-large" => s => new DdpmSampler(s, new DdpmSamplerOptions { VarianceType = DdpmVarianceType.FixedLarge }),
            "ddim" or "ddim-cosine" => s => new DdimSampler(s),
            "ddim-eta-1" => s => new DdimSampler(s, new DdimSamplerOptions { Eta = 1 }),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        SamplerContract.Verify(create, new SamplerContractOptions { Schedule = name == "ddim-cosine" ? cosine : null });
    }

    [Theory]
    [InlineData(BetaSchedule.Linear)]
    [InlineData(BetaSchedule.ScaledLinear)]
    [InlineData(BetaSchedule.SquaredCosCapV2)]
    [InlineData(BetaSchedule.Sigmoid)]
    public void Built_in_schedules_keep_the_schedule_contract(BetaSchedule kind)
    {
        using var schedule = new NoiseSchedule(new NoiseScheduleOptions { BetaSchedule = kind });
        NoiseScheduleContract.Verify(schedule);
    }

    [Fact]
    public void Built_in_denoisers_keep_the_network_contract()
    {
        NetworkContract.VerifyDenoiser(g => new MlpDenoiser(2, new MlpDenoiserOptions { Width = 32, Depth = 2 }, g));
        NetworkContract.VerifyDenoiser(g => new MlpDenoiser(3, new MlpDenoiserOptions { Width = 32, Depth = 2, ClassCount = 4 }, g));
        NetworkContract.VerifyDenoiser(g => new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 8, GroupCount = 4 }, g));
    }

    [Fact]
    public void Built_in_generators_and_critics_keep_the_network_contract()
    {
        NetworkContract.VerifyGenerator(g => new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 4, HiddenWidth = 16 }, g));
        NetworkContract.VerifyGenerator(g => new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(3), LatentDimension = 4, HiddenWidth = 16, ClassCount = 3 }, g));
        NetworkContract.VerifyGenerator(g => new ConvGenerator(new ConvGeneratorOptions { ImageSize = 8, Channels = 1, LatentDimension = 16, Width = 8 }, g));
        NetworkContract.VerifyDiscriminator(g => new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 16 }, g));
        NetworkContract.VerifyDiscriminator(g => new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 16, SpectralNormalization = true, ClassCount = 3 }, g));
        NetworkContract.VerifyDiscriminator(g => new ConvCritic(new ConvCriticOptions { ImageSize = 8, Channels = 1, Width = 8, SpectralNormalization = true }, g));
    }
}

/// <summary>The kit fails types that break their contract, naming how: a check that cannot fail would prove nothing.</summary>
public sealed class ContractKitTests
{
    [Fact]
    public void A_sampler_that_draws_from_the_global_generator_and_writes_into_its_input_fails()
    {
        var act = () => SamplerContract.Verify(s => new CarelessSampler(s));
        var e = act.Should().Throw<ContractViolationException>().Which;
        e.Violations.Should().Contain(v => v.Contains("same generator seed gave different samples", StringComparison.Ordinal));
        e.Violations.Should().Contain(v => v.Contains("modified its sample argument", StringComparison.Ordinal));
        e.Violations.Should().Contain(v => v.Contains("dtype Float32, expected Float64", StringComparison.Ordinal));
        e.Violations.Should().Contain(v => v.StartsWith("SetTimesteps(0): expected ArgumentOutOfRangeException", StringComparison.Ordinal));
        e.Violations.Should().Contain(v => v.StartsWith("Step with a model output of shape [4, 3] for a sample of [4, 2]: expected ArgumentException", StringComparison.Ordinal));
    }

    [Fact]
    public void A_schedule_whose_products_are_off_fails()
    {
        using var good = new NoiseSchedule();
        var act = () => NoiseScheduleContract.Verify(new OffByOneSchedule(good));
        act.Should().Throw<ContractViolationException>()
            .Which.Violations.Should().Contain(v => v.StartsWith("AddNoise in Float32 is not", StringComparison.Ordinal));
    }

    [Fact]
    public void A_network_that_ignores_the_generator_and_leaves_weights_uninitialised_fails()
    {
        var act = () => NetworkContract.VerifyGenerator(_ => new UnseededGenerator());
        var e = act.Should().Throw<ContractViolationException>().Which;
        e.Violations.Should().Contain(v => v.Contains("not finite once built", StringComparison.Ordinal));
        e.Violations.Should().Contain(v => v.Contains("same generator seed have different weights", StringComparison.Ordinal));
        e.Violations.Should().Contain(v => v.StartsWith("a forward pass on [3, 5]", StringComparison.Ordinal) && v.EndsWith("expected ArgumentException, but nothing was thrown", StringComparison.Ordinal));
    }

    /// <summary>DDIM's step with three faults: global noise, an in-place write into x_t, float32 results; no range checks.</summary>
    private sealed class CarelessSampler(INoiseSchedule schedule) : ISampler
    {
        private long[] _timesteps = [];

        public INoiseSchedule Schedule => schedule;
        public IReadOnlyList<long> Timesteps => _timesteps;
        public double InitNoiseSigma => 1;

        public void SetTimesteps(int inferenceSteps) =>
            _timesteps = Enumerable.Range(0, Math.Max(1, inferenceSteps)).Select(i => (long)(schedule.TrainTimesteps - 1 - i * (schedule.TrainTimesteps / Math.Max(1, inferenceSteps)))).ToArray();

        public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

        public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null)
        {
            if (_timesteps.Length == 0)
            {
                throw new InvalidOperationException("SetTimesteps first");
            }

            sample.mul_(0.99);
            var next = (sample - modelOutput * 0.01 + randn_like(sample) * 0.01).to_type(ScalarType.Float32);
            return new SamplerStepOutput(next, null);
        }
    }

    /// <summary>A schedule whose AddNoise uses ᾱ of the next timestep.</summary>
    private sealed class OffByOneSchedule(NoiseSchedule inner) : INoiseSchedule
    {
        public int TrainTimesteps => inner.TrainTimesteps;
        public Tensor Betas => inner.Betas;
        public Tensor Alphas => inner.Alphas;
        public Tensor AlphasCumprod => inner.AlphasCumprod;
        public double AlphaCumprodAt(long timestep) => inner.AlphaCumprodAt(timestep);
        public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) => inner.AddNoise(originalSamples, noise, (timesteps + 1).clamp_max(TrainTimesteps - 1));
        public Tensor GetVelocity(Tensor samples, Tensor noise, Tensor timesteps) => inner.GetVelocity(samples, noise, timesteps);
        public Tensor SignalToNoiseRatio(Tensor timesteps) => inner.SignalToNoiseRatio(timesteps);
    }

    /// <summary>A generator with an unseeded layer, an uninitialised one, and no shape check.</summary>
    private sealed class UnseededGenerator : IGenerator
    {
        private readonly nn.Module<Tensor, Tensor> _net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2));

        public UnseededGenerator()
        {
            using var noGrad = no_grad();
            _net.parameters().Last().fill_(double.NaN);
        }

        public TensorShape LatentShape { get; } = new(4);
        public TensorShape SampleShape { get; } = new(2);
        public int ClassCount => 0;
        public nn.Module Module => _net;
        public Tensor Generate(Tensor latent, Tensor? classLabels = null) => _net.call(latent.narrow(1, 0, 4).contiguous());
    }
}

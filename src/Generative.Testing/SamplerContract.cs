using Generative.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Testing;

/// <summary>What <see cref="SamplerContract.Verify"/> exercises; the defaults suit any sampler of a 1,000-step schedule.</summary>
public sealed record SamplerContractOptions
{
    /// <summary>The schedule the samplers are made for; <see langword="null"/>: a 1,000-step linear schedule (DDPM's).</summary>
    public INoiseSchedule? Schedule { get; init; }

    /// <summary>Step counts passed to <see cref="ISampler.SetTimesteps"/>; the schedule's own step count is added.</summary>
    public IReadOnlyList<int> InferenceSteps { get; init; } = [1, 2, 10, 50];

    /// <summary>Sample shapes (batch first) the sampling loop runs on, each in float32 and float64.</summary>
    public IReadOnlyList<long[]> SampleShapes { get; init; } = [[4, 2], [2, 3, 8, 8]];

    /// <summary>The seed of the runs' generators.</summary>
    public long Seed { get; init; } = 1234;
}

/// <summary>
/// The contract every <see cref="ISampler"/> keeps, as a check a sampler's author runs from any test framework (the
/// counterpart of diffusers' <c>SchedulerCommonTest</c>):
/// <code>
/// [Fact] public void Keeps_the_sampler_contract() => SamplerContract.Verify(schedule => new EulerSampler(schedule));
/// </code>
/// </summary>
/// <remarks>
/// Checked: the sampler reports the schedule it was made for and no timesteps before <see cref="ISampler.SetTimesteps"/>;
/// <c>Step</c> before <c>SetTimesteps</c> is an <see cref="InvalidOperationException"/>; 0 and more than the schedule's
/// steps are an <see cref="ArgumentOutOfRangeException"/>; timesteps are non-empty, in range and descending; a positive
/// finite <see cref="ISampler.InitNoiseSigma"/>; through whole sampling loops in float32 and float64, every
/// <c>ScaleModelInput</c> and <c>Step</c> result keeps the sample's shape and dtype and is finite, and no input is
/// modified; a model output of the wrong shape is an <see cref="ArgumentException"/>; the same generator seed gives the
/// same samples bit for bit whatever the global random state (every draw comes from the generator); calling
/// <c>SetTimesteps</c> again resets a used sampler to a fresh one's results; a loop run in a dispose scope leaves no
/// tensor alive.
/// </remarks>
public static class SamplerContract
{
    /// <summary>Runs every check and throws once with all the violations found.</summary>
    /// <param name="createSampler">Makes a new sampler for a schedule (called several times).</param>
    /// <param name="options">What to exercise; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ContractViolationException">The sampler breaks the contract; the message lists how.</exception>
    public static void Verify(Func<INoiseSchedule, ISampler> createSampler, SamplerContractOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(createSampler);
        options ??= new SamplerContractOptions();
        NoiseSchedule? owned = options.Schedule is null ? new NoiseSchedule() : null;
        INoiseSchedule schedule = options.Schedule ?? owned!;
        try
        {
            ISampler probe = createSampler(schedule);
            var violations = new Violations(probe.GetType().Name);
            Check(createSampler, schedule, options, violations);
            violations.ThrowIfAny();
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static void Check(Func<INoiseSchedule, ISampler> create, INoiseSchedule schedule, SamplerContractOptions options, Violations v)
    {
        int trainSteps = schedule.TrainTimesteps;
        v.Run("a new sampler", () =>
        {
            ISampler fresh = create(schedule);
            v.Check(ReferenceEquals(fresh.Schedule, schedule), "Schedule is not the schedule the sampler was made for");
            v.Check(fresh.Timesteps.Count == 0, $"Timesteps has {fresh.Timesteps.Count} entries before SetTimesteps (expected none)");
            v.Check(double.IsFinite(fresh.InitNoiseSigma) && fresh.InitNoiseSigma > 0, $"InitNoiseSigma is {fresh.InitNoiseSigma} (expected positive and finite)");
            using var scope = NewDisposeScope();
            using var x = zeros(2, 2);
            v.Throws<InvalidOperationException>("Step before SetTimesteps", () => fresh.Step(x, trainSteps - 1, x, new Generator(0)));
        });
        v.Throws<ArgumentOutOfRangeException>("SetTimesteps(0)", () => create(schedule).SetTimesteps(0));
        v.Throws<ArgumentOutOfRangeException>($"SetTimesteps({trainSteps + 1}) on a {trainSteps}-step schedule", () => create(schedule).SetTimesteps(trainSteps + 1));

        foreach (int steps in options.InferenceSteps.Append(trainSteps).Where(n => n >= 1 && n <= trainSteps).Distinct())
        {
            v.Run($"SetTimesteps({steps})", () =>
            {
                ISampler sampler = create(schedule);
                sampler.SetTimesteps(steps);
                IReadOnlyList<long> t = sampler.Timesteps;
                v.Check(t.Count > 0, $"SetTimesteps({steps}) left Timesteps empty");
                v.Check(t.All(x => x >= 0 && x < trainSteps), $"SetTimesteps({steps}) gave timesteps outside [0, {trainSteps - 1}]");
                v.Check(t.Zip(t.Skip(1)).All(p => p.First >= p.Second), $"SetTimesteps({steps}) gave timesteps that are not in descending order");
            });
        }

        int loopSteps = Math.Min(10, trainSteps);
        foreach (long[] shape in options.SampleShapes)
        {
            foreach (ScalarType dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            {
                v.Run($"sampling {TensorShape.Format(shape)} {dtype} in {loopSteps} steps", () => RunLoop(create(schedule), shape, dtype, options.Seed, loopSteps, v).Dispose());
            }
        }

        long[] first = options.SampleShapes[0];
        v.Run($"sampling {TensorShape.Format(first)} in 1 and {trainSteps} steps", () =>
        {
            RunLoop(create(schedule), first, ScalarType.Float32, options.Seed, 1, v).Dispose();
            RunLoop(create(schedule), first, ScalarType.Float32, options.Seed, trainSteps, v).Dispose();
        });

        v.Run("a model output of the wrong shape", () =>
        {
            ISampler sampler = create(schedule);
            sampler.SetTimesteps(loopSteps);
            using var scope = NewDisposeScope();
            var sample = zeros(first);
            var wrong = zeros(first.Select((d, i) => i == first.Length - 1 ? d + 1 : d).ToArray());
            v.Throws<ArgumentException>($"Step with a model output of shape {TensorShape.Format(wrong.shape)} for a sample of {TensorShape.Format(first)}",
                () => sampler.Step(wrong, sampler.Timesteps[0], sample, new Generator(0)));
        });

        v.Run("determinism", () =>
        {
            torch.manual_seed(1);
            using var a = RunLoop(create(schedule), first, ScalarType.Float32, options.Seed, loopSteps, v);
            torch.manual_seed(2);
            _ = torch.rand(17); // moves the global generator: a sampler that draws from it would differ
            using var b = RunLoop(create(schedule), first, ScalarType.Float32, options.Seed, loopSteps, v);
            v.Check(Tensors.Same(a, b), "two runs with the same generator seed gave different samples (a draw that does not come from the generator?)");

            ISampler reused = create(schedule);
            RunLoop(reused, first, ScalarType.Float32, options.Seed + 1, loopSteps, v).Dispose();
            using var c = RunLoop(reused, first, ScalarType.Float32, options.Seed, loopSteps, v);
            v.Check(Tensors.Same(a, c), "a sampler used once and given SetTimesteps again gave other samples than a fresh one (state not reset by SetTimesteps)");
        });

        v.Run("leaked tensors", () =>
        {
            ISampler sampler = create(schedule);
            RunLoop(sampler, first, ScalarType.Float32, options.Seed, loopSteps, v).Dispose(); // first use may cache tensors
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (NewDisposeScope())
            {
                RunLoop(sampler, first, ScalarType.Float32, options.Seed, loopSteps, v);
            }

            long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            v.Check(after == before, $"a sampling loop run in a dispose scope left {after - before} tensor(s) alive (made outside the caller's scope?)");
        });
    }

    /// <summary>A whole sampling loop with a fixed stand-in for the network (0.1 × its input); checks every call on the way.</summary>
    private static Tensor RunLoop(ISampler sampler, long[] shape, ScalarType dtype, long seed, int steps, Violations v)
    {
        sampler.SetTimesteps(steps);
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        using var sigma = sampler.InitNoiseSigma.ToScalar();
        using var scale = 0.1.ToScalar();
        Tensor x = randn(shape, dtype, generator: generator).mul_(sigma);
        foreach (long t in sampler.Timesteps)
        {
            using var stepScope = NewDisposeScope();
            Tensor input = sampler.ScaleModelInput(x, t);
            v.CheckTensor($"ScaleModelInput at t = {t}", input, shape, dtype);
            Tensor output = input.mul(scale);
            Tensor sampleBefore = x.clone(), outputBefore = output.clone();
            SamplerStepOutput result = sampler.Step(output, t, x, generator);
            v.Check(Tensors.Same(x, sampleBefore), $"Step at t = {t} modified its sample argument");
            v.Check(Tensors.Same(output, outputBefore), $"Step at t = {t} modified its model output argument");
            v.CheckTensor($"Step's PrevSample at t = {t}", result.PrevSample, shape, dtype);
            if (result.PredictedOriginalSample is { } x0)
            {
                v.CheckTensor($"Step's PredictedOriginalSample at t = {t}", x0, shape, dtype);
            }

            x = result.PrevSample.MoveToOuterDisposeScope();
        }

        return x.MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>
/// The ancestral sampler of Ho et al. (2020), step for step equal to diffusers' <c>DDPMScheduler</c> with the same
/// options: same timesteps, same float32 arithmetic, and one <c>randn</c> of the sample's shape from the given
/// generator per step with t &gt; 0, so the same seed gives diffusers' samples.
/// </summary>
/// <remarks>
/// <para>State: the inference timesteps chosen by <see cref="SetTimesteps(int)"/> or
/// <see cref="SetTimesteps(IReadOnlyList{long})"/>. One sampling run at a time; not thread-safe (create one per run; they are cheap).</para>
/// <para>Ownership: <see cref="Step"/> returns new tensors owned by the caller and never disposes its inputs.</para>
/// </remarks>
public sealed class DdpmSampler : ISampler
{
    private readonly float[] _alphasCumprod;
    private long[] _timesteps = [];
    private Dictionary<long, int> _index = [];
    private Generator? _fallbackGenerator;

    /// <summary>Creates the sampler.</summary>
    /// <param name="schedule">The forward process; shared, not owned.</param>
    /// <param name="options">The options; <see langword="null"/> for diffusers' defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DdpmSampler(INoiseSchedule schedule, DdpmSamplerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Options = options ?? new DdpmSamplerOptions();
        Options.Validate();
        Schedule = schedule;
        _alphasCumprod = SamplerCore.AlphasCumprod(schedule);
    }

    /// <summary>The options.</summary>
    public DdpmSamplerOptions Options { get; }

    /// <inheritdoc />
    public INoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public IReadOnlyList<long> Timesteps => _timesteps;

    /// <summary>Whether the timesteps were given explicitly (<see cref="SetTimesteps(IReadOnlyList{long})"/>).</summary>
    public bool CustomTimesteps { get; private set; }

    /// <inheritdoc />
    public double InitNoiseSigma => 1.0;

    /// <inheritdoc />
    public void SetTimesteps(int inferenceSteps)
    {
        Use(SamplerCore.ComputeTimesteps(Schedule.TrainTimesteps, inferenceSteps, Options.TimestepSpacing, Options.StepsOffset));
        CustomTimesteps = false;
    }

    /// <summary>Uses explicit timesteps (diffusers' <c>set_timesteps(timesteps=…)</c>).</summary>
    /// <param name="timesteps">Strictly descending, the first below <see cref="INoiseSchedule.TrainTimesteps"/>, the last at least 0.</param>
    /// <exception cref="ArgumentException">The list is empty, not strictly descending, or out of range.</exception>
    public void SetTimesteps(IReadOnlyList<long> timesteps)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        if (timesteps.Count == 0)
        {
            throw new ArgumentException("Custom timesteps must not be empty.", nameof(timesteps));
        }

        for (int i = 1; i < timesteps.Count; i++)
        {
            if (timesteps[i] >= timesteps[i - 1])
            {
                throw new ArgumentException(
                    $"Custom timesteps must be in strictly descending order, but timestep {i} ({timesteps[i]}) is not below timestep {i - 1} ({timesteps[i - 1]}).",
                    nameof(timesteps));
            }
        }

        if (timesteps[0] >= Schedule.TrainTimesteps)
        {
            throw new ArgumentException(
                $"Custom timesteps must start below the number of train timesteps ({Schedule.TrainTimesteps}), but start at {timesteps[0]}.", nameof(timesteps));
        }

        if (timesteps[^1] < 0)
        {
            throw new ArgumentException($"Custom timesteps must be at least 0, but end at {timesteps[^1]}.", nameof(timesteps));
        }

        Use([.. timesteps]);
        CustomTimesteps = true;
    }

    /// <summary>The timestep after <paramref name="timestep"/> in <see cref="Timesteps"/>, or −1 after the last (diffusers' <c>previous_timestep</c>).</summary>
    /// <param name="timestep">One of <see cref="Timesteps"/>.</param>
    /// <exception cref="InvalidOperationException">No timesteps are set.</exception>
    /// <exception cref="ArgumentException">The timestep is not one of <see cref="Timesteps"/>.</exception>
    public long PreviousTimestep(long timestep)
    {
        int i = IndexOf(timestep);
        return i + 1 < _timesteps.Length ? _timesteps[i + 1] : -1;
    }

    /// <inheritdoc />
    public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

    /// <inheritdoc />
    /// <remarks>For <see cref="DdpmVarianceType.Learned"/> and <see cref="DdpmVarianceType.LearnedRange"/> the model output
    /// has twice the channels (dimension 1) of the sample: the prediction, then the variance output.</remarks>
    public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        long prev = PreviousTimestep(timestep);
        bool learned = Options.VarianceType is DdpmVarianceType.Learned or DdpmVarianceType.LearnedRange;
        using var scope = NewDisposeScope();
        Tensor output = modelOutput;
        Tensor? predictedVariance = null;
        if (learned)
        {
            var expected = sample.shape.ToArray();
            expected[1] *= 2;
            SamplerCore.EnsureShape(modelOutput, expected, nameof(modelOutput));
            var parts = modelOutput.split(sample.shape[1], 1);
            output = parts[0];
            predictedVariance = parts[1];
        }
        else
        {
            SamplerCore.EnsureShape(modelOutput, sample.shape, nameof(modelOutput));
        }

        float alphaProd = _alphasCumprod[timestep];
        float alphaProdPrev = prev >= 0 ? _alphasCumprod[prev] : 1f;
        float betaProd = 1 - alphaProd;
        float betaProdPrev = 1 - alphaProdPrev;
        float currentAlpha = alphaProd / alphaProdPrev;
        float currentBeta = 1 - currentAlpha;

        var x0 = SamplerCore.PredictOriginal(Options.PredictionType, sample, output, alphaProd, betaProd);
        x0 = SamplerCore.ClipOrThreshold(Options, x0);

        using var originalCoeff = (MathF.Sqrt(alphaProdPrev) * currentBeta / betaProd).ToScalar();
        using var sampleCoeff = (MathF.Sqrt(currentAlpha) * betaProdPrev / betaProd).ToScalar();
        var prevSample = x0.mul(originalCoeff).Plus(sample.mul(sampleCoeff));

        if (timestep > 0)
        {
            var noise = SamplerCore.Noise(output.shape, output.dtype, output.device, generator ?? (_fallbackGenerator ??= SamplerCore.FreshGenerator()));
            float variance = MathF.Max((1 - alphaProdPrev) / (1 - alphaProd) * currentBeta, 1e-20f);
            Tensor scaledNoise;
            switch (Options.VarianceType)
            {
                case DdpmVarianceType.FixedSmall:
                    scaledNoise = Scale(noise, MathF.Sqrt(variance));
                    break;
                case DdpmVarianceType.FixedSmallLog:
                    scaledNoise = Scale(noise, MathF.Exp(0.5f * MathF.Log(variance)));
                    break;
                case DdpmVarianceType.FixedLarge:
                    scaledNoise = Scale(noise, MathF.Sqrt(currentBeta));
                    break;
                case DdpmVarianceType.FixedLargeLog:
                    scaledNoise = Scale(noise, MathF.Exp(0.5f * MathF.Log(currentBeta)));
                    break;
                case DdpmVarianceType.Learned:
                    scaledNoise = predictedVariance!.sqrt().mul(noise);
                    break;
                default:
                    using (var minLog = MathF.Log(variance).ToScalar())
                    using (var maxLog = MathF.Log(currentBeta).ToScalar())
                    using (var one = 1.ToScalar())
                    using (var two = 2.ToScalar())
                    using (var half = 0.5.ToScalar())
                    {
                        var frac = predictedVariance!.Plus(one).div(two);
                        var logVariance = frac.mul(maxLog).Plus(frac.neg().Plus(one).mul(minLog));
                        scaledNoise = logVariance.mul(half).exp().mul(noise);
                    }

                    break;
            }

            prevSample = prevSample.Plus(scaledNoise);
        }

        return new SamplerStepOutput(prevSample.MoveToOuterDisposeScope(), x0.MoveToOuterDisposeScope());
    }

    /// <summary>The variance of the step from <paramref name="timestep"/> (diffusers' <c>_get_variance</c>, before its
    /// variance-type branch; fixed_small). Internal: for the diffusers variance tests.</summary>
    internal float PosteriorVariance(long timestep)
    {
        long prev = PreviousTimestep(timestep);
        float alphaProd = _alphasCumprod[timestep];
        float alphaProdPrev = prev >= 0 ? _alphasCumprod[prev] : 1f;
        float currentBeta = 1 - (alphaProd / alphaProdPrev);
        return MathF.Max((1 - alphaProdPrev) / (1 - alphaProd) * currentBeta, 1e-20f);
    }

    private static Tensor Scale(Tensor noise, float std)
    {
        using var s = std.ToScalar();
        return noise.mul(s);
    }

    private int IndexOf(long timestep)
    {
        if (_timesteps.Length == 0)
        {
            throw new InvalidOperationException("No timesteps are set; call SetTimesteps before Step.");
        }

        if (!_index.TryGetValue(timestep, out int i))
        {
            throw new ArgumentException($"Timestep {timestep} is not one of the sampler's timesteps ({_timesteps[0]} … {_timesteps[^1]}).", nameof(timestep));
        }

        return i;
    }

    private void Use(long[] timesteps)
    {
        _timesteps = timesteps;
        _index = new Dictionary<long, int>(timesteps.Length);
        for (int i = 0; i < timesteps.Length; i++)
        {
            _index[timesteps[i]] = i;
        }
    }
}

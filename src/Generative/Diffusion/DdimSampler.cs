using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>
/// The DDIM sampler of Song et al. (2021), equal to diffusers' <c>DDIMScheduler</c> under leading and trailing spacing
/// (same timesteps, same float32 arithmetic, one <c>randn</c> of the sample's shape per step when η &gt; 0).
/// </summary>
/// <remarks>
/// <para>One deliberate difference: each step goes to the NEXT TIMESTEP OF THE SCHEDULE. diffusers goes to
/// t − T/n (integer division), which under linspace spacing (and trailing spacing when n does not divide T) is not a
/// timestep of the schedule (diffusers issue #12633). Where T/n is the real gap, both agree.</para>
/// <para>With all train timesteps and η = 1 this sampler takes exactly DDPM's posterior step (fixed-small variance).</para>
/// <para>State and ownership as for <see cref="DdpmSampler"/>: one run at a time, not thread-safe; results belong to the caller.</para>
/// </remarks>
public sealed class DdimSampler : ISampler
{
    private readonly float[] _alphasCumprod;
    private readonly float _finalAlphaCumprod;
    private long[] _timesteps = [];
    private Dictionary<long, int> _index = [];
    private Generator? _fallbackGenerator;

    /// <summary>Creates the sampler.</summary>
    /// <param name="schedule">The forward process; shared, not owned.</param>
    /// <param name="options">The options (η among them); <see langword="null"/> for diffusers' defaults (η = 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DdimSampler(INoiseSchedule schedule, DdimSamplerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Options = options ?? new DdimSamplerOptions();
        Options.Validate();
        Schedule = schedule;
        _alphasCumprod = SamplerCore.AlphasCumprod(schedule);
        _finalAlphaCumprod = Options.SetAlphaToOne ? 1f : _alphasCumprod[0];
    }

    /// <summary>The options.</summary>
    public DdimSamplerOptions Options { get; }

    /// <inheritdoc />
    public INoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public IReadOnlyList<long> Timesteps => _timesteps;

    /// <inheritdoc />
    public double InitNoiseSigma => 1.0;

    /// <inheritdoc />
    public void SetTimesteps(int inferenceSteps)
    {
        var timesteps = SamplerCore.ComputeTimesteps(Schedule.TrainTimesteps, inferenceSteps, Options.TimestepSpacing, Options.StepsOffset);
        _timesteps = timesteps;
        _index = new Dictionary<long, int>(timesteps.Length);
        for (int i = 0; i < timesteps.Length; i++)
        {
            _index[timesteps[i]] = i;
        }
    }

    /// <summary>The timestep after <paramref name="timestep"/> in <see cref="Timesteps"/>, or −1 after the last.</summary>
    /// <param name="timestep">One of <see cref="Timesteps"/>.</param>
    /// <exception cref="InvalidOperationException">No timesteps are set.</exception>
    /// <exception cref="ArgumentException">The timestep is not one of <see cref="Timesteps"/>.</exception>
    public long PreviousTimestep(long timestep)
    {
        if (_timesteps.Length == 0)
        {
            throw new InvalidOperationException("No timesteps are set; call SetTimesteps before Step.");
        }

        if (!_index.TryGetValue(timestep, out int i))
        {
            throw new ArgumentException($"Timestep {timestep} is not one of the sampler's timesteps ({_timesteps[0]} … {_timesteps[^1]}).", nameof(timestep));
        }

        return i + 1 < _timesteps.Length ? _timesteps[i + 1] : -1;
    }

    /// <inheritdoc />
    public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

    /// <inheritdoc />
    public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        long prev = PreviousTimestep(timestep);
        SamplerCore.EnsureShape(modelOutput, sample.shape, nameof(modelOutput));
        using var scope = NewDisposeScope();

        float alphaProd = _alphasCumprod[timestep];
        float alphaProdPrev = prev >= 0 ? _alphasCumprod[prev] : _finalAlphaCumprod;
        float betaProd = 1 - alphaProd;
        using var sqrtAlpha = MathF.Sqrt(alphaProd).ToScalar();
        using var sqrtBeta = MathF.Sqrt(betaProd).ToScalar();

        Tensor x0, epsilon;
        switch (Options.PredictionType)
        {
            case PredictionType.Epsilon:
                x0 = SamplerCore.PredictOriginal(PredictionType.Epsilon, sample, modelOutput, alphaProd, betaProd);
                epsilon = modelOutput.alias();
                break;
            case PredictionType.Sample:
                x0 = modelOutput.alias();
                epsilon = sample.sub(x0.mul(sqrtAlpha)).div(sqrtBeta);
                break;
            default:
                x0 = sample.mul(sqrtAlpha).sub(modelOutput.mul(sqrtBeta));
                epsilon = modelOutput.mul(sqrtAlpha).Plus(sample.mul(sqrtBeta));
                break;
        }

        x0 = SamplerCore.ClipOrThreshold(Options, x0);
        float variance = Variance(timestep, prev);
        float std = (float)Options.Eta * MathF.Sqrt(variance);
        if (Options.UseClippedModelOutput)
        {
            epsilon = sample.sub(x0.mul(sqrtAlpha)).div(sqrtBeta);
        }

        using var directionCoeff = MathF.Sqrt(1 - alphaProdPrev - (std * std)).ToScalar();
        using var originalCoeff = MathF.Sqrt(alphaProdPrev).ToScalar();
        var prevSample = x0.mul(originalCoeff).Plus(epsilon.mul(directionCoeff));
        if (Options.Eta > 0)
        {
            var noise = SamplerCore.Noise(modelOutput.shape, modelOutput.dtype, modelOutput.device, generator ?? (_fallbackGenerator ??= SamplerCore.FreshGenerator()));
            using var s = std.ToScalar();
            prevSample = prevSample.Plus(noise.mul(s));
        }

        return new SamplerStepOutput(prevSample.MoveToOuterDisposeScope(), x0.MoveToOuterDisposeScope());
    }

    /// <summary>σ²_t(η=1) = (1 − ᾱ_prev)/(1 − ᾱ_t)·(1 − ᾱ_t/ᾱ_prev) (diffusers' <c>_get_variance</c>). Internal: for the variance tests.</summary>
    internal float Variance(long timestep, long previousTimestep)
    {
        float alphaProd = _alphasCumprod[timestep];
        float alphaProdPrev = previousTimestep >= 0 ? _alphasCumprod[previousTimestep] : _finalAlphaCumprod;
        float betaProd = 1 - alphaProd;
        float betaProdPrev = 1 - alphaProdPrev;
        return betaProdPrev / betaProd * (1 - (alphaProd / alphaProdPrev));
    }
}

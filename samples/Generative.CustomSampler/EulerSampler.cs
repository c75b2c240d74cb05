using Generative;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.CustomSampler;

/// <summary>
/// The Euler method on the probability-flow ODE in σ (Karras et al. 2022, "Elucidating the design space of
/// diffusion-based generative models", Algorithm 1 without the Heun correction), for a model trained on a
/// variance-preserving schedule: x = x₀ + σ·ε with σ_t = √((1 − ᾱ_t)/ᾱ_t). The network sees x/√(σ² + 1) (the VP sample at
/// t), so <see cref="ScaleModelInput"/> does that, and the initial noise has standard deviation √(σ_max² + 1), as in
/// diffusers' <c>EulerDiscreteScheduler</c>. Each step: x̂₀ from the network output, d = (x − x̂₀)/σ,
/// x ← x + (σ_next − σ)·d, with σ = 0 after the last timestep.
/// </summary>
/// <remarks>Written against the public <see cref="ISampler"/> contract only; nothing in the library was changed for it.
/// One sampling run at a time (not thread-safe), like the library's samplers.</remarks>
public sealed class EulerSampler : ISampler
{
    private readonly PredictionType _predictionType;
    private long[] _timesteps = [];
    private double[] _sigmas = [];
    private readonly Dictionary<long, int> _index = [];

    /// <summary>Creates the sampler for a schedule.</summary>
    /// <param name="schedule">The schedule the model was trained with.</param>
    /// <param name="predictionType">What the network predicts.</param>
    public EulerSampler(INoiseSchedule schedule, PredictionType predictionType = PredictionType.Epsilon)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
        _predictionType = predictionType;
    }

    /// <inheritdoc />
    public INoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public IReadOnlyList<long> Timesteps => _timesteps;

    /// <inheritdoc />
    public double InitNoiseSigma => _sigmas.Length == 0 ? 1.0 : Math.Sqrt((_sigmas[0] * _sigmas[0]) + 1);

    /// <summary>σ_t = √((1 − ᾱ_t)/ᾱ_t) of a train timestep.</summary>
    public double SigmaAt(long timestep)
    {
        double a = Schedule.AlphaCumprodAt(timestep);
        return Math.Sqrt((1 - a) / a);
    }

    /// <summary>Timesteps evenly spaced from T − 1 down to 0 (diffusers' "linspace" spacing), rounded.</summary>
    public void SetTimesteps(int inferenceSteps)
    {
        int T = Schedule.TrainTimesteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(inferenceSteps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inferenceSteps, T);
        _timesteps = new long[inferenceSteps];
        _sigmas = new double[inferenceSteps + 1];
        _index.Clear();
        for (int i = 0; i < inferenceSteps; i++)
        {
            // Spacing ≥ 1 when n ≤ T, so the rounded timesteps are distinct.
            double t = inferenceSteps == 1 ? T - 1 : (T - 1) * (1.0 - (i / (double)(inferenceSteps - 1)));
            _timesteps[i] = (long)Math.Round(t, MidpointRounding.ToEven);
            _sigmas[i] = SigmaAt(_timesteps[i]);
            _index[_timesteps[i]] = i;
        }

        _sigmas[inferenceSteps] = 0;
    }

    /// <inheritdoc />
    public Tensor ScaleModelInput(Tensor sample, long timestep)
    {
        double sigma = _sigmas[IndexOf(timestep)];
        using var scale = (1.0 / Math.Sqrt((sigma * sigma) + 1)).ToScalar();
        return sample * scale;
    }

    /// <inheritdoc />
    public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (!modelOutput.shape.SequenceEqual(sample.shape))
        {
            throw new ArgumentException($"Expected a model output of shape {TensorShape.Format(sample.shape)}, but got {TensorShape.Format(modelOutput.shape)}.", nameof(modelOutput));
        }

        int i = IndexOf(timestep);
        double sigma = _sigmas[i];
        double next = _sigmas[i + 1];
        double c = Math.Sqrt((sigma * sigma) + 1);
        // Explicit Scalars, disposed here: implicit ones from doubles would hold native memory until the GC runs.
        using var sSigma = sigma.ToScalar();
        using var sInvC2 = (1.0 / (c * c)).ToScalar();
        using var sSigmaOverC = (sigma / c).ToScalar();
        using var sStep = ((next - sigma) / sigma).ToScalar();
        using var scope = NewDisposeScope();
        Tensor denoised = _predictionType switch
        {
            PredictionType.Epsilon => sample - (modelOutput * sSigma),
            PredictionType.Sample => modelOutput.clone(),
            // v = √ᾱ·ε − √(1−ᾱ)·x₀ with the VP input x/c: x₀ = x/(σ²+1) − σ/c·v.
            PredictionType.VPrediction => (sample * sInvC2) - (modelOutput * sSigmaOverC),
            _ => throw new NotSupportedException($"Prediction type {_predictionType} is not supported."),
        };
        // d = (x − x̂₀)/σ; x_next = x + (σ_next − σ)·d.
        var prev = sample + ((sample - denoised) * sStep);
        return new SamplerStepOutput(prev.MoveToOuterDisposeScope(), denoised.MoveToOuterDisposeScope());
    }

    private int IndexOf(long timestep)
    {
        if (_timesteps.Length == 0)
        {
            throw new InvalidOperationException("Call SetTimesteps before sampling.");
        }

        return _index.TryGetValue(timestep, out int i)
            ? i
            : throw new ArgumentOutOfRangeException(nameof(timestep), timestep, "The timestep is not one of Timesteps.");
    }
}

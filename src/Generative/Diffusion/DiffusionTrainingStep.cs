using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>How the per-sample losses of <see cref="DiffusionTrainingStep"/> are weighted over timesteps.</summary>
public enum LossWeighting
{
    /// <summary>Every timestep weighs the same (Ho et al. 2020's simple loss).</summary>
    Uniform,

    /// <summary>Min-SNR-γ (Hang et al. 2023): the weight caps the signal-to-noise ratio at γ, expressed for the objective
    /// (ε: min(SNR, γ)/SNR; x₀: min(SNR, γ); v: min(SNR, γ)/(SNR + 1)).</summary>
    MinSnr,
}

/// <summary>Options of <see cref="DiffusionTrainingStep"/>.</summary>
public sealed record DiffusionTrainingOptions
{
    /// <summary>What the network learns to predict (ε, x₀ or v). Default <see cref="PredictionType.Epsilon"/>.</summary>
    public PredictionType Objective { get; init; } = PredictionType.Epsilon;

    /// <summary>The loss weighting over timesteps. Default <see cref="LossWeighting.Uniform"/>.</summary>
    public LossWeighting Weighting { get; init; } = LossWeighting.Uniform;

    /// <summary>γ of min-SNR-γ weighting, greater than 0. Default 5 (the paper's choice).</summary>
    public double MinSnrGamma { get; init; } = 5.0;

    /// <summary>For conditional networks: the probability of replacing a label by the null class, so the same network learns the
    /// unconditional prediction that classifier-free guidance needs (Ho &amp; Salimans 2022). In [0, 1). Default 0.1.</summary>
    public double ClassDropout { get; init; } = 0.1;

    /// <summary>Learning rate of the Adam optimiser the step creates when none is given, greater than 0. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Objective))
        {
            throw new ArgumentOutOfRangeException(nameof(Objective), Objective, "Unknown objective.");
        }

        if (!Enum.IsDefined(Weighting))
        {
            throw new ArgumentOutOfRangeException(nameof(Weighting), Weighting, "Unknown loss weighting.");
        }

        if (!(MinSnrGamma > 0) || double.IsInfinity(MinSnrGamma))
        {
            throw new ArgumentOutOfRangeException(nameof(MinSnrGamma), MinSnrGamma, "γ must be a finite number greater than 0.");
        }

        if (!(ClassDropout >= 0 && ClassDropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ClassDropout), ClassDropout, "The class dropout must be in [0, 1).");
        }

        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be a finite number greater than 0.");
        }
    }
}

/// <summary>
/// One optimisation step of a denoising diffusion model: draws t ~ U{0, …, T−1} and ε ~ N(0, I) per sample from the
/// run's generator (in that order, then the class-dropout draws), noises the batch with <see cref="INoiseSchedule.AddNoise"/>,
/// and regresses the network onto ε, x₀ or v with the chosen weighting; the update goes through
/// <see cref="TrainingStepContext.Optimize"/> under the name <c>"denoiser"</c>.
/// </summary>
/// <remarks>
/// <para>Ownership: the step does not own the denoiser or the schedule; it owns the optimiser it creates itself (not one
/// passed in) and disposes it in <see cref="Dispose"/>.</para>
/// <para>Not thread-safe: one trainer drives it from one thread. Denoisers that learn the variance are not supported
/// (their variance head needs the variational bound).</para>
/// </remarks>
public sealed class DiffusionTrainingStep : ITrainingStep, ICheckpointConfigurationSource
{
    /// <summary>The name of the module and of the optimiser.</summary>
    public const string DenoiserName = "denoiser";

    private readonly IDenoiser _denoiser;
    private readonly INoiseSchedule _schedule;
    private readonly optim.Optimizer _optimizer;
    private readonly bool _ownsOptimizer;

    /// <summary>Creates the step.</summary>
    /// <param name="denoiser">The network to train; not owned.</param>
    /// <param name="schedule">The forward process; not owned.</param>
    /// <param name="options">The objective and weighting; <see langword="null"/> for the defaults.</param>
    /// <param name="optimizer">The optimiser of the denoiser's parameters (not owned); <see langword="null"/> creates Adam with
    /// <see cref="DiffusionTrainingOptions.LearningRate"/> (owned).</param>
    /// <exception cref="ArgumentException">The denoiser predicts the variance too.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DiffusionTrainingStep(IDenoiser denoiser, INoiseSchedule schedule, DiffusionTrainingOptions? options = null, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(schedule);
        Options = options ?? new DiffusionTrainingOptions();
        Options.Validate();
        if (!denoiser.OutputShape.Equals(denoiser.SampleShape))
        {
            throw new ArgumentException(
                $"The denoiser's output shape {denoiser.OutputShape} differs from its sample shape {denoiser.SampleShape}: learned-variance networks cannot be trained by this step.",
                nameof(denoiser));
        }

        _denoiser = denoiser;
        _schedule = schedule;
        _ownsOptimizer = optimizer is null;
        _optimizer = optimizer ?? OptimizerFactory.Adam(denoiser.Module.parameters(), Options.LearningRate);
        Modules = new Dictionary<string, nn.Module> { [DenoiserName] = denoiser.Module };
        Optimizers = new Dictionary<string, optim.Optimizer> { [DenoiserName] = _optimizer };
    }

    /// <summary>The options.</summary>
    public DiffusionTrainingOptions Options { get; }

    /// <inheritdoc />
    public string Family => "diffusion";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> Modules { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Step(TrainingBatch batch, TrainingStepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        using var scope = NewDisposeScope();
        var loss = Loss(batch.Samples, batch.Labels, context.Generator);
        context.Optimize(DenoiserName, loss);
        return new Dictionary<string, double>(1) { ["loss"] = context.LossValue(loss) }; // read once, by the non-finite check
    }

    /// <summary>The weighted denoising loss of a batch, with gradients (no update). Draws as <see cref="Step"/> does.</summary>
    /// <param name="samples">x₀, <c>[N, ..SampleShape]</c>.</param>
    /// <param name="labels">Class labels <c>[N]</c> for a conditional network, or <see langword="null"/>.</param>
    /// <param name="generator">The source of t, ε and the class dropout.</param>
    /// <returns>A scalar, owned by the caller.</returns>
    /// <exception cref="ArgumentException">A shape does not match the denoiser.</exception>
    public Tensor Loss(Tensor samples, Tensor? labels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _denoiser.SampleShape.EnsureBatch(samples, nameof(samples));
        using var scope = NewDisposeScope();
        long n = samples.shape[0];
        var device = samples.device;
        var t = Draw(generator, device, g => randint(0, _schedule.TrainTimesteps, [n], ScalarType.Int64, g.device, generator: g));
        var noise = SamplerCore.Noise(samples.shape, samples.dtype, device, generator);
        var noisy = _schedule.AddNoise(samples, noise, t);
        Tensor? conditioning = null;
        if (_denoiser.ClassCount > 0 && labels is not null)
        {
            conditioning = labels.to(device).to_type(ScalarType.Int64);
            if (Options.ClassDropout > 0)
            {
                using var probability = Options.ClassDropout.ToScalar();
                using var nullClass = _denoiser.ClassCount.ToScalar();
                var drop = Draw(generator, device, g => rand([n], ScalarType.Float32, g.device, generator: g)).lt(probability);
                conditioning = where(drop, full_like(conditioning, nullClass), conditioning);
            }
        }

        var prediction = _denoiser.Predict(noisy, t, conditioning);
        var target = Options.Objective switch
        {
            PredictionType.Epsilon => noise,
            PredictionType.Sample => samples,
            _ => _schedule.GetVelocity(samples, noise, t),
        };
        var squared = (prediction - target).Squared();
        if (Options.Weighting == LossWeighting.Uniform)
        {
            // The mean over every element (as torch's mse_loss): one reduction instead of per-sample means and their mean.
            return squared.mean().MoveToOuterDisposeScope();
        }

        var perSample = squared.flatten(1).mean([1]);
        var snr = _schedule.SignalToNoiseRatio(t).to_type(perSample.dtype);
        using var gamma = Options.MinSnrGamma.ToScalar();
        using var zero = 0.ToScalar();
        using var one = 1.ToScalar();
        var clipped = snr.clamp_max(gamma);
        var weight = Options.Objective switch
        {
            // min(SNR, γ)/SNR → 1 as SNR → 0 (a zero-terminal-SNR schedule reaches 0).
            PredictionType.Epsilon => where(snr.gt(zero), clipped / snr, ones_like(snr)),
            PredictionType.Sample => clipped,
            _ => clipped / snr.Plus(one),
        };
        return (perSample * weight).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The network, schedule and training options, so that <see cref="DiffusionModel.Load"/> can rebuild the model from a
    /// trainer checkpoint; <see langword="null"/> when the network is not an <see cref="MlpDenoiser"/> or <see cref="UNetDenoiser"/>, or the
    /// schedule's type has no format in <see cref="NoiseScheduleRegistry.Default"/>.</summary>
    /// <returns>The options as JSON, or <see langword="null"/>.</returns>
    public JsonNode? GetCheckpointConfiguration()
    {
        if (!DenoiserRegistry.Default.CanDescribe(_denoiser) || !NoiseScheduleRegistry.Default.CanWrite(_schedule))
        {
            return null;
        }

        var configuration = new JsonObject
        {
            ["network"] = DenoiserRegistry.Default.Describe(_denoiser),
            ["schedule"] = null,
            ["training"] = DiffusionConfiguration.ToNode(Options),
        };
        NoiseScheduleRegistry.Default.Write(_schedule, configuration);
        return configuration;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsOptimizer)
        {
            _optimizer.Dispose();
        }
    }

    private static Tensor Draw(Generator generator, Device device, Func<Generator, Tensor> draw)
    {
        var drawn = draw(generator);
        return drawn.device.type == device.type && drawn.device.index == device.index ? drawn : drawn.to(device);
    }
}

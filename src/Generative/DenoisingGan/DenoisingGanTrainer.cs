using Generative.Data;
using Generative.Training;

namespace Generative.DenoisingGan;

/// <summary>Options of <see cref="DenoisingGanTrainer.Train"/>: the same shape as the other families' trainers'.</summary>
public sealed record DenoisingGanTrainerOptions
{
    /// <summary>Learning rates, Adam's betas and R1's γ.</summary>
    public DenoisingGanTrainingOptions Training { get; init; } = new();

    /// <summary>The forward process (T, β_min, β_max). Its T must equal the generator's and the discriminator's class count.</summary>
    public DenoisingGanProcessOptions Process { get; init; } = new();

    /// <summary>Sampling defaults of the resulting model.</summary>
    public DenoisingGanModelOptions Sampling { get; init; } = new();

    /// <summary>Optimisation steps (each one discriminator and one generator update), at least 1. Default 2000.</summary>
    public long Steps { get; init; } = 2000;

    /// <summary>Samples per step, at least 1; <see langword="null"/> (the default) for 256, or every sample when the data
    /// have fewer. A size set here that exceeds the data is an error.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The run's seed (data order, steps, noise, latents). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>The decay of the moving average of the generator's weights, in [0, 1); <see langword="null"/> for no EMA.
    /// Default 0.999, as for the other families. The model samples from the averaged weights: at the end of the run they are
    /// copied into the generator (the trainer's checkpoints keep both).</summary>
    public double? EmaDecay { get; init; } = ExponentialMovingAverage.DefaultDecay;

    /// <summary>Whether the EMA's decay ramps up as <c>min(EmaDecay, (1 + n) / (10 + n))</c>. Default <see langword="true"/>.</summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>Checks every option (and the nested ones) and returns all problems, each naming its option; empty when the
    /// options are valid. <see cref="DenoisingGanTrainer.Train"/> refuses options with problems.</summary>
    /// <returns>The problems, e.g. <c>DenoisingGanTrainerOptions.Steps must be at least 1 (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(DenoisingGanTrainerOptions));
        problems.RequireRun(Steps, BatchSize, EmaDecay);
        problems.Require(Training is not null, nameof(Training), "must not be null.");
        problems.Require(Process is not null, nameof(Process), "must not be null.");
        problems.Require(Sampling is not null, nameof(Sampling), "must not be null.");
        var all = new List<string>(problems.Problems);
        all.AddRange(Training?.Validate() ?? []);
        all.AddRange(Process?.Validate() ?? []);
        all.AddRange(Sampling?.Validate() ?? []);
        return all;
    }
}

/// <summary>
/// Trains a denoising diffusion GAN (<see cref="DenoisingGanTrainingStep"/>) with the library's trainer and returns a
/// ready <see cref="DenoisingGanModel"/>: the same shape as <c>DiffusionTrainer.Train</c>, <c>GanTrainer.Train</c> and
/// <c>FlowTrainer.Train</c> (options record, data, trainer settings, progress, cancellation; model and summary back), with
/// the same EMA (of the generator).
/// </summary>
public static class DenoisingGanTrainer
{
    private const int DefaultBatchSize = 256;

    /// <summary>Trains <paramref name="generator"/> and <paramref name="critic"/> on <paramref name="data"/>.</summary>
    /// <param name="generator">G(x_t, z, t), on the device to train on; the returned model takes ownership of it. With EMA it
    /// ends holding the averaged weights.</param>
    /// <param name="critic">D on (x_{t−1}, x_t) pairs with the step as class label (see <see cref="DenoisingGanTrainingStep"/>),
    /// e.g. <c>new MlpCritic(new MlpCriticOptions { SampleShape = [2·C], ClassCount = T })</c>. Not owned: the caller disposes it.</param>
    /// <param name="data">Unconditional training data; its standardisation and feature names go into the model. Not owned.</param>
    /// <param name="options">The run; <see langword="null"/> for the defaults.</param>
    /// <param name="configure">Further trainer settings (checkpointing, logging, duration, learning-rate schedule, …), applied last.</param>
    /// <param name="progress">Receives the run's progress every 10 steps (and at the end); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the run between steps; the model trained so far is returned.</param>
    /// <returns>The model and the summary.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message lists every problem, see
    /// <see cref="DenoisingGanTrainerOptions.Validate"/>), the networks do not fit each other or the process, or the data's
    /// sample shape differs from the generator's.</exception>
    public static TrainingResult<DenoisingGanModel> Train(
        IDenoisingGenerator generator,
        IDiscriminator critic,
        IDataSource data,
        DenoisingGanTrainerOptions? options = null,
        Action<TrainerBuilder>? configure = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new DenoisingGanTrainerOptions();
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        DenoisingGanTrainingStep.CheckNetworks(generator, critic, options.Process.Steps);
        TrainerFacade.CheckData(data, generator.SampleShape, 0);

        using var process = new DenoisingGanProcess(options.Process);
        using var step = new DenoisingGanTrainingStep(generator, critic, process, options.Training);
        using var ema = options.EmaDecay is { } d ? new ExponentialMovingAverage(generator.Module, d, options.EmaWarmup) : null;
        var summary = TrainerFacade.Run(step, data, (options.BatchSize, DefaultBatchSize, "DenoisingGanTrainerOptions.BatchSize"),
            options.Steps, options.Seed, ema, configure, progress, cancellationToken);
        ema?.CopyTo(generator.Module); // the model samples from the averaged weights
        return new TrainingResult<DenoisingGanModel>(
            new DenoisingGanModel(generator, options.Process, options.Sampling, data.Standardization, data.FeatureNames), summary);
    }
}

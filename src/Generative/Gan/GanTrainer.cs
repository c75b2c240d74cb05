using Generative.Data;
using Generative.Training;

namespace Generative.Gan;

/// <summary>Options of <see cref="GanTrainer.Train"/>: the same shape as the diffusion trainer's.</summary>
public sealed record GanTrainerOptions
{
    /// <summary>Loss, regulariser, critic steps per generator step and optimisers. Default: WGAN-GP (Gulrajani et al. 2017).
    /// Its EMA settings must stay unset: the trainer's EMA is <see cref="EmaDecay"/> and <see cref="EmaWarmup"/>.</summary>
    public GanTrainingOptions Training { get; init; } = GanTrainingOptions.WganGp();

    /// <summary>Trainer steps (critic updates), at least 1. Default 2000.</summary>
    public long Steps { get; init; } = 2000;

    /// <summary>Samples per step, at least 1; <see langword="null"/> (the default) for 256 (WGAN-GP's toy experiments), or
    /// every sample when the data have fewer (the trainer's log says so). A size set here that exceeds the data is an error.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The run's seed (data order, latents, penalties). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>The decay of the moving average of the generator's weights that the model samples from (Yazıcı et al.
    /// 2019, arXiv:1806.04498), in [0, 1); <see langword="null"/> for no EMA (the model samples from the trained
    /// generator). Default 0.999, as for <c>DiffusionTrainerOptions.EmaDecay</c>. The warm-up's n counts generator updates
    /// (one every <see cref="GanTrainingOptions.CriticStepsPerGeneratorStep"/> steps).</summary>
    public double? EmaDecay { get; init; } = ExponentialMovingAverage.DefaultDecay;

    /// <summary>Whether the EMA's decay ramps up as <c>min(EmaDecay, (1 + n) / (10 + n))</c> over updates n = 0, 1, …
    /// (<see cref="ExponentialMovingAverage.WarmupDecay"/>). Default <see langword="true"/>, as for
    /// <c>DiffusionTrainerOptions.EmaWarmup</c>.</summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>Checks every option (and the nested training options) and returns all problems, each naming its option;
    /// empty when the options are valid. <see cref="GanTrainer.Train"/> refuses options with problems.</summary>
    /// <returns>The problems, e.g. <c>GanTrainerOptions.Steps must be at least 1 (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(GanTrainerOptions));
        problems.RequireRun(Steps, BatchSize, EmaDecay);
        problems.Require(Training is not null, nameof(Training), "must not be null.");
        if (Training is not null)
        {
            problems.Require(Training.EmaDecay is null, nameof(Training) + "." + nameof(GanTrainingOptions.EmaDecay),
                $"must be null: the trainer's EMA is set by GanTrainerOptions.EmaDecay and EmaWarmup, as the diffusion trainer's (was {Training.EmaDecay}).");
            problems.Nested(nameof(Training), Training.Validate);
            int pack = Training.PackSize;
            problems.Require(BatchSize is not { } size || pack < 1 || size % pack == 0, nameof(BatchSize),
                $"must be a multiple of Training.PackSize = {pack}: the critic judges packs of {pack} consecutive samples (was {BatchSize}).");
        }

        return problems.Problems;
    }
}

/// <summary>
/// Trains a GAN on a data source with the library's trainer (<see cref="Trainer"/>) and a <see cref="GanTrainingStep"/>,
/// and returns a ready <see cref="GanModel"/>: the same shape as <c>DiffusionTrainer.Train</c> (options record, data,
/// trainer settings, progress, cancellation; model and summary back), with the same EMA (<see cref="ExponentialMovingAverage"/>,
/// on by default, decay 0.999 with warm-up) whose copy of the generator the model samples from.
/// </summary>
public static class GanTrainer
{
    private const int DefaultBatchSize = 256;

    /// <summary>Trains <paramref name="generator"/> against <paramref name="critic"/> on <paramref name="data"/>.</summary>
    /// <param name="generator">The generator to train. It stays the caller's when <see cref="GanTrainerOptions.EmaDecay"/>
    /// is set (the default: the model then samples from, and owns, an EMA copy); otherwise the model samples from it without owning it.</param>
    /// <param name="critic">The critic to train; stays the caller's.</param>
    /// <param name="data">The training data; its standardisation and feature names go into the model. Not owned.</param>
    /// <param name="options">The run; <see langword="null"/> for the defaults (WGAN-GP, 2000 steps).</param>
    /// <param name="configure">Further trainer settings (checkpointing, logging, duration, callbacks, …), applied last.</param>
    /// <param name="progress">Receives the run's progress every 10 steps (and at the end); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the run between steps; the model trained so far is returned.</param>
    /// <returns>The model and the summary.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message lists every problem, see
    /// <see cref="GanTrainerOptions.Validate"/>), the networks do not fit each other or the data, or EMA is asked for a
    /// generator whose architecture cannot be copied (as the diffusion trainer, before anything trains: set
    /// <see cref="GanTrainerOptions.EmaDecay"/> to <see langword="null"/> to train such a generator).</exception>
    public static TrainingResult<GanModel> Train(
        IGenerator generator,
        IDiscriminator critic,
        IDataSource data,
        GanTrainerOptions? options = null,
        Action<TrainerBuilder>? configure = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new GanTrainerOptions();
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        var training = options.Training with { EmaDecay = options.EmaDecay, EmaWarmup = options.EmaWarmup };
        IGenerator? ema = training.EmaDecay is null ? null : GanTrainingStep.CreateTwin(generator)
            ?? throw new ArgumentException(
                $"GanTrainerOptions.EmaDecay is set, but a {generator.GetType().Name}'s architecture cannot be copied for the EMA network; set EmaDecay = null to train without EMA.",
                nameof(generator));
        try
        {
            using var step = new GanTrainingStep(generator, critic, training, ema);
            var summary = TrainerFacade.Run(step, data, (options.BatchSize, DefaultBatchSize, "GanTrainerOptions.BatchSize"),
                options.Steps, options.Seed, callback: null, configure, progress, cancellationToken);
            return new TrainingResult<GanModel>(new GanModel(ema ?? generator, data.Standardization, data.FeatureNames, ownsGenerator: ema is not null), summary);
        }
        catch
        {
            ema?.Module.Dispose();
            throw;
        }
    }
}

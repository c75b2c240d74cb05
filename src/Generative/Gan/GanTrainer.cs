using Generative.Data;
using Generative.Training;

namespace Generative.Gan;

/// <summary>Options of <see cref="GanTrainer.Train"/>: the same shape as the diffusion trainer's.</summary>
public sealed record GanTrainerOptions
{
    /// <summary>Loss, regulariser, critic steps per generator step, optimisers and EMA. Default: WGAN-GP (Gulrajani et al. 2017).</summary>
    public GanTrainingOptions Training { get; init; } = GanTrainingOptions.WganGp();

    /// <summary>Trainer steps (critic updates), at least 1. Default 2000.</summary>
    public long Steps { get; init; } = 2000;

    /// <summary>Samples per step, at least 1; <see langword="null"/> (the default) for 256 (WGAN-GP's toy experiments), or
    /// every sample when the data have fewer (the trainer's log says so). A size set here that exceeds the data is an error.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The run's seed (data order, latents, penalties). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Checks every option (and the nested training options) and returns all problems, each naming its option;
    /// empty when the options are valid. <see cref="GanTrainer.Train"/> refuses options with problems.</summary>
    /// <returns>The problems, e.g. <c>GanTrainerOptions.Steps must be at least 1 (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(GanTrainerOptions));
        problems.Require(Steps >= 1, nameof(Steps), $"must be at least 1 (was {Steps}).");
        problems.Require(BatchSize is null or >= 1, nameof(BatchSize), $"must be at least 1, or null for the default (was {BatchSize}).");
        problems.Require(Training is not null, nameof(Training), "must not be null.");
        if (Training is not null)
        {
            problems.Nested(nameof(Training), Training.Validate);
        }

        return problems.Problems;
    }
}

/// <summary>
/// Trains a GAN on a data source with the library's trainer (<see cref="Trainer"/>) and a <see cref="GanTrainingStep"/>,
/// and returns a ready <see cref="GanModel"/>: the same shape as <c>DiffusionTrainer.Train</c> (options record, data,
/// trainer settings, progress, cancellation; model and summary back).
/// </summary>
public static class GanTrainer
{
    private const int DefaultBatchSize = 256;

    /// <summary>Trains <paramref name="generator"/> against <paramref name="critic"/> on <paramref name="data"/>.</summary>
    /// <param name="generator">The generator to train. It stays the caller's when <see cref="GanTrainingOptions.EmaDecay"/>
    /// is set (the model then samples from, and owns, an EMA copy); otherwise the model samples from it without owning it.</param>
    /// <param name="critic">The critic to train; stays the caller's.</param>
    /// <param name="data">The training data; its standardisation and feature names go into the model. Not owned.</param>
    /// <param name="options">The run; <see langword="null"/> for the defaults (WGAN-GP, 2000 steps).</param>
    /// <param name="configure">Further trainer settings (checkpointing, logging, duration, callbacks, …), applied last.</param>
    /// <param name="progress">Receives the run's progress every 10 steps (and at the end); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the run between steps; the model trained so far is returned.</param>
    /// <returns>The model and the summary.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message lists every problem, see
    /// <see cref="GanTrainerOptions.Validate"/>), the networks do not fit each other or the data, or EMA is asked for a
    /// generator whose architecture cannot be copied.</exception>
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
        var training = options.Training;
        IGenerator? ema = training.EmaDecay is null ? null : GanTrainingStep.CreateTwin(generator)
            ?? throw new ArgumentException("EmaDecay is set, but the generator's architecture cannot be copied; use GanTrainingStep with an emaGenerator.", nameof(generator));
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

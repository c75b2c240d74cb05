using Generative.Data;
using Generative.Training;
using TorchSharp;

namespace Generative.Diffusion;

/// <summary>Options of <see cref="DiffusionTrainer.Train"/>.</summary>
public sealed record DiffusionTrainerOptions
{
    /// <summary>The noise schedule. Default: diffusers' defaults (1000 linear steps).</summary>
    public NoiseScheduleOptions Schedule { get; init; } = new();

    /// <summary>Objective, weighting, class dropout and learning rate.</summary>
    public DiffusionTrainingOptions Training { get; init; } = new();

    /// <summary>Sampling defaults of the resulting model (its prediction type is set to the training objective).</summary>
    public DiffusionModelOptions Sampling { get; init; } = new();

    /// <summary>Optimisation steps, at least 1. Default 2000.</summary>
    public long Steps { get; init; } = 2000;

    /// <summary>Samples per step, at least 1; <see langword="null"/> (the default) for 256, or every sample when the data
    /// have fewer (the trainer's log says so). A size set here that exceeds the data is an error.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The run's seed (data order, timesteps, noise). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>The decay of the moving average of the denoiser's weights that the model samples from by default, in
    /// [0, 1); <see langword="null"/> for no EMA. Default 0.999, as for <c>GanTrainerOptions.EmaDecay</c>.</summary>
    public double? EmaDecay { get; init; } = ExponentialMovingAverage.DefaultDecay;

    /// <summary>Whether the EMA's decay ramps up as <c>min(EmaDecay, (1 + n) / (10 + n))</c> over updates n = 0, 1, …
    /// (<see cref="ExponentialMovingAverage.WarmupDecay"/>). Default <see langword="true"/>, as for
    /// <c>GanTrainerOptions.EmaWarmup</c>.</summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>Checks every option (and the nested schedule, training and sampling options) and returns all problems, each
    /// naming its option; empty when the options are valid. <see cref="DiffusionTrainer.Train"/> refuses options with problems.</summary>
    /// <returns>The problems, e.g. <c>DiffusionTrainerOptions.Steps must be at least 1 (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(DiffusionTrainerOptions));
        problems.RequireRun(Steps, BatchSize, EmaDecay);
        problems.Require(Schedule is not null, nameof(Schedule), "must not be null.");
        problems.Require(Training is not null, nameof(Training), "must not be null.");
        problems.Require(Sampling is not null, nameof(Sampling), "must not be null.");
        if (Schedule is not null)
        {
            problems.Nested(nameof(Schedule), Schedule.Validate);
        }

        if (Training is not null)
        {
            problems.Nested(nameof(Training), Training.Validate);
        }

        if (Sampling is not null && Training is not null)
        {
            problems.Nested(nameof(Sampling), (Sampling with { PredictionType = Training.Objective }).Validate);
        }

        return problems.Problems;
    }
}

/// <summary>
/// Trains a denoiser on a data source with the library's trainer (<see cref="Trainer"/>) and a
/// <see cref="DiffusionTrainingStep"/>, keeping an EMA copy for sampling, and returns a ready <see cref="DiffusionModel"/>.
/// </summary>
public static class DiffusionTrainer
{
    private const int DefaultBatchSize = 256;

    /// <summary>Trains <paramref name="denoiser"/> on <paramref name="data"/>.</summary>
    /// <param name="denoiser">The network to train (on the device to train on). The returned model takes ownership of it.</param>
    /// <param name="data">The training data (in the units the network should see; its <see cref="IDataSource.Standardization"/> is
    /// kept so samples come back in original units). Not owned.</param>
    /// <param name="options">The run; <see langword="null"/> for the defaults.</param>
    /// <param name="configure">Further trainer settings (checkpointing, logging, gradient clipping, learning-rate schedule, …), applied last.</param>
    /// <param name="progress">Receives the run's progress every 10 steps (and at the end); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the run between steps; the model trained so far is returned.</param>
    /// <returns>The model (which owns the denoiser passed in and the EMA copy) and the summary.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message lists every problem, see
    /// <see cref="DiffusionTrainerOptions.Validate"/>), the data's sample shape differs from the network's, a
    /// conditional network gets unlabelled data, or EMA is asked for a network whose architecture cannot be copied.</exception>
    /// <remarks>The EMA copy can be made of <see cref="MlpDenoiser"/> and <see cref="UNetDenoiser"/> networks; for another
    /// network, set <see cref="DiffusionTrainerOptions.EmaDecay"/> to <see langword="null"/> (an EMA asked for a network that
    /// cannot be copied is an <see cref="ArgumentException"/> before anything trains, as in <c>GanTrainer</c>).</remarks>
    public static TrainingResult<DiffusionModel> Train(
        IDenoiser denoiser,
        IDataSource data,
        DiffusionTrainerOptions? options = null,
        Action<TrainerBuilder>? configure = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new DiffusionTrainerOptions();
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));

        TrainerFacade.CheckData(data, denoiser.SampleShape, denoiser.ClassCount);

        if (options.EmaDecay is not null && !DenoiserRegistry.Default.CanDescribe(denoiser))
        {
            throw new ArgumentException(
                $"DiffusionTrainerOptions.EmaDecay is set, but a {denoiser.GetType().Name}'s architecture cannot be copied for the EMA network; set EmaDecay = null to train without EMA.",
                nameof(denoiser));
        }

        var schedule = new NoiseSchedule(options.Schedule);
        var modelOptions = options.Sampling with { PredictionType = options.Training.Objective };
        modelOptions.Validate();
        IDenoiser? emaNetwork = null;
        using var step = new DiffusionTrainingStep(denoiser, schedule, options.Training);
        using var ema = options.EmaDecay is { } d ? new ExponentialMovingAverage(denoiser.Module, d, options.EmaWarmup) : null;
        var summary = TrainerFacade.Run(step, data, (options.BatchSize, DefaultBatchSize, "DiffusionTrainerOptions.BatchSize"),
            options.Steps, options.Seed, ema, configure, progress, cancellationToken);

        if (ema is not null)
        {
            emaNetwork = DenoiserRegistry.Default.Create(DenoiserRegistry.Default.Describe(denoiser));
            var device = denoiser.Module.parameters().First().device;
            emaNetwork.Module.to(device);
            ema.CopyTo(emaNetwork.Module);
        }

        return new TrainingResult<DiffusionModel>(new DiffusionModel(denoiser, schedule, modelOptions, emaNetwork, data.Standardization) { OwnsSchedule = true }, summary);
    }
}

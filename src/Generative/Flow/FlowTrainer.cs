using Generative.Data;
using Generative.Training;

namespace Generative.Flow;

/// <summary>Options of <see cref="FlowTrainer.Train"/>: the same shape as the diffusion and GAN trainers'.</summary>
public sealed record FlowTrainerOptions
{
    /// <summary>Time distribution, time scale and learning rate.</summary>
    public FlowTrainingOptions Training { get; init; } = new();

    /// <summary>Sampling defaults of the resulting model (its time scale is set to the training's).</summary>
    public FlowModelOptions Sampling { get; init; } = new();

    /// <summary>Optimisation steps, at least 1. Default 2000.</summary>
    public long Steps { get; init; } = 2000;

    /// <summary>Samples per step, at least 1; <see langword="null"/> (the default) for 256, or every sample when the data
    /// have fewer. A size set here that exceeds the data is an error.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The run's seed (data order, times, noise). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>The decay of the moving average of the network's weights, in [0, 1); <see langword="null"/> for no EMA.
    /// Default 0.999, as for the other families. The model samples from the averaged weights: at the end of the run they
    /// are copied into the network (the trainer's checkpoints keep both).</summary>
    public double? EmaDecay { get; init; } = ExponentialMovingAverage.DefaultDecay;

    /// <summary>Whether the EMA's decay ramps up as <c>min(EmaDecay, (1 + n) / (10 + n))</c>. Default <see langword="true"/>.</summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>Checks every option (and the nested training and sampling options) and returns all problems, each naming
    /// its option; empty when the options are valid. <see cref="FlowTrainer.Train"/> refuses options with problems.</summary>
    /// <returns>The problems, e.g. <c>FlowTrainerOptions.Steps must be at least 1 (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(FlowTrainerOptions));
        problems.RequireRun(Steps, BatchSize, EmaDecay);
        problems.Require(Training is not null, nameof(Training), "must not be null.");
        problems.Require(Sampling is not null, nameof(Sampling), "must not be null.");
        var nested = new List<string>(problems.Problems);
        if (Training is not null)
        {
            nested.AddRange(Training.Validate());
        }

        if (Sampling is not null)
        {
            nested.AddRange(Sampling.Validate());
        }

        return nested;
    }
}

/// <summary>Options of <see cref="FlowTrainer.Reflow"/>: the run, and how the coupled pairs are drawn from the first model.</summary>
public sealed record FlowReflowOptions
{
    /// <summary>The training run on the pairs (steps, batch, seed, EMA, time distribution, the new model's sampling
    /// defaults), as for <see cref="FlowTrainer.Train"/>.</summary>
    public FlowTrainerOptions Training { get; init; } = new();

    /// <summary>How many (noise, sample) pairs are drawn from the first model, at least 1. Default 20,000.</summary>
    public int PairCount { get; init; } = 20_000;

    /// <summary>The solver that makes the pairs, registered in <see cref="FlowSolverRegistry.Default"/>. Default <c>"heun"</c>.</summary>
    public string PairSolver { get; init; } = "heun";

    /// <summary>Solver steps for the pairs, at least 1: the pairs should follow the first model's flow closely. Default 50.</summary>
    public int PairSteps { get; init; } = 50;

    /// <summary>The seed of the pairs' noise. Default 0.</summary>
    public long PairSeed { get; init; }

    /// <summary>Checks every option (and the nested training options); empty when the options are valid.</summary>
    /// <returns>The problems, each naming its option.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(FlowReflowOptions));
        problems.Require(PairCount >= 1, nameof(PairCount), $"must be at least 1 (was {PairCount}).");
        problems.Require(PairSteps >= 1, nameof(PairSteps), $"must be at least 1 (was {PairSteps}).");
        problems.Require(!string.IsNullOrWhiteSpace(PairSolver) && FlowSolverRegistry.Default.Contains(PairSolver), nameof(PairSolver),
            $"must name a registered solver ({string.Join(", ", FlowSolverRegistry.Default.Keys)}) (was '{PairSolver}').");
        problems.Require(Training is not null, nameof(Training), "must not be null.");
        problems.Require(Training?.Training?.Coupling is null or IndependentCoupling, "Training.Training.Coupling",
            $"must be null or an IndependentCoupling: the pairs are already coupled (was {Training?.Training?.Coupling}).");
        var all = new List<string>(problems.Problems);
        if (Training is not null)
        {
            all.AddRange(Training.Validate());
        }

        return all;
    }
}

/// <summary>
/// Trains a velocity network by conditional flow matching (<see cref="FlowTrainingStep"/>) with the library's trainer and
/// returns a ready <see cref="FlowModel"/>: the same shape as <c>DiffusionTrainer.Train</c> and <c>GanTrainer.Train</c>
/// (options record, data, trainer settings, progress, cancellation; model and summary back), with the same EMA.
/// </summary>
public static class FlowTrainer
{
    private const int DefaultBatchSize = 256;

    /// <summary>Trains <paramref name="network"/> on <paramref name="data"/>.</summary>
    /// <param name="network">The velocity network (an MLP or UNet denoiser, or any <see cref="IDenoiser"/>), on the device to
    /// train on. The returned model takes ownership of it; with EMA it ends holding the averaged weights.</param>
    /// <param name="data">The training data; its standardisation and feature names go into the model. Not owned.</param>
    /// <param name="options">The run; <see langword="null"/> for the defaults.</param>
    /// <param name="configure">Further trainer settings (checkpointing, logging, duration, learning-rate schedule, …), applied last.</param>
    /// <param name="progress">Receives the run's progress every 10 steps (and at the end); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the run between steps; the model trained so far is returned.</param>
    /// <returns>The model and the summary.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message lists every problem, see
    /// <see cref="FlowTrainerOptions.Validate"/>), the data's sample shape differs from the network's, or a conditional
    /// network gets unlabelled data.</exception>
    public static TrainingResult<FlowModel> Train(
        IDenoiser network,
        IDataSource data,
        FlowTrainerOptions? options = null,
        Action<TrainerBuilder>? configure = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FlowTrainerOptions();
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        TrainerFacade.CheckData(data, network.SampleShape, network.ClassCount);

        return Run(network, data, coupled: false, data.Standardization, data.FeatureNames, options, configure, progress, cancellationToken);
    }

    /// <summary>
    /// Reflow (Liu et al. 2023, "Flow Straight and Fast", §2.3): draws <see cref="FlowReflowOptions.PairCount"/> noise
    /// values x₀ and the samples x₁ that <paramref name="teacher"/>'s flow makes of them, then trains
    /// <paramref name="student"/> on those coupled pairs (x_t = (1 − t)x₀ + t x₁, target x₁ − x₀) instead of independent
    /// noise and data. The new flow's paths are straighter, so that few solver steps (even one Euler step) land close to
    /// where many steps of the first model do.
    /// </summary>
    /// <param name="teacher">The first (unconditional) model; not changed, not owned.</param>
    /// <param name="student">The network to train, of the teacher's sample shape (start it from the teacher's weights to
    /// save steps, as the paper does). The returned model takes ownership of it.</param>
    /// <param name="options">The run and the pairs; <see langword="null"/> for the defaults.</param>
    /// <param name="configure">Further trainer settings, applied last.</param>
    /// <param name="progress">Receives the run's progress; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the pairs' drawing or the run between steps.</param>
    /// <returns>The new model (with the teacher's standardisation and feature names) and the summary.</returns>
    /// <exception cref="ArgumentException">An option is invalid, the shapes differ, or the teacher is class-conditional.</exception>
    public static TrainingResult<FlowModel> Reflow(
        FlowModel teacher,
        IDenoiser student,
        FlowReflowOptions? options = null,
        Action<TrainerBuilder>? configure = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        options ??= new FlowReflowOptions();
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        if (!student.SampleShape.Equals(teacher.SampleShape))
        {
            throw new ArgumentException($"The student's samples have shape {student.SampleShape}, the teacher's {teacher.SampleShape}.", nameof(student));
        }

        if (teacher.ClassCount > 0 || student.ClassCount > 0)
        {
            throw new ArgumentException("Reflow is implemented for unconditional models; this teacher or student is class-conditional.", nameof(teacher));
        }

        using var generator = new TorchSharp.torch.Generator(unchecked((ulong)options.PairSeed));
        using var pairs = teacher.DrawPairs(options.PairCount, generator, FlowSolverRegistry.Default.Get(options.PairSolver), options.PairSteps,
            teacher.Options.BatchSize, cancellationToken);
        using var data = new TensorDataSource(pairs);
        return Run(student, data, coupled: true, teacher.Standardization, teacher.FeatureNames, options.Training, configure, progress, cancellationToken);
    }

    /// <summary>
    /// Trains <paramref name="network"/> on <paramref name="data"/> (<see cref="Train"/>), then reflows it
    /// (<see cref="Reflow"/>) into <paramref name="student"/>, which starts from the first model's weights (Liu et al. 2023
    /// start the second flow from the first): one call for a rectified flow of two passes, with one summary. The
    /// summary's steps, loss history (the reflow pass's steps numbered after the first pass's), divergence events and wall
    /// time (which includes drawing the pairs) cover both passes; its stop reason and last checkpoint are the reflow pass's.
    /// </summary>
    /// <param name="network">The first network, as for <see cref="Train"/>; disposed with the first model once the pairs are drawn.</param>
    /// <param name="student">The network of the result, of the same type and shape as <paramref name="network"/> (its
    /// weights are replaced by the first model's). The returned model takes ownership of it.</param>
    /// <param name="data">The training data. Not owned.</param>
    /// <param name="first">The first pass; <see langword="null"/> for the defaults of <see cref="Train"/>.</param>
    /// <param name="reflow">The pairs and the reflow pass; <see langword="null"/> for the defaults of <see cref="Reflow"/>.</param>
    /// <param name="configure">Trainer settings for both passes (called once per pass), applied last.</param>
    /// <param name="progress">Receives both passes' progress; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops a pass between steps; cancelled during or after the first pass, the call throws
    /// <see cref="OperationCanceledException"/> (the first model is disposed) instead of running the second.</param>
    /// <returns>The reflowed model and the summary of both passes.</returns>
    /// <exception cref="ArgumentException">An option is invalid, the student is the network itself or does not fit it, or
    /// a network is class-conditional (reflow is implemented for unconditional models).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the reflow pass.</exception>
    public static TrainingResult<FlowModel> TrainWithReflow(
        IDenoiser network,
        IDenoiser student,
        IDataSource data,
        FlowTrainerOptions? first = null,
        FlowReflowOptions? reflow = null,
        Action<TrainerBuilder>? configure = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(data);
        reflow ??= new FlowReflowOptions();
        OptionProblems.ThrowIfAny(reflow.Validate(), nameof(reflow));
        if (ReferenceEquals(network, student) || ReferenceEquals(network.Module, student.Module))
        {
            throw new ArgumentException("The student must be a second network (its weights are replaced by the first model's), not the first network itself.", nameof(student));
        }

        if (network.ClassCount > 0 || student.ClassCount > 0)
        {
            throw new ArgumentException("Reflow is implemented for unconditional models; the network or the student is class-conditional.", nameof(network));
        }

        if (!student.SampleShape.Equals(network.SampleShape))
        {
            throw new ArgumentException($"The student's samples have shape {student.SampleShape}, the first network's {network.SampleShape}.", nameof(student));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (teacher, firstSummary) = Train(network, data, first, configure, progress, cancellationToken);
        TrainingResult<FlowModel> second;
        using (teacher)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var noGrad = TorchSharp.torch.no_grad())
            {
                var studentTensors = student.Module.state_dict();
                foreach (var (name, value) in teacher.Network.Module.state_dict())
                {
                    var target = studentTensors.TryGetValue(name, out var t)
                        ? t
                        : throw new ArgumentException($"The student has no tensor '{name}' of the first network; it must be of the same type and options.", nameof(student));
                    if (!target.shape.SequenceEqual(value.shape))
                    {
                        throw new ArgumentException(
                            $"The student's tensor '{name}' is shaped {TensorShape.Format(target.shape)}, the first network's {TensorShape.Format(value.shape)}.", nameof(student));
                    }

                    target.copy_(value);
                }
            }

            second = Reflow(teacher, student, reflow, configure, progress, cancellationToken);
        }

        return new TrainingResult<FlowModel>(second.Model, Concatenate(firstSummary, second.Summary, clock.Elapsed));
    }

    // One summary for two passes run one after the other: the second's steps are numbered after the first's.
    private static TrainingSummary Concatenate(TrainingSummary first, TrainingSummary second, TimeSpan wallTime)
    {
        long offset = first.CompletedSteps;
        var history = new Dictionary<string, IReadOnlyList<LossPoint>>(StringComparer.Ordinal);
        foreach (string name in first.LossHistory.Keys.Union(second.LossHistory.Keys))
        {
            var points = new List<LossPoint>();
            if (first.LossHistory.TryGetValue(name, out var a))
            {
                points.AddRange(a);
            }

            if (second.LossHistory.TryGetValue(name, out var b))
            {
                points.AddRange(b.Select(p => p with { Step = p.Step + offset }));
            }

            history[name] = points;
        }

        var divergences = first.DivergenceEvents.Concat(second.DivergenceEvents.Select(e => e with { Step = e.Step + offset })).ToList();
        return new TrainingSummary(
            first.FirstStep,
            offset + second.CompletedSteps,
            first.StepsRun + second.StepsRun,
            first.Epoch + second.Epoch,
            wallTime,
            history,
            divergences,
            second.StopReason,
            second.StopMessage,
            second.LastCheckpoint ?? first.LastCheckpoint);
    }

    private static TrainingResult<FlowModel> Run(
        IDenoiser network,
        IDataSource data,
        bool coupled,
        DataStandardization? standardization,
        IReadOnlyList<string>? featureNames,
        FlowTrainerOptions options,
        Action<TrainerBuilder>? configure,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var step = new FlowTrainingStep(network, options.Training, coupled: coupled);
        using var ema = options.EmaDecay is { } d ? new ExponentialMovingAverage(network.Module, d, options.EmaWarmup) : null;
        var summary = TrainerFacade.Run(step, data, (options.BatchSize, DefaultBatchSize, "FlowTrainerOptions.BatchSize"),
            options.Steps, options.Seed, ema, configure, progress, cancellationToken);
        ema?.CopyTo(network.Module); // the model samples from the averaged weights

        var modelOptions = options.Sampling with { TimeScale = options.Training.TimeScale };
        return new TrainingResult<FlowModel>(new FlowModel(network, modelOptions, standardization, featureNames), summary);
    }
}

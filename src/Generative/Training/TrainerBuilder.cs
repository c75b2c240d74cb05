using Generative.Data;
using Microsoft.Extensions.Logging;

namespace Generative.Training;

/// <summary>
/// Builds a <see cref="Trainer"/>: <c>Trainer.For(step).WithData(source).WithBatchSize(64).WithSteps(10_000).Build()</c>.
/// Every <c>With…</c> method only records its argument (checking what it can alone); <see cref="Build"/> validates the
/// whole set once, with messages that say which option to change.
/// </summary>
/// <remarks>Not thread-safe. A builder builds one trainer.</remarks>
public sealed class TrainerBuilder
{
    private readonly ITrainingStep _step;
    private readonly List<ITrainingCallback> _callbacks = [];
    private IDataSource? _data;
    private int? _batchSize;
    private bool _batchSizeIsDefault;
    private string? _batchSizeOption;
    private long? _steps;
    private TimeSpan? _duration;
    private long _seed;
    private LastBatchPolicy _lastBatch = LastBatchPolicy.Drop;
    private double? _clip;
    private LearningRateSchedule _schedule = LearningRateSchedule.Constant;
    private NonFinitePolicy _policy = NonFinitePolicy.Throw;
    private int _maxRollBacks = 3;
    private double _rollBackFactor = 0.5;
    private string? _checkpointDirectory;
    private int _checkpointEvery;
    private int _keepCheckpoints = 3;
    private ILogger? _logger;
    private IProgress<TrainingProgress>? _progress;
    private int _progressEvery = 10;
    private int _logEvery = 100;
    private string? _resumeFrom;
    private bool _built;

    internal TrainerBuilder(ITrainingStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <summary>Sets the training data (required). The trainer does not own it.</summary>
    /// <param name="source">The data source.</param>
    public TrainerBuilder WithData(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _data = source;
        return this;
    }

    /// <summary>Sets the batch size (required).</summary>
    /// <param name="batchSize">Samples per batch, ≥ 1.</param>
    /// <param name="lastBatch">Whether a last, smaller batch of each epoch is dropped (default) or kept.</param>
    public TrainerBuilder WithBatchSize(int batchSize, LastBatchPolicy lastBatch = LastBatchPolicy.Drop)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _batchSize = batchSize;
        _lastBatch = lastBatch;
        _batchSizeIsDefault = false;
        _batchSizeOption = null;
        return this;
    }

    /// <summary>Sets the batch size from a facade's option: <paramref name="batchSize"/> when the caller set it (then a size
    /// above the data is an error naming <paramref name="option"/>), else <paramref name="defaultBatchSize"/>, lowered to the
    /// sample count at <see cref="Build"/> when the data have fewer samples (and logged).</summary>
    internal TrainerBuilder WithBatchSize(int? batchSize, int defaultBatchSize, string option)
    {
        WithBatchSize(batchSize ?? defaultBatchSize);
        _batchSizeIsDefault = batchSize is null;
        _batchSizeOption = option;
        return this;
    }

    /// <summary>Bounds the run by a total (global) step count: a resumed run stops at the same step as an uninterrupted one.</summary>
    /// <param name="totalSteps">Total steps, ≥ 1.</param>
    public TrainerBuilder WithSteps(long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        _steps = totalSteps;
        return this;
    }

    /// <summary>Bounds each <see cref="Trainer.Run"/> call by wall-clock time (can be combined with <see cref="WithSteps"/>: the first reached stops).</summary>
    /// <param name="duration">A positive duration.</param>
    public TrainerBuilder WithDuration(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        _duration = duration;
        return this;
    }

    /// <summary>Sets the seed of the run's generator, which drives data order and every draw of the step (default 0).</summary>
    /// <param name="seed">Any seed.</param>
    public TrainerBuilder WithSeed(long seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>Clips each optimiser's gradients to a total L2 norm of at most <paramref name="maxNorm"/> before it steps.</summary>
    /// <param name="maxNorm">The maximum norm, finite and &gt; 0.</param>
    public TrainerBuilder WithGradientClipping(double maxNorm)
    {
        if (!(maxNorm > 0) || !double.IsFinite(maxNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be finite and greater than 0.");
        }

        _clip = maxNorm;
        return this;
    }

    /// <summary>Sets the learning-rate schedule (default constant); it scales every optimiser's base learning rate.</summary>
    /// <param name="schedule">The schedule.</param>
    public TrainerBuilder WithLearningRateSchedule(LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = schedule;
        return this;
    }

    /// <summary>Sets what happens on a non-finite loss or gradient (default: throw).</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="maxRollBacks">For <see cref="NonFinitePolicy.RollBack"/>: roll-backs allowed before throwing, ≥ 1.</param>
    /// <param name="rollBackLearningRateFactor">For <see cref="NonFinitePolicy.RollBack"/>: the learning-rate factor applied at each roll-back, in (0, 1].</param>
    public TrainerBuilder WithNonFinitePolicy(NonFinitePolicy policy, int maxRollBacks = 3, double rollBackLearningRateFactor = 0.5)
    {
        if (!Enum.IsDefined(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown policy.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxRollBacks, 1);
        if (!(rollBackLearningRateFactor > 0 && rollBackLearningRateFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rollBackLearningRateFactor), rollBackLearningRateFactor, "The roll-back learning-rate factor must be in (0, 1].");
        }

        _policy = policy;
        _maxRollBacks = maxRollBacks;
        _rollBackFactor = rollBackLearningRateFactor;
        return this;
    }

    /// <summary>Adds a callback; callbacks run in the order added. The trainer does not own it.</summary>
    /// <param name="callback">The callback.</param>
    public TrainerBuilder WithCallback(ITrainingCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks.Add(callback);
        return this;
    }

    /// <summary>Writes a checkpoint every <paramref name="everySteps"/> steps (and when the run stops) into <c>directory/step-NNNNNNNN</c>.</summary>
    /// <param name="directory">The checkpointing root (created if needed).</param>
    /// <param name="everySteps">Steps between checkpoints, ≥ 1.</param>
    /// <param name="keep">How many checkpoints to keep, ≥ 1 (older ones are deleted).</param>
    public TrainerBuilder WithCheckpointing(string directory, int everySteps, int keep = 3)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(everySteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        _checkpointDirectory = directory;
        _checkpointEvery = everySteps;
        _keepCheckpoints = keep;
        return this;
    }

    /// <summary>Resumes from a checkpoint when the trainer is built (see <see cref="Trainer.ResumeFrom"/>).</summary>
    /// <param name="directory">A checkpoint, or a checkpointing root (its latest checkpoint is used).</param>
    public TrainerBuilder ResumeFrom(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _resumeFrom = directory;
        return this;
    }

    /// <summary>Logs the run (start, every <paramref name="everySteps"/> steps, divergences, checkpoints, end).</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="everySteps">Steps between progress lines, ≥ 1.</param>
    public TrainerBuilder WithLogger(ILogger logger, int everySteps = 100)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(everySteps, 1);
        _logger = logger;
        _logEvery = everySteps;
        return this;
    }

    /// <summary>Reports progress every <paramref name="everySteps"/> steps and at the end.</summary>
    /// <param name="progress">The receiver (called on the training thread; <see cref="Progress{T}"/> posts to its context).</param>
    /// <param name="everySteps">Steps between reports, ≥ 1.</param>
    public TrainerBuilder WithProgress(IProgress<TrainingProgress> progress, int everySteps = 10)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThan(everySteps, 1);
        _progress = progress;
        _progressEvery = everySteps;
        return this;
    }

    /// <summary>Validates the options and builds the trainer.</summary>
    /// <returns>A trainer the caller owns (dispose it; it does not dispose the step, the data or the callbacks).</returns>
    /// <exception cref="InvalidOperationException">An option is missing or the options contradict each other; the message says which.</exception>
    public Trainer Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("This builder has already built a trainer; use a new builder for another.");
        }

        var problems = new List<string>();
        if (_data is null)
        {
            problems.Add("no data: call WithData(source)");
        }

        if (_batchSize is null)
        {
            problems.Add("no batch size: call WithBatchSize(n)");
        }

        if (_steps is null && _duration is null)
        {
            problems.Add("the run is unbounded: call WithSteps(n) and/or WithDuration(t)");
        }

        int? loweredFrom = null;
        if (_data is not null && _batchSize is int b && _lastBatch == LastBatchPolicy.Drop && b > _data.Count)
        {
            if (_batchSizeIsDefault)
            {
                loweredFrom = b;
            }
            else if (_batchSizeOption is not null)
            {
                problems.Add($"the batch size {b} exceeds the {_data.Count} samples: set {_batchSizeOption} to at most {_data.Count}, or leave it unset to use every sample when the data are smaller than the default");
            }
            else
            {
                problems.Add($"the batch size {b} exceeds the {_data.Count} samples and incomplete batches are dropped: lower the batch size or keep the last batch (WithBatchSize({b}, LastBatchPolicy.Keep))");
            }
        }

        if (_schedule.NeedsTotalSteps && _steps is null)
        {
            problems.Add($"the learning-rate schedule ({_schedule}) needs the total step count: call WithSteps(n) or give the schedule its own total");
        }

        if (_policy == NonFinitePolicy.RollBack && _checkpointDirectory is null && _resumeFrom is null)
        {
            problems.Add("the roll-back policy needs checkpoints to roll back to: call WithCheckpointing(directory, everySteps)");
        }

        if (_step.Modules.Count == 0)
        {
            problems.Add($"the training step '{_step.Family}' has no modules");
        }

        if (_step.Optimizers.Count == 0)
        {
            problems.Add($"the training step '{_step.Family}' has no optimizers");
        }

        foreach (string name in _step.Modules.Keys.Concat(_step.Optimizers.Keys))
        {
            if (string.IsNullOrEmpty(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            {
                problems.Add($"the module or optimizer name '{name}' may hold only ASCII letters, digits, '_', '-' and '.'");
            }
        }

        var keys = _callbacks.OfType<ICheckpointedState>().GroupBy(c => c.StateKey, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (keys.Count > 0)
        {
            problems.Add($"several stateful callbacks share the state key(s) {string.Join(", ", keys)}: give each a unique key");
        }

        if (_callbacks.Distinct().Count() != _callbacks.Count)
        {
            problems.Add("a callback was added twice");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The trainer cannot be built: " + string.Join("; ", problems) + ".");
        }

        int batchSize = _batchSize!.Value;
        if (loweredFrom is int requested)
        {
            batchSize = checked((int)_data!.Count);
            if (_logger is not null)
            {
                TrainerLog.BatchSizeLowered(_logger, requested, batchSize, _batchSizeOption ?? "the batch size");
            }
        }

        var options = new TrainerOptions
        {
            TotalSteps = _steps,
            Duration = _duration,
            BatchSize = batchSize,
            Seed = _seed,
            LastBatch = _lastBatch,
            GradientClipNorm = _clip,
            LearningRateSchedule = _schedule,
            NonFinitePolicy = _policy,
            MaxRollBacks = _maxRollBacks,
            RollBackLearningRateFactor = _rollBackFactor,
            CheckpointDirectory = _checkpointDirectory is null ? null : Path.GetFullPath(_checkpointDirectory),
            CheckpointEverySteps = _checkpointEvery,
            KeepCheckpoints = _keepCheckpoints,
            LogEverySteps = _logEvery,
            ProgressEverySteps = _progressEvery,
        };

        _built = true;
        var trainer = new Trainer(_step, _data!, options, [.. _callbacks], _logger, _progress);
        if (_resumeFrom is not null)
        {
            try
            {
                trainer.ResumeFrom(_resumeFrom);
            }
            catch
            {
                trainer.Dispose();
                throw;
            }
        }

        return trainer;
    }
}

using Generative.Data;

namespace Generative.Training;

/// <summary>The validated options of a trainer (built by <see cref="TrainerBuilder"/>). Immutable.</summary>
public sealed class TrainerOptions
{
    internal TrainerOptions()
    {
    }

    /// <summary>The run's total (global) step count, or <see langword="null"/> when bounded by <see cref="Duration"/> only.</summary>
    public long? TotalSteps { get; internal init; }

    /// <summary>The wall-clock limit of one <see cref="Trainer.Run"/> call, or <see langword="null"/>.</summary>
    public TimeSpan? Duration { get; internal init; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; internal init; }

    /// <summary>The seed of the run's generator.</summary>
    public long Seed { get; internal init; }

    /// <summary>What happens to the last, smaller batch of an epoch.</summary>
    public LastBatchPolicy LastBatch { get; internal init; }

    /// <summary>The maximum total gradient norm (L2, over each optimiser's parameters), or <see langword="null"/> for no clipping.</summary>
    public double? GradientClipNorm { get; internal init; }

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule LearningRateSchedule { get; internal init; } = LearningRateSchedule.Constant;

    /// <summary>What happens on a non-finite loss or gradient.</summary>
    public NonFinitePolicy NonFinitePolicy { get; internal init; }

    /// <summary>Roll-backs allowed before the trainer throws (policy <see cref="NonFinitePolicy.RollBack"/>).</summary>
    public int MaxRollBacks { get; internal init; } = 3;

    /// <summary>The factor applied to the learning rate at each roll-back.</summary>
    public double RollBackLearningRateFactor { get; internal init; } = 0.5;

    /// <summary>The checkpointing root directory, or <see langword="null"/>.</summary>
    public string? CheckpointDirectory { get; internal init; }

    /// <summary>Steps between checkpoints.</summary>
    public int CheckpointEverySteps { get; internal init; }

    /// <summary>How many checkpoints are kept in <see cref="CheckpointDirectory"/> (the oldest are deleted).</summary>
    public int KeepCheckpoints { get; internal init; } = 3;

    /// <summary>Steps between log lines (information level).</summary>
    public int LogEverySteps { get; internal init; } = 100;

    /// <summary>Steps between progress reports.</summary>
    public int ProgressEverySteps { get; internal init; } = 10;
}

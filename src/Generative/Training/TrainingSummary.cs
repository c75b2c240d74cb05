namespace Generative.Training;

/// <summary>Why a run stopped.</summary>
public enum TrainingStopReason
{
    /// <summary>The configured number of steps is done.</summary>
    StepsCompleted = 0,

    /// <summary>The configured duration has elapsed.</summary>
    DurationElapsed = 1,

    /// <summary>The cancellation token was cancelled (a checkpoint was written first when checkpointing is on).</summary>
    Cancelled = 2,

    /// <summary>A callback (early stopping) asked to stop.</summary>
    StoppedByCallback = 3,
}

/// <summary>One recorded loss value.</summary>
/// <param name="Step">The global step, from 0.</param>
/// <param name="Value">The loss.</param>
public readonly record struct LossPoint(long Step, double Value);

/// <summary>What a call to <see cref="Trainer.Run"/> did.</summary>
/// <remarks>Immutable.</remarks>
public sealed class TrainingSummary
{
    internal TrainingSummary(
        long firstStep,
        long completedSteps,
        long stepsRun,
        int epoch,
        TimeSpan wallTime,
        IReadOnlyDictionary<string, IReadOnlyList<LossPoint>> lossHistory,
        IReadOnlyList<DivergenceEvent> divergenceEvents,
        TrainingStopReason stopReason,
        string? stopMessage,
        string? lastCheckpoint)
    {
        FirstStep = firstStep;
        CompletedSteps = completedSteps;
        StepsRun = stepsRun;
        Epoch = epoch;
        WallTime = wallTime;
        LossHistory = lossHistory;
        DivergenceEvents = divergenceEvents;
        StopReason = stopReason;
        StopMessage = stopMessage;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The global step the run started at (0, or the resumed checkpoint's step count).</summary>
    public long FirstStep { get; }

    /// <summary>The global number of steps completed when the run stopped.</summary>
    public long CompletedSteps { get; }

    /// <summary>The steps executed by this call (including skipped and rolled-back ones).</summary>
    public long StepsRun { get; }

    /// <summary>The epoch of the next batch when the run stopped.</summary>
    public int Epoch { get; }

    /// <summary>The wall-clock time of the call.</summary>
    public TimeSpan WallTime { get; }

    /// <summary>Every loss value of this call by loss name, in execution order (a roll-back repeats steps).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<LossPoint>> LossHistory { get; }

    /// <summary>The non-finite losses or gradients met, and what was done.</summary>
    public IReadOnlyList<DivergenceEvent> DivergenceEvents { get; }

    /// <summary>Why the run stopped.</summary>
    public TrainingStopReason StopReason { get; }

    /// <summary>A callback's reason for stopping, when it asked to.</summary>
    public string? StopMessage { get; }

    /// <summary>The directory of the last checkpoint written, or <see langword="null"/>.</summary>
    public string? LastCheckpoint { get; }

    /// <summary>The mean of the last <paramref name="count"/> values of loss <paramref name="lossName"/>.</summary>
    /// <param name="lossName">A loss name.</param>
    /// <param name="count">How many of the last values, ≥ 1.</param>
    /// <exception cref="KeyNotFoundException">No loss has that name.</exception>
    public double MeanOfLast(string lossName, int count)
    {
        ArgumentNullException.ThrowIfNull(lossName);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!LossHistory.TryGetValue(lossName, out var history))
        {
            throw new KeyNotFoundException($"No loss is named '{lossName}'; known: {string.Join(", ", LossHistory.Keys)}.");
        }

        var tail = history.Skip(Math.Max(0, history.Count - count)).ToList();
        return tail.Count == 0 ? double.NaN : tail.Average(p => p.Value);
    }
}

/// <summary>A progress report: where the run is and how fast it goes.</summary>
/// <param name="Step">Steps completed (global).</param>
/// <param name="TotalSteps">The run's total steps, when bounded by steps.</param>
/// <param name="Epoch">The current epoch, from 0.</param>
/// <param name="Losses">The losses of the last step.</param>
/// <param name="StepsPerSecond">Steps per second since the call started.</param>
/// <param name="Elapsed">Wall time since the call started.</param>
/// <param name="EstimatedRemaining">Estimated time to the end (steps or duration), or <see langword="null"/> when unknown.</param>
public sealed record TrainingProgress(
    long Step,
    long? TotalSteps,
    int Epoch,
    IReadOnlyDictionary<string, double> Losses,
    double StepsPerSecond,
    TimeSpan Elapsed,
    TimeSpan? EstimatedRemaining);

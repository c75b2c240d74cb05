using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// Code the trainer calls at the end of each step, each epoch and the run: EMA updates, sample snapshots, evaluation,
/// early stopping, or your own. Callbacks run in the order they were added, on the training thread, outside the step's
/// dispose scope (make your own scope when you create tensors).
/// </summary>
/// <remarks>
/// A callback that has state a resumed run must restore (an EMA's shadow weights, early stopping's best value) also
/// implements <see cref="ICheckpointedState"/>; the trainer saves and restores it with each checkpoint. Callbacks that
/// draw random numbers should use a generator of their own, not the run's, so that adding one does not change training.
/// </remarks>
public interface ITrainingCallback
{
    /// <summary>Called after every step (after the update), before checkpointing.</summary>
    /// <param name="context">Where the run is; valid during the call only.</param>
    void OnStepEnd(TrainingCallbackContext context);

    /// <summary>Called after the last step of each epoch.</summary>
    /// <param name="context">Where the run is; valid during the call only.</param>
    void OnEpochEnd(TrainingCallbackContext context);

    /// <summary>Called once when <see cref="Trainer.Run"/> stops, whatever the reason (not when it throws).</summary>
    /// <param name="context">Where the run is; valid during the call only.</param>
    /// <param name="summary">The run's summary.</param>
    void OnTrainingEnd(TrainingCallbackContext context, TrainingSummary summary);
}

/// <summary>A convenience base for callbacks: every method does nothing unless overridden.</summary>
public abstract class TrainingCallback : ITrainingCallback
{
    /// <inheritdoc/>
    public virtual void OnStepEnd(TrainingCallbackContext context)
    {
    }

    /// <inheritdoc/>
    public virtual void OnEpochEnd(TrainingCallbackContext context)
    {
    }

    /// <inheritdoc/>
    public virtual void OnTrainingEnd(TrainingCallbackContext context, TrainingSummary summary)
    {
    }
}

/// <summary>State that a checkpoint keeps and a resumed run restores (implemented by stateful callbacks).</summary>
public interface ICheckpointedState
{
    /// <summary>A key unique among the run's stateful callbacks (<c>"ema"</c>, <c>"early-stopping"</c>); letters, digits, '-', '_' and '.'.</summary>
    string StateKey { get; }

    /// <summary>The state as named tensors.</summary>
    /// <returns>New CPU tensors the caller owns and disposes.</returns>
    IReadOnlyDictionary<string, Tensor> GetState();

    /// <summary>Restores a state returned by <see cref="GetState"/>; copies what it keeps (the caller disposes the tensors).</summary>
    /// <param name="state">The named tensors.</param>
    /// <exception cref="InvalidDataException">A tensor is missing or has the wrong shape or dtype.</exception>
    void LoadState(IReadOnlyDictionary<string, Tensor> state);
}

/// <summary>What a callback sees of the run. Valid during the callback only.</summary>
public sealed class TrainingCallbackContext
{
    private readonly Trainer _trainer;

    internal TrainingCallbackContext(Trainer trainer, long step, int epoch, IReadOnlyDictionary<string, double> losses)
    {
        _trainer = trainer;
        Step = step;
        Epoch = epoch;
        Losses = losses;
    }

    /// <summary>The global step just completed, from 0 (so <c>Step + 1</c> steps are done).</summary>
    public long Step { get; }

    /// <summary>The number of steps completed, <c>Step + 1</c>.</summary>
    public long CompletedSteps => Step + 1;

    /// <summary>The epoch of the step just completed, from 0.</summary>
    public int Epoch { get; }

    /// <summary>The losses of the step just completed (empty at the end of a run that ran no step).</summary>
    public IReadOnlyDictionary<string, double> Losses { get; }

    /// <summary>The training step (its modules and optimisers).</summary>
    public ITrainingStep TrainingStep => _trainer.TrainingStep;

    /// <summary>The run's logger (a null logger when none was given).</summary>
    public ILogger Logger => _trainer.Logger;

    /// <summary>The device the modules are on.</summary>
    public Device Device => _trainer.Device;

    /// <summary>The total step count of the run, when bounded by steps.</summary>
    public long? TotalSteps => _trainer.Options.TotalSteps;

    /// <summary>Asks the trainer to stop after this step (early stopping); the reason goes into the summary and the log.</summary>
    /// <param name="reason">Why.</param>
    public void RequestStop(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _trainer.RequestStop(reason);
    }
}

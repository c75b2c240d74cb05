namespace Generative.Training;

/// <summary>What the trainer does when a loss or a gradient is NaN or infinite. In every case the update is not applied.</summary>
public enum NonFinitePolicy
{
    /// <summary>Throw <see cref="NonFiniteLossException"/>, naming the step and the loss (the default).</summary>
    Throw = 0,

    /// <summary>Skip the batch: no optimiser of the step applies an update; training goes on with the next batch.</summary>
    Skip = 1,

    /// <summary>
    /// Restore the last checkpoint this run wrote (or resumed from), lower the learning rate by the configured factor,
    /// and go on; throws after the configured number of roll-backs. Needs checkpointing.
    /// </summary>
    RollBack = 2,
}

/// <summary>A non-finite loss or gradient met during training, and what was done about it.</summary>
/// <param name="Step">The global step, from 0.</param>
/// <param name="LossName">The optimiser (loss) concerned.</param>
/// <param name="Value">The offending value: the loss, or for a gradient the sum of all gradient elements (the total gradient norm when clipping is on).</param>
/// <param name="InGradient">Whether the gradient (rather than the loss) was non-finite.</param>
/// <param name="Action">What the trainer did.</param>
public sealed record DivergenceEvent(long Step, string LossName, double Value, bool InGradient, NonFinitePolicy Action);

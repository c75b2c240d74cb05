namespace Generative.Training;

/// <summary>
/// A learning-rate schedule: the factor by which the trainer multiplies each optimiser's base learning rate (the one it
/// was created with) before each step.
/// </summary>
/// <remarks>Schedules are immutable and stateless (the factor is a pure function of the step), so that resuming needs no schedule state.</remarks>
public abstract class LearningRateSchedule
{
    /// <summary>A constant learning rate (factor 1).</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>
    /// Linear warm-up from 0 to the base rate over <paramref name="warmupSteps"/> steps, then a cosine decay to
    /// <paramref name="minFactor"/> × base at the last step.
    /// </summary>
    /// <param name="warmupSteps">Warm-up steps, ≥ 0. Step s &lt; warm-up gets factor (s + 1) / warmupSteps.</param>
    /// <param name="totalSteps">The step count the decay spans; <see langword="null"/> for the trainer's <c>WithSteps</c> count.</param>
    /// <param name="minFactor">The final factor, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public static LearningRateSchedule WarmupCosine(long warmupSteps, long? totalSteps = null, double minFactor = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (totalSteps is not null && totalSteps <= warmupSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"The total steps must exceed the {warmupSteps} warm-up steps.");
        }

        if (!(minFactor >= 0 && minFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minFactor), minFactor, "The final factor must be in [0, 1].");
        }

        return new WarmupCosineSchedule(warmupSteps, totalSteps, minFactor);
    }

    /// <summary>Whether this schedule needs the run's total step count (set with <c>WithSteps</c>).</summary>
    public virtual bool NeedsTotalSteps => false;

    /// <summary>The factor for step <paramref name="step"/>.</summary>
    /// <param name="step">The global step, from 0.</param>
    /// <param name="totalSteps">The run's total steps, or <see langword="null"/> when the run is bounded by time only.</param>
    /// <returns>A factor ≥ 0.</returns>
    public abstract double Factor(long step, long? totalSteps);

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override double Factor(long step, long? totalSteps) => 1.0;

        public override string ToString() => "constant";
    }

    private sealed class WarmupCosineSchedule(long warmup, long? total, double minFactor) : LearningRateSchedule
    {
        public override bool NeedsTotalSteps => total is null;

        public override double Factor(long step, long? totalSteps)
        {
            if (step < warmup)
            {
                return (step + 1) / (double)warmup;
            }

            long span = (total ?? totalSteps ?? throw new InvalidOperationException("The cosine schedule needs the total step count.")) - warmup;
            double progress = span <= 1 ? 1.0 : Math.Min(1.0, (step - warmup) / (double)(span - 1));
            return minFactor + ((1 - minFactor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        }

        public override string ToString() => $"warm-up {warmup} + cosine to {minFactor}";
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// What a <see cref="ITrainingStep"/> gets from the trainer for one step: where it is in the run, the run's random
/// generator, and the one path by which it updates weights.
/// </summary>
/// <remarks>The trainer creates one context per step; it is not meant to be kept after the step returns.</remarks>
public class TrainingStepContext
{
    private Tensor? _lastLoss;
    private double _lastLossValue;

    /// <summary>Creates a context.</summary>
    /// <param name="step">The global step number, from 0.</param>
    /// <param name="epoch">The epoch, from 0.</param>
    /// <param name="generator">The run's generator; every random draw of the step comes from it.</param>
    /// <param name="optimizers">The step's optimisers by name (see <see cref="ITrainingStep.Optimizers"/>).</param>
    /// <param name="cancellationToken">Cancels the run between steps.</param>
    public TrainingStepContext(
        long step,
        int epoch,
        Generator generator,
        IReadOnlyDictionary<string, optim.Optimizer> optimizers,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(optimizers);
        Step = step;
        Epoch = epoch;
        Generator = generator;
        Optimizers = optimizers;
        CancellationToken = cancellationToken;
    }

    /// <summary>The global step number, from 0.</summary>
    public long Step { get; }

    /// <summary>The epoch, from 0.</summary>
    public int Epoch { get; }

    /// <summary>The run's random generator.</summary>
    public Generator Generator { get; }

    /// <summary>The optimisers by name.</summary>
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <summary>Cancels the run between steps.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Updates the parameters of optimiser <paramref name="optimizerName"/> to decrease <paramref name="loss"/>: clears
    /// their gradients, back-propagates, checks that the loss and the gradients are finite, clips the gradients if the
    /// run asks for it, and steps the optimiser.
    /// </summary>
    /// <param name="optimizerName">A key of <see cref="Optimizers"/>.</param>
    /// <param name="loss">A scalar loss.</param>
    /// <returns><see langword="true"/> if the update was applied; <see langword="false"/> if the run's non-finite policy skipped it.</returns>
    /// <exception cref="NonFiniteLossException">The loss or a gradient is not finite and the policy is to throw.</exception>
    /// <exception cref="ArgumentException">No optimiser has that name, or the loss is not a scalar.</exception>
    public virtual bool Optimize(string optimizerName, Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (!Optimizers.TryGetValue(optimizerName, out var optimizer))
        {
            throw new ArgumentException(
                $"No optimizer is named '{optimizerName}'; known: {string.Join(", ", Optimizers.Keys)}.", nameof(optimizerName));
        }

        if (loss.numel() != 1)
        {
            throw new ArgumentException($"The loss must be a scalar, but has shape {TensorShape.Format(loss.shape)}.", nameof(loss));
        }

        double value = TensorValues.ToDouble(loss);
        RecordLoss(loss, value);
        if (!double.IsFinite(value))
        {
            throw new NonFiniteLossException(Step, optimizerName, value);
        }

        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return true;
    }

    /// <summary>
    /// The value of <paramref name="loss"/> as a double: the one <see cref="Optimize"/> read while checking it, when the
    /// last call was given this tensor, otherwise read now. Lets the built-in steps report a loss without a second read.
    /// </summary>
    internal double LossValue(Tensor loss) =>
        ReferenceEquals(loss, _lastLoss) ? _lastLossValue : TensorValues.ToDouble(loss);

    /// <summary>Remembers the value read of the loss given to <see cref="Optimize"/> (see <see cref="LossValue"/>).</summary>
    private protected void RecordLoss(Tensor loss, double value)
    {
        _lastLoss = loss;
        _lastLossValue = value;
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// The trainer's step context: checks the loss and the gradients for NaN/∞ before the optimiser applies them, applies
/// the run's non-finite policy and gradient clipping by total L2 norm.
/// </summary>
internal sealed class TrainerStepContext : TrainingStepContext
{
    private const double ClipEpsilon = 1e-6;
    private readonly Trainer _trainer;

    public TrainerStepContext(Trainer trainer, long step, int epoch, Generator generator, CancellationToken cancellationToken)
        : base(step, epoch, generator, trainer.TrainingStep.Optimizers, cancellationToken)
    {
        _trainer = trainer;
    }

    /// <summary>The first divergence met in this step, if any (the rest of the step's updates are then not applied).</summary>
    public DivergenceEvent? Divergence { get; private set; }

    public override bool Optimize(string optimizerName, Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(optimizerName);
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

        if (Divergence is not null)
        {
            return false;
        }

        double value = ToDouble(loss);
        if (!double.IsFinite(value))
        {
            return Diverged(optimizerName, value, inGradient: false);
        }

        var parameters = _trainer.ParametersOf(optimizerName);
        optimizer.zero_grad();
        loss.backward();
        if (_trainer.Options.GradientClipNorm is null)
        {
            // Without clipping only the finiteness of the gradients matters, and a sum is the cheapest exact test: any NaN
            // or ±∞ element makes its gradient's sum, and the sum of those sums, non-finite (∞ − ∞ is NaN). One reduction
            // per gradient and one over their sums, nothing written back (clip_grad_norm_ with an infinite max_norm also
            // multiplied every gradient by 1). Sums beyond the float range (about 3.4e38 in float32) count as diverged.
            double total = GradientSum(parameters);
            if (!double.IsFinite(total))
            {
                optimizer.zero_grad();
                return Diverged(optimizerName, total, inGradient: true);
            }

            optimizer.step();
            return true;
        }

        using (var scope = NewDisposeScope())
        {
            var grads = new List<Tensor>(parameters.Count);
            foreach (var p in parameters)
            {
                var g = p.grad;
                if (g is not null)
                {
                    grads.Add(g);
                }
            }

            if (grads.Count > 0)
            {
                // Tensor.norm(float) takes its order as a plain float; linalg.vector_norm would make an implicit Scalar per call.
                var norms = stack(grads.Select(g => g.detach().norm().to_type(ScalarType.Float64)).ToArray());
                var total = norms.norm();
                double totalNorm = ToDouble(total);
                if (!double.IsFinite(totalNorm))
                {
                    optimizer.zero_grad();
                    return Diverged(optimizerName, totalNorm, inGradient: true);
                }

                if (_trainer.Options.GradientClipNorm is double maxNorm && totalNorm > maxNorm)
                {
                    using (no_grad())
                    {
                        foreach (var g in grads)
                        {
                            // coef = maxNorm / (norm + eps), as torch.nn.utils.clip_grad_norm_; a tensor, not an implicit Scalar.
                            var coef = tensor(maxNorm / (totalNorm + ClipEpsilon), dtype: g.dtype, device: g.device);
                            g.mul_(coef);
                        }
                    }
                }
            }
        }

        optimizer.step();
        return true;
    }

    private static double ToDouble(Tensor t) => TensorValues.ToDouble(t);

    private static double GradientSum(IReadOnlyList<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var sums = new List<Tensor>(parameters.Count);
        bool sameType = true;
        foreach (var parameter in parameters)
        {
            var gradient = parameter.grad;
            if (gradient is not null)
            {
                var sum = gradient.sum();
                sameType &= sums.Count == 0 || sum.dtype == sums[0].dtype;
                sums.Add(sum);
            }
        }

        if (sums.Count == 0)
        {
            return 0;
        }

        if (sameType)
        {
            return ToDouble(stack(sums).sum());
        }

        double total = 0;
        foreach (var sum in sums)
        {
            total += ToDouble(sum);
        }

        return total;
    }

    private bool Diverged(string name, double value, bool inGradient)
    {
        var policy = _trainer.Options.NonFinitePolicy;
        Divergence = new DivergenceEvent(Step, name, value, inGradient, policy);
        _trainer.OnDivergence(Divergence);
        if (policy == NonFinitePolicy.Throw)
        {
            throw inGradient
                ? new NonFiniteLossException(Step, name, value, $"Training diverged at step {Step}: the gradient of the {name} loss is not finite ({value}). The update was not applied; lower the learning rate, enable gradient clipping, or choose the skip or roll-back policy.")
                : new NonFiniteLossException(Step, name, value);
        }

        return false;
    }
}

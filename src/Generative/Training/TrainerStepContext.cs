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

        var parameters = _trainer.ParametersOf(optimizerName);
        if (_trainer.Options.GradientClipNorm is null && _trainer.CanFuseGradientCheck(optimizerName))
        {
            if (_trainer.FlatGradientsOf(optimizerName) is { } flatGradients)
            {
                // The gradients are views of one buffer (FlatGradients): one zero_ clears them all, and after the backward
                // pass one sum checks them all; the loss is read once.
                flatGradients.Prepare();
                loss.backward();
                using var flatScope = NewDisposeScope();
                double read = ToDouble(loss);
                RecordLoss(loss, read);
                double gradientSum = ToDouble(flatGradients.Buffer.sum());
                if (double.IsFinite(gradientSum) && double.IsFinite(read))
                {
                    optimizer.step();
                    return true;
                }

                flatGradients.Zero();
                return double.IsFinite(read)
                    ? Diverged(optimizerName, gradientSum, inGradient: true)
                    : Diverged(optimizerName, read, inGradient: false);
            }

            // Without clipping only finiteness matters. Until the flat gradients exist (the first update), or where they
            // cannot be made: the loss and every gradient are viewed flat (no kernel) and concatenated into one vector,
            // whose sum is read once. Any NaN or ±∞ element makes a sum non-finite (∞ − ∞ is NaN); only then is the loss
            // looked at on its own, to tell a non-finite loss from a non-finite gradient. The loss value comes from the
            // same vector. Sums beyond the float range (about 3.4e38 in float32) count as diverged.
            optimizer.zero_grad();
            loss.backward();
            using var scope = NewDisposeScope();
            var flat = FlattenLossAndGradients(loss, parameters);
            double total = ToDouble(flat.sum());
            double value = FirstElement(flat);
            RecordLoss(loss, value);
            if (double.IsFinite(total))
            {
                optimizer.step();
                _trainer.AfterFirstUpdate(optimizerName, optimizer);
                return true;
            }

            optimizer.zero_grad();
            return double.IsFinite(value)
                ? Diverged(optimizerName, total, inGradient: true)
                : Diverged(optimizerName, value, inGradient: false);
        }

        double lossValue = ToDouble(loss);
        RecordLoss(loss, lossValue);
        if (!double.IsFinite(lossValue))
        {
            return Diverged(optimizerName, lossValue, inGradient: false);
        }

        optimizer.zero_grad();
        loss.backward();
        if (_trainer.Options.GradientClipNorm is null)
        {
            // Other dtypes or devices: one sum per gradient and a sum of those sums, nothing written back.
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

    private static Tensor FlattenLossAndGradients(Tensor loss, IReadOnlyList<Parameter> parameters)
    {
        var parts = new Tensor[parameters.Count + 1];
        int count = 0;
        parts[count++] = loss.detach().view(1);
        foreach (var p in parameters)
        {
            if (p.grad is { } g)
            {
                parts[count++] = g.view(-1);
            }
        }

        return cat(count == parts.Length ? parts : parts[..count], 0);
    }

    // The loss, as the first element of the vector: read in place when it is float32 on the CPU (float → double is exact).
    private static double FirstElement(Tensor flat)
    {
        if (flat.dtype == ScalarType.Float32 && flat.device_type == DeviceType.CPU)
        {
            using var values = flat.data<float>();
            return values[0];
        }

        using var scope = NewDisposeScope();
        return ToDouble(flat[0]);
    }

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

using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// TorchSharp's Adam and AdamW with a <c>step</c> that holds every <see cref="Scalar"/> it passes to libtorch until the
/// call has returned. TorchSharp's own <c>step</c> converts its doubles (β₁, 1 − β₁, ε, the step size, …) to Scalars
/// that nothing references during the native call, so a garbage collection on another thread can finalise one while
/// libtorch reads it; after some millions of optimiser steps a run then dies with "Expected false to be true …
/// toFloat". The arithmetic here is the same operations in the same order (bit for bit; AMSGrad and maximize, which the
/// library never sets, are refused), and the state — parameter groups, per-parameter state, saved state — is the base
/// class's. The classes keep TorchSharp's names because TorchSharp writes the class name into an optimiser's saved state
/// and refuses another name on loading: checkpoints written with TorchSharp's optimisers load into these, and the other
/// way round.
/// </summary>
internal static class HeldScalarOptimizers
{
    /// <summary>Adam (Kingma &amp; Ba 2015) with held Scalars.</summary>
    internal sealed class Adam : TorchSharp.Modules.Adam
    {
        /// <summary>Creates the optimiser (arguments as TorchSharp's Adam).</summary>
        public Adam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay)
            : base(parameters, lr, beta1, beta2, eps, weightDecay)
        {
        }

        /// <inheritdoc />
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            RefuseUnimplemented(options.amsgrad, options.maximize);
            double lr = options.LearningRate!.Value, weightDecay = options.weight_decay!.Value;
            using var held = new HeldHyperparameters(options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
            using var decay = weightDecay.ToScalar();
            foreach (var param in group.Parameters)
            {
                var grad = param.grad;
                if (grad is null)
                {
                    continue;
                }

                var state = (State)_state[param.Handle];
                state.step += 1;
                if (weightDecay != 0)
                {
                    grad = grad.add(param, decay);
                }

                state.exp_avg.mul_(held.Beta1).add_(grad, held.OneMinusBeta1);
                state.exp_avg_sq.mul_(held.Beta2).addcmul_(grad, grad.conj(), held.OneMinusBeta2);
                held.Update(param, state.exp_avg, state.exp_avg_sq, state.step, lr);
            }
        }, closure);
    }

    /// <summary>AdamW (Loshchilov &amp; Hutter 2019, decoupled weight decay) with held Scalars.</summary>
    internal sealed class AdamW : TorchSharp.Modules.AdamW
    {
        /// <summary>Creates the optimiser (arguments as TorchSharp's AdamW).</summary>
        public AdamW(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay)
            : base(parameters, lr, beta1, beta2, eps, weightDecay)
        {
        }

        /// <inheritdoc />
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            RefuseUnimplemented(options.amsgrad, options.maximize);
            double lr = options.LearningRate!.Value;
            using var held = new HeldHyperparameters(options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
            using var shrink = (1 - (lr * options.weight_decay!.Value)).ToScalar();
            foreach (var param in group.Parameters)
            {
                var grad = param.grad;
                if (grad is null)
                {
                    continue;
                }

                var state = (State)_state[param.Handle];
                state.step += 1;
                param.mul_(shrink);
                state.exp_avg.mul_(held.Beta1).add_(grad, held.OneMinusBeta1);
                state.exp_avg_sq.mul_(held.Beta2).addcmul_(grad, grad, held.OneMinusBeta2);
                held.Update(param, state.exp_avg, state.exp_avg_sq, state.step, lr);
            }
        }, closure);
    }

    private static void RefuseUnimplemented(bool? amsgrad, bool? maximize)
    {
        if (amsgrad == true || maximize == true)
        {
            throw new NotSupportedException("AMSGrad and maximize are not implemented by the library's Adam; it never sets them.");
        }
    }

    // The Scalars of one group's step, and the last line of Adam's update with the step's own ones.
    private sealed class HeldHyperparameters(double beta1, double beta2, double eps) : IDisposable
    {
        private readonly double _beta1 = beta1;
        private readonly double _beta2 = beta2;
        private readonly Scalar _one = 1.ToScalar();
        private readonly Scalar _eps = eps.ToScalar();

        public Scalar Beta1 { get; } = beta1.ToScalar();

        public Scalar OneMinusBeta1 { get; } = (1 - beta1).ToScalar();

        public Scalar Beta2 { get; } = beta2.ToScalar();

        public Scalar OneMinusBeta2 { get; } = (1 - beta2).ToScalar();

        // param ← param − lr / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε), as TorchSharp computes it.
        public void Update(Tensor param, Tensor mean, Tensor square, long step, double lr)
        {
            using var rootCorrection2 = Math.Sqrt(1 - Math.Pow(_beta2, step)).ToScalar();
            using var stepSize = (-(lr / (1 - Math.Pow(_beta1, step)))).ToScalar();
            var denominator = square.sqrt().div(rootCorrection2).add_(_eps, _one);
            param.addcdiv_(mean, denominator, stepSize);
        }

        public void Dispose()
        {
            _one.Dispose();
            _eps.Dispose();
            Beta1.Dispose();
            OneMinusBeta1.Dispose();
            Beta2.Dispose();
            OneMinusBeta2.Dispose();
        }
    }
}

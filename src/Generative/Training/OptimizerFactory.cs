using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>Creates the optimisers the training steps use, with validated arguments.</summary>
public static class OptimizerFactory
{
    /// <summary>Creates Adam (Kingma &amp; Ba, 2015) over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to optimise (at least one).</param>
    /// <param name="learningRate">The base learning rate, &gt; 0.</param>
    /// <param name="beta1">First-moment decay, in [0, 1).</param>
    /// <param name="beta2">Second-moment decay, in [0, 1).</param>
    /// <param name="epsilon">Denominator term, &gt; 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <returns>An optimiser the caller owns (dispose it with the step).</returns>
    public static optim.Optimizer Adam(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
    {
        var list = Validate(parameters, learningRate, beta1, beta2, epsilon, weightDecay);
        return new HeldScalarOptimizers.Adam(list, learningRate, beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>Creates AdamW (Loshchilov &amp; Hutter, 2019: decoupled weight decay) over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to optimise (at least one).</param>
    /// <param name="learningRate">The base learning rate, &gt; 0.</param>
    /// <param name="beta1">First-moment decay, in [0, 1).</param>
    /// <param name="beta2">Second-moment decay, in [0, 1).</param>
    /// <param name="epsilon">Denominator term, &gt; 0.</param>
    /// <param name="weightDecay">Decoupled weight decay, ≥ 0 (PyTorch's default 0.01).</param>
    /// <returns>An optimiser the caller owns (dispose it with the step).</returns>
    public static optim.Optimizer AdamW(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01)
    {
        var list = Validate(parameters, learningRate, beta1, beta2, epsilon, weightDecay);
        return new HeldScalarOptimizers.AdamW(list, learningRate, beta1, beta2, epsilon, weightDecay);
    }

    private static List<Parameter> Validate(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one parameter is needed.", nameof(parameters));
        }

        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and greater than 0.");
        }

        if (!(beta1 >= 0 && beta1 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        }

        if (!(beta2 >= 0 && beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        }

        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and greater than 0.");
        }

        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be finite and at least 0.");
        }

        return list;
    }
}

using static TorchSharp.torch;

namespace Generative.Flow;

/// <summary>
/// How a flow-matching step pairs the noise x₀ of a batch with its data x₁ before it forms x_t = (1 − t)·x₀ + t·x₁ and the
/// target v = x₁ − x₀ (<see cref="FlowTrainingOptions.Coupling"/>). The built-ins are <see cref="IndependentCoupling"/>
/// (the noise as drawn: conditional flow matching) and <see cref="MinibatchOptimalTransportCoupling"/> (Tong et al. 2024;
/// Pooladian et al. 2023); a coupling of your own (entropic OT by Sinkhorn, stable matching, …) implements this interface
/// in your assembly and is set on the options like the built-ins.
/// </summary>
/// <remarks>
/// <para>Order of the draws in a step: the step draws t, then x₀ ~ N(0, I), both from the run's generator, then calls
/// <see cref="Couple"/> with that generator; a coupling that needs randomness draws from it (and only from it), after the
/// step's own draws, so that the same seed gives the same run.</para>
/// <para>The call runs inside the step's dispose scope: temporaries need no disposal. Neither the noise nor the data
/// require gradients. Implementations should be stateless and thread-safe (one instance may serve several runs).</para>
/// </remarks>
public interface IFlowCoupling
{
    /// <summary>Pairs the batch's noise with its data.</summary>
    /// <param name="noise">x₀, drawn i.i.d. N(0, I), <c>[N, ..SampleShape]</c>.</param>
    /// <param name="data">x₁, the batch's data, shaped like <paramref name="noise"/>.</param>
    /// <param name="labels">The class labels <c>[N]</c> (int64) the network is conditioned on, or <see langword="null"/>
    /// for an unconditional network. A coupling must keep every label with its data: row i of the result is trained with
    /// label i.</param>
    /// <param name="generator">The run's generator, for a coupling that draws.</param>
    /// <returns>The noise to pair with <paramref name="data"/> row by row: shaped like <paramref name="noise"/>, of its
    /// dtype and device (the noise reordered, new noise, or <paramref name="noise"/> itself).</returns>
    /// <exception cref="ArgumentException">The shapes do not fit; the message names the expected and actual ones.</exception>
    Tensor Couple(Tensor noise, Tensor data, Tensor? labels, Generator generator);
}

/// <summary>The independent coupling: the noise as drawn, paired with the data in the order of the batch (Lipman et al.
/// 2023). The default; a run with it is the same, draw for draw, as one with no coupling set.</summary>
public sealed class IndependentCoupling : IFlowCoupling
{
    /// <inheritdoc />
    public Tensor Couple(Tensor noise, Tensor data, Tensor? labels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(generator);
        return noise.alias();
    }

    /// <inheritdoc />
    public override string ToString() => nameof(IndependentCoupling);
}

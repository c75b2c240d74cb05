using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// The WGAN-GP gradient penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", arXiv:1704.00028,
/// Algorithm 1): λ · E[(‖∇ₓ̂ f(x̂)‖₂ − 1)²] on random interpolates x̂ = ε·x_real + (1 − ε)·x_fake, ε ~ U[0, 1] per sample.
/// Default λ = 10, the paper's value for every experiment.
/// </summary>
/// <remarks>
/// <para>With a <see cref="PackedCritic"/> (packing, <see cref="GanTrainingOptions.PackSize"/> = m) ε is still drawn per
/// sample — pack k interpolates its real and generated packs sample by sample — and the norm is taken per pack: the norm
/// of the gradient of the pack's score with respect to all m interpolated samples, the pack being the critic's input. The
/// expectation is over packs.</para>
/// </remarks>
/// <remarks>
/// <para>The gradient ∇ₓ̂ f is taken with <c>torch.autograd.grad</c> (grad_outputs = ones, create_graph = true and
/// retain_graph = true — TorchSharp's retain_graph defaults to false, unlike PyTorch), so that back-propagating the
/// penalty reaches the critic's parameters through the second-order path.</para>
/// <para>The per-sample gradient is only meaningful if the critic treats samples independently: no batch
/// normalisation in the critic (layer normalisation or none, as in the paper).</para>
/// </remarks>
public sealed class GradientPenalty : ICriticRegularizer
{
    /// <summary>The paper's weight: λ = 10.</summary>
    public const double DefaultWeight = 10.0;

    /// <summary>Creates the penalty.</summary>
    /// <param name="weight">λ, non-negative and finite; default 10.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is negative or not finite.</exception>
    public GradientPenalty(double weight = DefaultWeight)
    {
        if (!(weight >= 0) || !double.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "λ must be a non-negative finite number.");
        }

        Weight = weight;
    }

    /// <summary>λ.</summary>
    public double Weight { get; }

    /// <inheritdoc />
    public string Name => "gradient_penalty";

    /// <inheritdoc />
    public Tensor Compute(IDiscriminator critic, Tensor real, Tensor fake, Tensor? classLabels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(fake);
        ArgumentNullException.ThrowIfNull(generator);
        if (!real.shape.SequenceEqual(fake.shape))
        {
            throw new ArgumentException(
                $"Real and generated batches must have the same shape; got {TensorShape.Format(real.shape)} and {TensorShape.Format(fake.shape)}.",
                nameof(fake));
        }

        using var scope = NewDisposeScope();
        var epsilonShape = new long[real.Dimensions];
        Array.Fill(epsilonShape, 1L);
        epsilonShape[0] = real.shape[0];
        var epsilon = rand(epsilonShape, dtype: real.dtype, device: real.device, generator: generator);
        using var one = 1.ToScalar();
        var interpolates = (epsilon * real.detach()).Plus(epsilon.negative().Plus(one) * fake.detach()).requires_grad_(true); // ε·real + (1 − ε)·fake
        return Penalty(critic, interpolates, classLabels, Weight).MoveToOuterDisposeScope();
    }

    /// <summary>λ · mean((‖∇ₓ f(x)‖₂ − 1)²) at the given points, which must require gradients.</summary>
    internal static Tensor Penalty(IDiscriminator critic, Tensor points, Tensor? classLabels, double weight)
    {
        using var scope = NewDisposeScope();
        var gradients = InputGradients(critic, points, classLabels);
        // Tensor.norm(dim, keepdim, p) is linalg.vector_norm in libtorch, with its order as a plain float (vector_norm's
        // binding makes a Scalar it never disposes). One norm per score: per sample, or per pack of a packed critic.
        var norms = gradients.norm(1, false, 2f);
        using var one = 1.ToScalar();
        using var lambda = weight.ToScalar();
        var deviation = norms.sub(one).Squared().mean();
        return deviation.mul(lambda).MoveToOuterDisposeScope();
    }

    /// <summary>∇ₓ Σⱼ f(xⱼ), kept in the graph (create_graph and retain_graph), grouped by score: <c>[scores, -1]</c>, row j
    /// the gradient of score j with respect to the points it judged — one sample, or the m samples of a pack of a
    /// <see cref="PackedCritic"/> (consecutive, so the rows are the packs' gradients flattened).</summary>
    internal static Tensor InputGradients(IDiscriminator critic, Tensor points, Tensor? classLabels)
    {
        using var scope = NewDisposeScope();
        var scores = critic.Score(points, classLabels);
        var ones = ones_like(scores);
        var gradients = autograd.grad([scores], [points], [ones], retain_graph: true, create_graph: true)[0];
        return gradients.reshape(scores.shape[0], -1).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// The R1 regulariser (Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?",
/// arXiv:1801.04406, eq. 9): (γ / 2) · E_real[‖∇ₓ D(x)‖₂²], a zero-centred gradient penalty on real data only.
/// Default γ = 10 (the paper's value for most of its experiments).
/// </summary>
/// <remarks>Use with <see cref="NonSaturatingLoss"/>; gradients are computed with create_graph and retain_graph, as
/// for <see cref="GradientPenalty"/>. With a <see cref="PackedCritic"/> the squared norm is per real pack (the gradient
/// of the pack's score with respect to its m samples) and the expectation is over packs.</remarks>
public sealed class R1Penalty : ICriticRegularizer
{
    /// <summary>The paper's default γ = 10.</summary>
    public const double DefaultGamma = 10.0;

    /// <summary>Creates the penalty.</summary>
    /// <param name="gamma">γ, non-negative and finite; default 10.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is negative or not finite.</exception>
    public R1Penalty(double gamma = DefaultGamma)
    {
        if (!(gamma >= 0) || !double.IsFinite(gamma))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be a non-negative finite number.");
        }

        Gamma = gamma;
    }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public string Name => "r1_penalty";

    /// <inheritdoc />
    public Tensor Compute(IDiscriminator critic, Tensor real, Tensor fake, Tensor? classLabels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(real);
        using var scope = NewDisposeScope();
        var points = real.detach().clone().requires_grad_(true);
        var gradients = GradientPenalty.InputGradients(critic, points, classLabels);
        var squaredNorms = gradients.Squared().sum(1); // one per score: per sample, or per pack of a packed critic
        using var halfGamma = (Gamma / 2).ToScalar();
        return squaredNorms.mean().mul(halfGamma).MoveToOuterDisposeScope();
    }
}

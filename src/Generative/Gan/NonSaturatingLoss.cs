using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// The original GAN loss with the non-saturating generator objective (Goodfellow et al. 2014, "Generative Adversarial
/// Nets", arXiv:1406.2661, §3): the discriminator outputs logits ℓ and minimises the binary cross-entropy
/// −log σ(ℓ_real) − log(1 − σ(ℓ_fake)); the generator minimises −log σ(ℓ_fake) rather than log(1 − σ(ℓ_fake)), which
/// gives strong gradients early in training.
/// </summary>
/// <remarks>Computed stably with softplus: critic loss = mean(softplus(−ℓ_real)) + mean(softplus(ℓ_fake));
/// generator loss = mean(softplus(−ℓ_fake)). Typical companions: <see cref="R1Penalty"/> (Mescheder et al. 2018) or
/// spectral normalisation; Adam lr 2e-4, β = (0.5, 0.999) (DCGAN, Radford et al. 2016).</remarks>
public sealed class NonSaturatingLoss : IGanLoss
{
    /// <inheritdoc />
    public string Name => "non-saturating";

    /// <inheritdoc />
    public Tensor CriticLoss(Tensor realScores, Tensor fakeScores)
    {
        ArgumentNullException.ThrowIfNull(realScores);
        ArgumentNullException.ThrowIfNull(fakeScores);
        using var scope = NewDisposeScope();
#pragma warning disable RS0030 // TorchSharp 0.107's softplus makes its beta and threshold Scalars inside and has no overload taking held ones (docs/troubleshooting.md)
        var real = nn.functional.softplus(realScores.neg()).mean();
        var fake = nn.functional.softplus(fakeScores).mean();
#pragma warning restore RS0030
        return real.Plus(fake).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        ArgumentNullException.ThrowIfNull(fakeScores);
        using var scope = NewDisposeScope();
#pragma warning disable RS0030 // TorchSharp 0.107's softplus makes its beta and threshold Scalars inside and has no overload taking held ones (docs/troubleshooting.md)
        return nn.functional.softplus(fakeScores.neg()).mean().MoveToOuterDisposeScope();
#pragma warning restore RS0030
    }
}

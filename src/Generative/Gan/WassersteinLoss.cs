using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// The Wasserstein GAN loss (Arjovsky et al. 2017, "Wasserstein GAN", arXiv:1701.07875): the critic f maximises
/// E[f(x_real)] − E[f(x_fake)], an estimate of the Wasserstein-1 distance when f is 1-Lipschitz; the generator
/// maximises E[f(x_fake)].
/// </summary>
/// <remarks>
/// <para>Critic loss: mean(f(fake)) − mean(f(real)); generator loss: −mean(f(fake)).</para>
/// <para>The critic must be kept (approximately) 1-Lipschitz: pair it with <see cref="GradientPenalty"/> (WGAN-GP,
/// Gulrajani et al. 2017) or spectral normalisation. The WGAN-GP defaults are in <see cref="GanTrainingOptions.WganGp"/>:
/// 5 critic steps per generator step, Adam with learning rate 1e-4 and β = (0.5, 0.9) (the paper's Algorithm 1 uses
/// β = (0, 0.9)), λ = 10.</para>
/// </remarks>
public sealed class WassersteinLoss : IGanLoss
{
    /// <inheritdoc />
    public string Name => "wasserstein";

    /// <inheritdoc />
    public Tensor CriticLoss(Tensor realScores, Tensor fakeScores)
    {
        ArgumentNullException.ThrowIfNull(realScores);
        ArgumentNullException.ThrowIfNull(fakeScores);
        using var fake = fakeScores.mean();
        using var real = realScores.mean();
        return fake - real;
    }

    /// <inheritdoc />
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        ArgumentNullException.ThrowIfNull(fakeScores);
        using var mean = fakeScores.mean();
        return mean.neg();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// The hinge adversarial loss (Lim &amp; Ye 2017, "Geometric GAN", arXiv:1705.02894; used by Miyato et al. 2018 with
/// spectral normalisation): critic loss = mean(relu(1 − f(real))) + mean(relu(1 + f(fake))); generator loss =
/// −mean(f(fake)).
/// </summary>
/// <remarks>Pairs with a spectrally normalised critic (<see cref="MlpCriticOptions.SpectralNormalization"/>); Miyato et
/// al. 2018 train with Adam lr 2e-4, β = (0, 0.9) or (0.5, 0.999), 1–5 critic steps per generator step.</remarks>
public sealed class HingeLoss : IGanLoss
{
    /// <inheritdoc />
    public string Name => "hinge";

    /// <inheritdoc />
    public Tensor CriticLoss(Tensor realScores, Tensor fakeScores)
    {
        ArgumentNullException.ThrowIfNull(realScores);
        ArgumentNullException.ThrowIfNull(fakeScores);
        using var scope = NewDisposeScope();
        using var one = 1.0.ToScalar();
        var real = nn.functional.relu(realScores.negative().Plus(one)).mean(); // 1 − f(real), as the operator computes it
        var fake = nn.functional.relu(fakeScores.Plus(one)).mean();
        return real.Plus(fake).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        ArgumentNullException.ThrowIfNull(fakeScores);
        using var mean = fakeScores.mean();
        return mean.neg();
    }
}

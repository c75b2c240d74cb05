using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// An adversarial loss: how the critic (discriminator) and the generator are scored from the critic's outputs.
/// </summary>
/// <remarks>Implementations are stateless and thread-safe. Scores are <c>[N]</c>; the losses are scalars in the graph
/// of the scores, owned by the caller.</remarks>
public interface IGanLoss
{
    /// <summary>A short name for logs and checkpoints (<c>"wasserstein"</c>, <c>"non-saturating"</c>, <c>"hinge"</c>).</summary>
    string Name { get; }

    /// <summary>The critic's loss, to be minimised over the critic's parameters.</summary>
    /// <param name="realScores">Critic outputs on real samples, <c>[N]</c>.</param>
    /// <param name="fakeScores">Critic outputs on generated samples, <c>[M]</c>.</param>
    /// <returns>A scalar.</returns>
    Tensor CriticLoss(Tensor realScores, Tensor fakeScores);

    /// <summary>The generator's loss, to be minimised over the generator's parameters.</summary>
    /// <param name="fakeScores">Critic outputs on generated samples, <c>[M]</c>.</param>
    /// <returns>A scalar.</returns>
    Tensor GeneratorLoss(Tensor fakeScores);
}

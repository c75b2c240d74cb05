using TorchSharp;
using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// A GAN discriminator (or WGAN critic): a network that maps a batch of samples to one real-valued score per
/// sample — a logit for the non-saturating and hinge losses, an unbounded critic value for WGAN.
/// </summary>
/// <remarks>
/// <para>Shapes: <see cref="Score"/> takes <c>[N, ..SampleShape]</c> (and labels <c>[N]</c>, int64, for a
/// class-conditional discriminator) and returns <c>[N]</c> on the input's device and dtype.</para>
/// <para>Ownership and thread-safety as for <see cref="IGenerator"/>.</para>
/// </remarks>
public interface IDiscriminator
{
    /// <summary>The shape of one sample the discriminator scores.</summary>
    TensorShape SampleShape { get; }

    /// <summary>The number of classes for a conditional (projection) discriminator; 0 for an unconditional one.</summary>
    int ClassCount { get; }

    /// <summary>The module that holds the weights.</summary>
    nn.Module Module { get; }

    /// <summary>Scores a batch of samples.</summary>
    /// <param name="samples">Samples, <c>[N, ..SampleShape]</c>.</param>
    /// <param name="classLabels">Class labels <c>[N]</c> (int64) for a conditional discriminator; otherwise <see langword="null"/>.</param>
    /// <returns>One score per sample, <c>[N]</c>.</returns>
    /// <exception cref="ArgumentException">A shape does not match; the message names the expected and actual shapes.</exception>
    Tensor Score(Tensor samples, Tensor? classLabels = null);
}

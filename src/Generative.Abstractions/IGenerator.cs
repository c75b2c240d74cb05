using TorchSharp;
using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// A GAN generator: a network that maps a batch of latent vectors to a batch of samples.
/// </summary>
/// <remarks>
/// <para>Shapes: <see cref="Generate"/> takes <c>[N, ..LatentShape]</c> (and, for a class-conditional generator,
/// labels <c>[N]</c> of type int64 in <c>[0, ClassCount)</c>) and returns <c>[N, ..SampleShape]</c> on the latent's
/// device and dtype.</para>
/// <para>Ownership: the implementation is a <see cref="nn.Module"/> (<see cref="Module"/>) that owns its parameters;
/// whoever creates it disposes it. The returned tensor belongs to the caller (and to the caller's dispose scope, if
/// one is open).</para>
/// <para>Thread-safety: a module is not safe to train from several threads. Forward passes in evaluation mode under
/// <c>torch.inference_mode()</c> may run concurrently, provided nobody changes the weights meanwhile.</para>
/// </remarks>
public interface IGenerator
{
    /// <summary>The shape of one latent vector, e.g. <c>[128]</c>.</summary>
    TensorShape LatentShape { get; }

    /// <summary>The shape of one generated sample, e.g. <c>[2]</c> or <c>[1, 8, 8]</c>.</summary>
    TensorShape SampleShape { get; }

    /// <summary>The number of classes the generator is conditioned on; 0 for an unconditional generator.</summary>
    int ClassCount { get; }

    /// <summary>The module that holds the weights (for optimisers, <c>train()</c>/<c>eval()</c>, saving, moving to a device).</summary>
    nn.Module Module { get; }

    /// <summary>Maps latent vectors to samples.</summary>
    /// <param name="latent">Latent vectors, <c>[N, ..LatentShape]</c>.</param>
    /// <param name="classLabels">Class labels <c>[N]</c> (int64) for a conditional generator; otherwise <see langword="null"/>.</param>
    /// <returns>Samples, <c>[N, ..SampleShape]</c>.</returns>
    /// <exception cref="ArgumentException">A shape does not match; the message names the expected and actual shapes.</exception>
    Tensor Generate(Tensor latent, Tensor? classLabels = null);
}

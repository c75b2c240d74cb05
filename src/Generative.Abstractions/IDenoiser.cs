using TorchSharp;
using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// A diffusion model's network: given noisy samples and their timesteps it predicts the noise, the clean sample or
/// the velocity (see <see cref="PredictionType"/>).
/// </summary>
/// <remarks>
/// <para>Shapes: <see cref="Predict"/> takes samples <c>[N, ..SampleShape]</c>, timesteps <c>[N]</c> (int64 or float) and,
/// for a conditional network, labels <c>[N]</c> (int64; the value <see cref="ClassCount"/> means "no class", for
/// classifier-free guidance). It returns <c>[N, ..OutputShape]</c>, where <see cref="OutputShape"/> equals
/// <see cref="SampleShape"/>, except that a network that also learns the variance doubles the first dimension.</para>
/// <para>Ownership and thread-safety as for <see cref="IGenerator"/>.</para>
/// </remarks>
public interface IDenoiser
{
    /// <summary>The shape of one sample.</summary>
    TensorShape SampleShape { get; }

    /// <summary>The shape of one prediction (twice the channels of <see cref="SampleShape"/> for learned variance).</summary>
    TensorShape OutputShape { get; }

    /// <summary>The number of classes for a conditional network; 0 for an unconditional one.</summary>
    int ClassCount { get; }

    /// <summary>The module that holds the weights.</summary>
    nn.Module Module { get; }

    /// <summary>Runs the network.</summary>
    /// <param name="noisySamples">Noisy samples x_t, <c>[N, ..SampleShape]</c>.</param>
    /// <param name="timesteps">Their timesteps, <c>[N]</c>.</param>
    /// <param name="classLabels">Class labels <c>[N]</c> for a conditional network; otherwise <see langword="null"/>.</param>
    /// <returns>The prediction, <c>[N, ..OutputShape]</c>.</returns>
    /// <exception cref="ArgumentException">A shape does not match; the message names the expected and actual shapes.</exception>
    Tensor Predict(Tensor noisySamples, Tensor timesteps, Tensor? classLabels = null);
}

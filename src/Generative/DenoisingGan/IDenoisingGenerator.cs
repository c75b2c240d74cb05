using TorchSharp;
using static TorchSharp.torch;

namespace Generative.DenoisingGan;

/// <summary>
/// The generator of a denoising diffusion GAN: G(x_t, z, t) predicts the clean sample x_0 from a noisy one x_t, a latent
/// z ~ N(0, I) and the step t (Xiao, Kreis and Vahdat 2022). The model then draws x_{t−1} from the Gaussian posterior
/// q(x_{t−1} | x_t, x_0) with the prediction in place of x_0 (<see cref="DenoisingGanProcess.Posterior"/>).
/// </summary>
/// <remarks>
/// <para>Shapes: x_t <c>[N, ..SampleShape]</c>, z <c>[N, ..LatentShape]</c>, t int64 <c>[N]</c> in 1 … <see cref="Steps"/>
/// → x_0 <c>[N, ..SampleShape]</c> on x_t's device and dtype.</para>
/// <para>Saving and loading: register the type in <see cref="DenoisingGeneratorRegistry"/> (the built-in <c>"mlp"</c> is
/// <see cref="MlpDenoisingGenerator"/>). Ownership and thread-safety: as <see cref="IGenerator"/>.</para>
/// </remarks>
public interface IDenoisingGenerator
{
    /// <summary>The shape of one sample (and of x_t), e.g. <c>[2]</c>.</summary>
    TensorShape SampleShape { get; }

    /// <summary>The shape of one latent vector z, e.g. <c>[16]</c>.</summary>
    TensorShape LatentShape { get; }

    /// <summary>T: the generator is conditioned on steps 1 … T, and must be used with a process of as many steps.</summary>
    int Steps { get; }

    /// <summary>The module that holds the weights.</summary>
    nn.Module Module { get; }

    /// <summary>Predicts x_0.</summary>
    /// <param name="noisy">x_t, <c>[N, ..SampleShape]</c>.</param>
    /// <param name="latent">z, <c>[N, ..LatentShape]</c>.</param>
    /// <param name="steps">t per sample, int64 <c>[N]</c> in 1 … <see cref="Steps"/>.</param>
    /// <returns>The predicted x_0, <c>[N, ..SampleShape]</c>, owned by the caller.</returns>
    /// <exception cref="ArgumentException">A shape does not match; the message names the expected and actual shapes.</exception>
    Tensor PredictOriginal(Tensor noisy, Tensor latent, Tensor steps);
}

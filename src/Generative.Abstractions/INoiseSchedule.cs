using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// The forward (noising) process of a diffusion model: q(x_t | x₀) = N(√ᾱ_t·x₀, (1−ᾱ_t)·I) for the train
/// timesteps t = 0 … <see cref="TrainTimesteps"/> − 1, with ᾱ_t = ∏_{s≤t} (1 − β_s).
/// </summary>
/// <remarks>
/// <para>Every coefficient is computed once, when the schedule is built. The coefficient tensors
/// (<see cref="Betas"/>, <see cref="Alphas"/>, <see cref="AlphasCumprod"/>) are float32 tensors of shape
/// <c>[TrainTimesteps]</c> on the CPU; they belong to the schedule and must not be disposed or modified.
/// Methods that take samples return tensors on the samples' device and dtype, owned by the caller.</para>
/// <para>Thread-safety: a schedule is immutable once built and safe to share between threads and samplers.</para>
/// </remarks>
public interface INoiseSchedule
{
    /// <summary>The number of diffusion steps the model is trained with (diffusers' <c>num_train_timesteps</c>).</summary>
    int TrainTimesteps { get; }

    /// <summary>β_t, <c>[TrainTimesteps]</c>, float32, CPU.</summary>
    Tensor Betas { get; }

    /// <summary>α_t = 1 − β_t, <c>[TrainTimesteps]</c>, float32, CPU.</summary>
    Tensor Alphas { get; }

    /// <summary>ᾱ_t = ∏_{s≤t} α_s, <c>[TrainTimesteps]</c>, float32, CPU.</summary>
    Tensor AlphasCumprod { get; }

    /// <summary>ᾱ_t as a number, for samplers' host-side arithmetic.</summary>
    /// <param name="timestep">A train timestep in <c>[0, TrainTimesteps)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The timestep is out of range.</exception>
    double AlphaCumprodAt(long timestep);

    /// <summary>Noises clean samples: √ᾱ_t·x₀ + √(1−ᾱ_t)·ε (diffusers' <c>add_noise</c>).</summary>
    /// <param name="originalSamples">x₀, <c>[N, ...]</c>.</param>
    /// <param name="noise">ε, the same shape as <paramref name="originalSamples"/>.</param>
    /// <param name="timesteps">t, <c>[N]</c>, int64, each in <c>[0, TrainTimesteps)</c>.</param>
    /// <returns>x_t, the shape, device and dtype of <paramref name="originalSamples"/>.</returns>
    Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps);

    /// <summary>The velocity target v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ (diffusers' <c>get_velocity</c>).</summary>
    /// <param name="samples">x₀, <c>[N, ...]</c>.</param>
    /// <param name="noise">ε, the same shape.</param>
    /// <param name="timesteps">t, <c>[N]</c>, int64.</param>
    /// <returns>v, the shape, device and dtype of <paramref name="samples"/>.</returns>
    Tensor GetVelocity(Tensor samples, Tensor noise, Tensor timesteps);

    /// <summary>The signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) at the given timesteps.</summary>
    /// <param name="timesteps">t, <c>[N]</c>, int64.</param>
    /// <returns><c>[N]</c>, float32, on the timesteps' device.</returns>
    Tensor SignalToNoiseRatio(Tensor timesteps);
}

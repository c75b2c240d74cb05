using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// A trained generative model of either family, for whoever just wants samples: services, the comparison runner,
/// metrics. Both a trained GAN and a trained diffusion model implement it.
/// </summary>
/// <remarks>
/// <para>Samples come back in the units of the training data (a model trained on standardised columns undoes the
/// standardisation), shaped <c>[count, ..SampleShape]</c>, float32, on the CPU.</para>
/// <para>Thread-safety: <see cref="Sample"/> and <see cref="SampleBatches"/> are safe to call from many threads at
/// once: each call runs under inference mode with its own sampler and its own random generator, and never changes
/// the model.</para>
/// <para>Randomness: every draw comes from the <see cref="Generator"/> passed in, so the same seed gives the same
/// samples (on the same device and library version). With <see langword="null"/> a fresh generator with a random
/// seed is used.</para>
/// <para>Ownership: returned tensors belong to the caller; the model owns its networks and is disposed by its creator
/// (or by the DI container that created it).</para>
/// </remarks>
public interface IGenerativeModel : IDisposable
{
    /// <summary>The family of the model.</summary>
    ModelFamily Family { get; }

    /// <summary>The shape of one sample.</summary>
    TensorShape SampleShape { get; }

    /// <summary>The number of classes the model can be conditioned on; 0 for an unconditional model.</summary>
    int ClassCount { get; }

    /// <summary>Names of the sample's features (table columns), or <see langword="null"/> when they have none (images, points).</summary>
    IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>Draws <paramref name="count"/> samples, in batches.</summary>
    /// <param name="count">How many samples, at least 1.</param>
    /// <param name="generator">The source of every random draw; <see langword="null"/> for a randomly seeded one.</param>
    /// <param name="options">Batch size and family-specific settings (sampler, steps, eta, guidance); <see langword="null"/> for the model's defaults.</param>
    /// <param name="cancellationToken">Checked between batches and between sampler steps.</param>
    /// <returns><c>[count, ..SampleShape]</c>, float32, CPU, owned by the caller.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1, or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    Tensor Sample(int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Draws <paramref name="count"/> samples as a stream of batches, so that a large count never sits in memory at once.</summary>
    /// <param name="count">How many samples in all, at least 1.</param>
    /// <param name="generator">The source of every random draw; <see langword="null"/> for a randomly seeded one.</param>
    /// <param name="options">As for <see cref="Sample"/>.</param>
    /// <param name="cancellationToken">Checked between batches and between sampler steps.</param>
    /// <returns>Batches of <c>[b, ..SampleShape]</c> (the last may be smaller), each owned by the caller. The same seed
    /// gives the same samples as <see cref="Sample"/> with the same options.</returns>
    IEnumerable<Tensor> SampleBatches(int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default);
}

namespace Generative.Hosting;

/// <summary>
/// Draws samples from registered models with their configured sampling defaults, a per-request seed and the configured
/// limits: the service that request handlers call.
/// </summary>
/// <remarks>
/// <para>Thread-safety: safe to call from many requests at once. Each call creates its own
/// <see cref="TorchSharp.torch.Generator"/> seeded from the request, and the models' <c>Sample</c> is thread-safe by
/// contract (<see cref="IGenerativeModel"/>); the service keeps no mutable state.</para>
/// <para>Determinism: the same model, seed and settings give the same samples, whatever else runs concurrently.</para>
/// <para>The work is synchronous and CPU-bound; call it from a thread-pool thread, never inside a TorchSharp dispose
/// scope that spans an <c>await</c>.</para>
/// </remarks>
public interface ISyntheticDataGenerator
{
    /// <summary>Draws <see cref="GenerationRequest.Count"/> samples from the model registered under <paramref name="modelName"/>.</summary>
    /// <param name="modelName">A registered model name (case-insensitive).</param>
    /// <param name="request">How many samples, the seed, and overrides.</param>
    /// <param name="cancellationToken">Passed to the model, which checks it between batches and sampler steps.</param>
    /// <returns>The samples and how they were drawn; the caller owns and disposes the result (its tensor is kept out of
    /// any dispose scope the caller has open).</returns>
    /// <exception cref="KeyNotFoundException">No model has that name; the message lists the registered names.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1 or above the model's maximum, or an override is
    /// out of range; the message names the setting, the accepted range and the model.</exception>
    /// <exception cref="ArgumentException">The sampler is unknown, or a class label is given for an unconditional model.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    GeneratedSamples Generate(string modelName, GenerationRequest request, CancellationToken cancellationToken = default);
}

namespace Generative.Hosting;

/// <summary>
/// Draws typed rows from registered tabular models, with a per-request seed, an optional condition and the configured
/// limit: the service that request handlers call.
/// </summary>
/// <remarks>
/// <para>Thread-safety: safe to call from many requests at once. Each call creates its own
/// <see cref="TorchSharp.torch.Generator"/> seeded from the request, and a fitted
/// <see cref="Generative.Tabular.ITableSynthesizer"/> samples concurrently by contract; the service keeps no mutable state.</para>
/// <para>Determinism: the same model, seed and condition give the same rows, whatever else runs concurrently.</para>
/// </remarks>
public interface ITableDataGenerator
{
    /// <summary>Draws <see cref="TableGenerationRequest.Count"/> rows from the tabular model registered under
    /// <paramref name="modelName"/>, every one satisfying <see cref="TableGenerationRequest.Where"/>.</summary>
    /// <param name="modelName">A registered tabular model name (case-insensitive).</param>
    /// <param name="request">How many rows, the seed and the condition.</param>
    /// <param name="cancellationToken">Checked before sampling.</param>
    /// <returns>The rows and how they were drawn.</returns>
    /// <exception cref="KeyNotFoundException">No tabular model has that name; the message lists the registered names.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1 or above the model's maximum, or the seed is
    /// negative; the message names the setting, the accepted range and the model.</exception>
    /// <exception cref="ArgumentException">The condition names an unknown column or asks for an impossible value (the
    /// message names the column and the value).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    GeneratedTable Generate(string modelName, TableGenerationRequest request, CancellationToken cancellationToken = default);
}
